import { createAmazonBedrock } from "@ai-sdk/amazon-bedrock";
import { BedrockRuntimeClient, ConverseStreamCommand } from "@aws-sdk/client-bedrock-runtime";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { streamText } from "ai";
import { afterEach, describe, expect, it } from "vitest";
import { closer, HAIKU, startProxy, startUpstream, TOKEN, UPSTREAM_KEY } from "./setup";

// Other clients through the proxy: the AWS SDK and the AI SDK, pointed at the proxy's origin with the proxy
// token as their bearer token, use the region-less path (`/model/{id}/...`) and the proxy's defaultRegion.

const servers = closer();

/** The AWS SDK with the proxy as its endpoint and a proxy token as its bearer token (HTTP/1.1). */
const sdkClient = (endpoint: string, token: string) =>
  new BedrockRuntimeClient({
    region: "us-west-2",
    endpoint,
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 1,
    token: { token },
    authSchemePreference: ["httpBearerAuth"],
  });
afterEach(() => servers.closeAll());

async function setup() {
  const upstream = servers.add(await startUpstream({ apiKeys: [UPSTREAM_KEY] }));
  const proxy = servers.add(await startProxy(upstream, { defaultRegion: "us-west-2" }));
  return { upstream, proxy };
}

describe("other clients through the proxy", () => {
  it("the AWS SDK's ConverseStreamCommand with token auth", async () => {
    const { upstream, proxy } = await setup();
    const client = sdkClient(proxy.url, TOKEN);
    const out = await client.send(
      new ConverseStreamCommand({
        modelId: HAIKU,
        messages: [{ role: "user", content: [{ text: "Hello SDK" }] }],
      }),
    );
    let text = "";
    let stopReason: string | undefined;
    for await (const event of out.stream!) {
      text += event.contentBlockDelta?.delta?.text ?? "";
      stopReason ??= event.messageStop?.stopReason;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(stopReason).toBe("end_turn");
    expect(upstream.seen[0].url.pathname).toBe(
      "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream",
    );
    expect(upstream.seen[0].headers.get("authorization")).toBe(`Bearer ${UPSTREAM_KEY}`);
  });

  it("the AWS SDK gets the proxy's 401 as a typed error", async () => {
    const { proxy } = await setup();
    const error = await sdkClient(proxy.url, "not-a-proxy-token")
      .send(
        new ConverseStreamCommand({
          modelId: HAIKU,
          messages: [{ role: "user", content: [{ text: "Hi" }] }],
        }),
      )
      .catch((e) => e);
    expect(error.name).toBe("UnauthorizedException");
    expect(error.$metadata.httpStatusCode).toBe(401);
  });

  it("the AI SDK's amazon-bedrock provider with baseURL and apiKey", async () => {
    const { upstream, proxy } = await setup();
    const bedrock = createAmazonBedrock({ region: "us-west-2", apiKey: TOKEN, baseURL: proxy.url });
    const result = streamText({ model: bedrock(HAIKU), prompt: "Hello AI SDK" });
    let text = "";
    for await (const delta of result.textStream) text += delta;
    expect(text.length).toBeGreaterThan(0);
    expect(await result.finishReason).toBe("stop");
    expect(upstream.seen[0].url.pathname).toMatch(
      /^\/model\/anthropic\.claude-3-haiku-20240307-v1%3A0\/converse-stream$/,
    );
  });
});
