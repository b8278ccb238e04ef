// A Worker that serves the AI SDK's UI message stream (what `useChat` reads) from Amazon Bedrock through
// bedrock-edge/ai-sdk. It holds no AWS credentials: it calls Bedrock through the bedrock-edge signing proxy with
// a proxy token, and the proxy signs. POST /api/chat {messages: UIMessage[]} -> text/event-stream.
import { convertToModelMessages, jsonSchema, stepCountIs, streamText, tool } from "ai";
import { createBedrockEdge } from "bedrock-edge/ai-sdk";

// A tool the model may call; the Worker runs it (a real app would call its own API here).
const tools = {
  get_weather: tool({
    description: "Current weather for a city",
    inputSchema: jsonSchema({ type: "object", properties: { city: { type: "string" } }, required: ["city"] }),
    execute: async ({ city }) => ({ city, forecast: "sunny", temperatureC: 21 }),
  }),
};

function cors(request, env) {
  const origin = request.headers.get("origin");
  const allowed = (env.ALLOWED_ORIGINS ?? "").split(",").map((o) => o.trim());
  return origin && allowed.includes(origin)
    ? {
        "access-control-allow-origin": origin,
        "access-control-allow-headers": "content-type",
        vary: "origin",
      }
    : {};
}

export default {
  /**
   * env: BEDROCK_PROXY_URL (the proxy's `.../model/` URL), BEDROCK_PROXY_TOKEN (a caller token the proxy
   * accepts: `wrangler secret put BEDROCK_PROXY_TOKEN`), AWS_REGION, BEDROCK_MODEL, ALLOWED_ORIGINS (the
   * pages that may call this Worker, comma-separated).
   */
  async fetch(request, env) {
    const headers = cors(request, env);
    if (request.method === "OPTIONS") return new Response(null, { status: 204, headers });
    if (request.method !== "POST" || new URL(request.url).pathname !== "/api/chat")
      return Response.json({ message: "POST /api/chat" }, { status: 404, headers });
    const { messages } = await request.json();
    // Config from the Worker's bindings: there is no process.env on Workers, so pass env explicitly.
    const bedrock = createBedrockEdge(
      { url: env.BEDROCK_PROXY_URL, key: env.BEDROCK_PROXY_TOKEN, region: env.AWS_REGION ?? "us-east-1" },
      { env: {} },
    );
    const result = streamText({
      model: bedrock(env.BEDROCK_MODEL ?? "anthropic.claude-3-haiku-20240307-v1:0"),
      messages: await convertToModelMessages(messages),
      tools,
      stopWhen: stepCountIs(3),
      // The page going away (or its stop button) ends the Bedrock stream too.
      abortSignal: request.signal,
    });
    // Errors reach the page as an `error` chunk with the message (the proxy's own messages hold no secrets).
    return result.toUIMessageStreamResponse({ headers, onError: (error) => error?.message ?? String(error) });
  },
};
