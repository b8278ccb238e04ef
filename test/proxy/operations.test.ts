// The operations beyond Converse (issue 16) through the proxy to the emulator: each new route forwarded to its AWS
// path with the proxy's own credentials, under the same token check, allow-lists and body limit.
import { afterEach, describe, expect, it } from "vitest";
import { createBedrock } from "../../src/client/create";
import { closer, HAIKU, startProxy, startUpstream, TOKEN, UPSTREAM_KEY } from "./setup";

const servers = closer();
afterEach(() => servers.closeAll());

async function setup(proxyOptions = {}) {
  const upstream = servers.add(await startUpstream({}));
  const proxy = servers.add(await startProxy(upstream, proxyOptions));
  const client = createBedrock(
    { url: `${proxy.url}/model/`, key: TOKEN, region: "us-west-2", logLevel: "silent", maxRetries: 0 },
    { env: {} },
  );
  return { upstream, proxy, client };
}

const user = (text: string) => [{ role: "user" as const, content: text }];

describe("the new operations through the proxy", () => {
  it("count-tokens, invoke, invoke-with-response-stream and apply-guardrail reach their AWS paths", async () => {
    const { upstream, client } = await setup();
    const counted = await client.countTokens(user("How long is the Danube?"), { model: HAIKU });
    expect(counted.inputTokens).toBeGreaterThan(0);
    const body = { anthropic_version: "bedrock-2023-05-31", max_tokens: 50, messages: user("hi") };
    const invoked = await client.invoke<any>(body, { model: HAIKU, trace: "ENABLED" });
    expect(invoked.body.type).toBe("message");
    expect(invoked.usage.outputTokens).toBe(invoked.body.usage.output_tokens);
    const chunks: any[] = [];
    for await (const chunk of client.invokeStream<any>(body, { model: HAIKU })) chunks.push(chunk);
    expect(chunks.at(-1).type).toBe("message_stop");
    const embedded = await client.embed(["a", "b"], {
      model: "amazon.titan-embed-text-v2:0",
      dimensions: 256,
    });
    expect(embedded.embeddings[1]).toHaveLength(256);
    const guard = await client.applyGuardrail({
      guardrailIdentifier: "gr-1",
      guardrailVersion: "2",
      source: "INPUT",
      content: [{ text: { text: "BLOCKME" } }],
    });
    expect(guard.action).toBe("GUARDRAIL_INTERVENED");

    const paths = upstream.seen.map((s: any) => s.url.pathname);
    expect(paths).toEqual([
      "/model/anthropic.claude-3-haiku-20240307-v1%3A0/count-tokens",
      "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke",
      "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke-with-response-stream",
      "/model/amazon.titan-embed-text-v2%3A0/invoke",
      "/model/amazon.titan-embed-text-v2%3A0/invoke",
      "/guardrail/gr-1/version/2/apply",
    ]);
    for (const seen of upstream.seen as any[]) {
      expect(seen.headers.get("authorization")).toBe(`Bearer ${UPSTREAM_KEY}`);
      expect(JSON.stringify([...seen.headers])).not.toContain(TOKEN);
    }
    // InvokeModel's own headers are signed and forwarded; the streamed route asks for an event stream.
    expect(upstream.seen[1].headers.get("x-amzn-bedrock-trace")).toBe("ENABLED");
    expect(upstream.seen[2].headers.get("accept")).toBe("application/vnd.amazon.eventstream");
    expect(upstream.seen[1].headers.get("accept")).toBe("application/json");
  });

  it("the model allow-list covers the new model routes", async () => {
    const { upstream, client } = await setup({ allowedModels: [HAIKU] });
    const error = await client.embed("x", { model: "amazon.titan-embed-text-v2:0" }).catch((e) => e);
    expect(error.name).toBe("AccessDeniedException");
    expect(upstream.seen).toHaveLength(0);
  });

  it("the body limit covers them too", async () => {
    const { upstream, client } = await setup({ maxBodyBytes: 200 });
    const error = await client
      .invoke(
        { anthropic_version: "bedrock-2023-05-31", max_tokens: 5, messages: user("x".repeat(500)) },
        {
          model: HAIKU,
        },
      )
      .catch((e) => e);
    expect(error.name).toBe("RequestTooLargeException");
    expect(upstream.seen).toHaveLength(0);
  });

  it("a page can read InvokeModel's token counts: the headers pass through and are exposed", async () => {
    const { proxy } = await setup({ allowedOrigins: ["https://app.example.com"] });
    const res = await fetch(`${proxy.url}/model/us-west-2.${HAIKU}/invoke`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${TOKEN}`,
        origin: "https://app.example.com",
        "content-type": "application/json",
      },
      body: JSON.stringify({ anthropic_version: "bedrock-2023-05-31", max_tokens: 20, messages: user("hi") }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-amzn-bedrock-output-token-count")).toMatch(/^\d+$/);
    expect(res.headers.get("access-control-expose-headers")).toMatch(/x-amzn-bedrock-input-token-count/);
    expect(res.headers.get("access-control-expose-headers")).toMatch(/x-amzn-bedrock-output-token-count/);
  });
});
