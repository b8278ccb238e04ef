// The core client signing with SigV4 (IAM credentials) instead of an API key.
import { createBedrock } from "bedrock-edge";

const tools = [{ name: "get_weather", description: "Weather for a city", inputSchema: { type: "object" } }];

export default {
  async fetch(
    request: Request,
    env: { AWS_ACCESS_KEY_ID: string; AWS_SECRET_ACCESS_KEY: string },
  ): Promise<Response> {
    const bedrock = createBedrock({
      region: "us-east-1",
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    });
    const messages = [{ role: "user" as const, content: await request.text() }];
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
  },
};
