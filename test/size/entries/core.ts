// The core client as a Worker uses it: an API key, request() and stream(), a tool; Converse's wire shape.
import { createConverseClient } from "bedrock-edge/core";
import { toolConfig } from "./tool";

export default {
  async fetch(request: Request, env: { BEDROCK_API_KEY: string }): Promise<Response> {
    const bedrock = createConverseClient({ key: env.BEDROCK_API_KEY, region: "us-east-1" });
    const input = {
      modelId: "anthropic.claude-3-5-haiku-20241022-v1:0",
      messages: [{ role: "user" as const, content: [{ text: await request.text() }] }],
      toolConfig,
    };
    if (new URL(request.url).pathname === "/stream") {
      const encoder = new TextEncoder();
      const body = bedrock.stream(input).pipeThrough(
        new TransformStream({
          transform(event, controller) {
            if (event.type === "text") controller.enqueue(encoder.encode(event.text));
          },
        }),
      );
      return new Response(body);
    }
    const result = await bedrock.request(input);
    return Response.json({ text: result.outputText, tools: result.toolsToCall });
  },
};
