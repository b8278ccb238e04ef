// The core client signing with SigV4 (IAM credentials) instead of an API key.
import { createConverseClient } from "bedrock-edge/core";
import { createSigV4Authorizer } from "bedrock-edge/sigv4";
import { toolConfig } from "./tool";

export default {
  async fetch(
    request: Request,
    env: { AWS_ACCESS_KEY_ID: string; AWS_SECRET_ACCESS_KEY: string },
  ): Promise<Response> {
    const credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY };
    const bedrock = createConverseClient({
      region: "us-east-1",
      auth: createSigV4Authorizer({ region: "us-east-1", credentials }),
    });
    const encoder = new TextEncoder();
    const events = bedrock.stream({
      modelId: "anthropic.claude-3-5-haiku-20241022-v1:0",
      messages: [{ role: "user", content: [{ text: await request.text() }] }],
      toolConfig,
    });
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
