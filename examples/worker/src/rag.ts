// A Cloudflare Worker that answers from a tiny document set (retrieval-augmented generation): it embeds the
// documents and the question, picks the closest documents, and asks the model to answer from them.
//   curl "https://<your-worker>/?q=How+long+do+cats+sleep"
// Answers JSON: {answer, sources: [{title, score}], usage}. Runs offline against the emulator, whose embeddings
// are deterministic and put similar texts closer (see test/runtimes/workerd/run.mjs).
import { type BedrockError, createBedrock } from "bedrock-edge";

interface Env {
  /** A Bedrock API key: `wrangler secret put BEDROCK_API_KEY`. */
  BEDROCK_API_KEY: string;
  AWS_REGION?: string;
  BEDROCK_MODEL?: string;
  EMBEDDING_MODEL?: string;
}

const DOCS = [
  { title: "Cats", text: "Cats sleep between twelve and sixteen hours a day, mostly in short naps." },
  { title: "Tides", text: "Tides rise and fall twice a day, pulled by the gravity of the moon and the sun." },
  {
    title: "Sourdough",
    text: "Sourdough bread rises with a starter of wild yeast and lactic acid bacteria.",
  },
  { title: "Invoices", text: "Invoices are due thirty days after issue unless the contract says otherwise." },
  { title: "Volcanoes", text: "Volcanoes erupt when magma rises through cracks in the crust of the earth." },
];
const TOP = 2;

/** The documents' vectors, computed once per isolate (a real app would store them in Vectorize or KV). */
let indexed: Promise<number[][]> | undefined;

const dot = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * b[i], 0);

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const question = new URL(request.url).searchParams.get("q");
    if (!question) return Response.json({ message: "Send ?q=your question" }, { status: 400 });
    const bedrock = createBedrock(
      {
        key: env.BEDROCK_API_KEY,
        region: env.AWS_REGION ?? "us-east-1",
        models: { default: { modelName: env.BEDROCK_MODEL ?? "anthropic.claude-3-haiku-20240307-v1:0" } },
      },
      { env: {} },
    );
    const model = env.EMBEDDING_MODEL ?? "amazon.titan-embed-text-v2:0";
    try {
      indexed ??= bedrock
        .embed(
          DOCS.map((d) => d.text),
          { model, dimensions: 512, purpose: "document" },
        )
        .then((r) => r.embeddings)
        .catch((error) => {
          indexed = undefined; // a failed indexing is retried by the next request
          throw error;
        });
      const [vectors, query] = await Promise.all([
        indexed,
        bedrock.embed(question, { model, dimensions: 512, purpose: "query" }),
      ]);
      // Titan V2 vectors are unit length: the dot product is the cosine similarity.
      const ranked = DOCS.map((doc, i) => ({ ...doc, score: dot(vectors[i], query.embeddings[0]) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, TOP);
      const context = ranked.map((d) => `[${d.title}] ${d.text}`).join("\n");
      const result = await bedrock.request(
        [{ role: "user", content: `Documents:\n${context}\n\nQuestion: ${question}` }],
        { system: "Answer only from the documents; name the one you used.", signal: request.signal },
      );
      return Response.json({
        answer: result.outputText,
        sources: ranked.map(({ title, score }) => ({ title, score: Math.round(score * 1000) / 1000 })),
        usage: result.usage,
      });
    } catch (error) {
      const e = error as BedrockError;
      return Response.json({ name: e.name, message: e.message }, { status: e.status ?? 502 });
    }
  },
};
