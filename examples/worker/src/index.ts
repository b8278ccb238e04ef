// A Cloudflare Worker that asks Bedrock and streams the answer to its caller as Server-Sent Events.
//   curl -N "https://<your-worker>/?prompt=Why+is+the+sky+blue"
// Events: `text` {text}, `tool-call` {id, name, arguments}, `done` {stopReason, usage}, `error` {name, message}.
import { type BedrockError, type ChatEvent, createBedrock } from "bedrock-edge";

interface Env {
  /** A Bedrock API key: `wrangler secret put BEDROCK_API_KEY`. */
  BEDROCK_API_KEY: string;
  AWS_REGION?: string;
  BEDROCK_MODEL?: string;
}

const encoder = new TextEncoder();
const sse = (event: string, data: unknown) =>
  encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

async function promptOf(request: Request): Promise<string | undefined> {
  if (request.method === "POST") {
    const body = (await request.json().catch(() => undefined)) as { prompt?: unknown } | undefined;
    return typeof body?.prompt === "string" ? body.prompt : undefined;
  }
  return new URL(request.url).searchParams.get("prompt") ?? undefined;
}

function toSse(event: ChatEvent): Uint8Array | undefined {
  if (event.type === "text") return sse("text", { text: event.text });
  if (event.type === "tool-call")
    return sse("tool-call", { id: event.id, name: event.name, arguments: event.arguments });
  if (event.type === "finish") return sse("done", { stopReason: event.stopReason, usage: event.usage });
  return undefined;
}

function errorBody(error: unknown) {
  const e = error as BedrockError;
  return { name: e?.name ?? "Error", message: e?.message ?? String(error) };
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const prompt = await promptOf(request);
    if (!prompt)
      return Response.json({ message: 'Send ?prompt=... or a JSON body {"prompt": ...}' }, { status: 400 });

    // Config from the Worker's bindings: there is no process.env on Workers, so pass env explicitly.
    const bedrock = createBedrock(
      {
        key: env.BEDROCK_API_KEY,
        region: env.AWS_REGION ?? "us-east-1",
        models: { default: { modelName: env.BEDROCK_MODEL ?? "anthropic.claude-3-haiku-20240307-v1:0" } },
      },
      { env: {} },
    );
    // The caller hanging up aborts the Bedrock request too.
    const events = bedrock.stream([{ role: "user", content: prompt }], { signal: request.signal });
    const iterator = events[Symbol.asyncIterator]();

    // Wait for the first event so that failures before the answer starts (bad key, throttling) get a real status.
    let first: IteratorResult<ChatEvent>;
    try {
      first = await iterator.next();
    } catch (error) {
      const status = (error as BedrockError).status ?? 502;
      return Response.json(errorBody(error), { status });
    }

    let pending: IteratorResult<ChatEvent> | undefined = first;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          // Skip events the caller does not need until one becomes an SSE message (or the answer ends).
          for (;;) {
            const step = pending ?? (await iterator.next());
            pending = undefined;
            if (step.done) return controller.close();
            const message = toSse(step.value);
            if (message) return controller.enqueue(message);
          }
        } catch (error) {
          // Headers are sent already: report the failure in the stream, then end it.
          controller.enqueue(sse("error", errorBody(error)));
          controller.close();
        }
      },
      async cancel() {
        await iterator.return?.();
      },
    });
    return new Response(body, {
      headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" },
    });
  },
};
