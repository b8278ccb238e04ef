// bedrock-edge/ai-sdk as a consumer uses it with @ai-sdk/provider installed (its optional peer): the provider's
// types under tsc --strict, and a LanguageModelV4 called directly (doGenerate, doStream): `ai-sdk <emulator origin>`.
import type { EmbeddingModelV4, LanguageModelV4, LanguageModelV4StreamPart } from "@ai-sdk/provider";
import { type BedrockEdgeProvider, createBedrockEdge } from "bedrock-edge/ai-sdk";

const node = Reflect.get(globalThis, "process") as { argv: string[] } | undefined;
const url = node?.argv[2];
if (url) {
  const provider: BedrockEdgeProvider = createBedrockEdge(
    { key: "consumer-key-0123", url: `${url}/model/`, region: "us-east-1", modelIdPrefix: "none" },
    { env: {} },
  );
  const model: LanguageModelV4 = provider.languageModel("anthropic.claude-3-haiku-20240307-v1:0");
  const prompt = [
    { role: "user" as const, content: [{ type: "text" as const, text: "hello from the AI SDK provider" }] },
  ];
  const generated = await model.doGenerate({ prompt });
  const text = generated.content.map((c) => (c.type === "text" ? c.text : "")).join("");
  const { stream } = await model.doStream({ prompt, providerOptions: { bedrock: { maxRetries: 1 } } });
  const streamed: LanguageModelV4StreamPart["type"][] = [];
  const reader = stream.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) streamed.push(r.value.type);
  const embedder: EmbeddingModelV4 = provider.embeddingModel("amazon.titan-embed-text-v2:0");
  const { embeddings } = await embedder.doEmbed({ values: ["a", "b"] });
  console.log(JSON.stringify({ generated: text, streamed, embedded: embeddings.map((e) => e.length) }));
}
