// The core client as a Worker uses it: an API key, request() and stream(), a tool.
import { createBedrock } from "bedrock-edge";

const tools = [{ name: "get_weather", description: "Weather for a city", inputSchema: { type: "object" } }];

export default {
  async fetch(request: Request, env: { BEDROCK_API_KEY: string }): Promise<Response> {
    const bedrock = createBedrock({ key: env.BEDROCK_API_KEY, region: "us-east-1" });
    const messages = [{ role: "user" as const, content: await request.text() }];
    if (new URL(request.url).pathname === "/stream") {
      const encoder = new TextEncoder();
      const events = bedrock.stream(messages, { model: "anthropic.claude-3-5-haiku-20241022-v1:0", tools });
      const body = events.pipeThrough(
        new TransformStream({
          transform(event, controller) {
            if (event.type === "text") controller.enqueue(encoder.encode(event.text));
          },
        }),
      );
      return new Response(body);
    }
    const result = await bedrock.request(messages, {
      model: "anthropic.claude-3-5-haiku-20241022-v1:0",
      tools,
    });
    return Response.json({ text: result.outputText, tools: result.toolsToCall });
  },
};
