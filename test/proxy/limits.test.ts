import { afterEach, describe, expect, it } from "vitest";
import { createBedrock } from "../../src/client/create";
import { BedrockError } from "../../src/errors";
import type { UsageRecord } from "../../src/proxy";
import { closer, HAIKU, startProxy, startUpstream, TOKEN } from "./setup";

// Limits per caller through the real proxy in front of the emulator on loopback: per-minute limits answer 429
// ThrottlingException with Retry-After, a spent daily budget 429 ServiceQuotaExceededException with Retry-After
// at the next UTC midnight (which the client does not retry), output caps are applied to the request Bedrock
// gets, and reservations are settled to the usage Bedrock reported, or released when a call fails or is dropped.

const servers = closer();
afterEach(() => servers.closeAll());

const path = (model = HAIKU, op = "converse") => `/model/us-east-1.${model}/${op}`;
const body = (text = "Hello there", maxTokens?: number) =>
  JSON.stringify({
    messages: [{ role: "user", content: [{ text }] }],
    ...(maxTokens === undefined ? {} : { inferenceConfig: { maxTokens } }),
  });

async function setup(options: Record<string, unknown>) {
  const upstream = servers.add(await startUpstream());
  const usage: UsageRecord[] = [];
  const proxy = servers.add(await startProxy(upstream, { onUsage: (r) => void usage.push(r), ...options }));
  const post = (payload = body(), p = path(), token = TOKEN) =>
    fetch(`${proxy.url}${p}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: payload,
    });
  const client = createBedrock({ url: `${proxy.url}/model/`, key: TOKEN, region: "us-east-1" }, { env: {} });
  return { upstream, proxy, post, usage, client };
}

const secondsToUtcMidnight = () => (86_400_000 - (Date.now() % 86_400_000)) / 1000;

describe("per-minute limits", () => {
  it("requestsPerMinute: the next request gets 429 ThrottlingException with Retry-After to the minute's end", async () => {
    const { post, upstream } = await setup({ limits: { requestsPerMinute: 2 } });
    expect((await post()).status).toBe(200);
    expect((await post()).status).toBe(200);
    const third = await post();
    expect(third.status).toBe(429);
    expect(third.headers.get("x-amzn-errortype")).toBe("ThrottlingException");
    const after = Number(third.headers.get("retry-after"));
    expect(after).toBeGreaterThanOrEqual(1);
    expect(after).toBeLessThanOrEqual(60);
    expect((await third.json()).message).toMatch(/Too many requests per minute/);
    expect(upstream.seen).toHaveLength(2);
  });

  it("concurrentRequests: a second call while one streams is refused; the slot comes back when it ends", async () => {
    const { post } = await setup({ limits: { concurrentRequests: 1 } });
    const slow = await post(body(), path("fault.delay;ms=40", "converse-stream"));
    expect(slow.status).toBe(200);
    const second = await post();
    expect(second.status).toBe(429);
    expect(second.headers.get("retry-after")).toBe("1");
    await slow.arrayBuffer();
    await expect.poll(async () => (await post()).status).toBe(200);
  });

  it("a caller that goes away mid-stream releases its slot", async () => {
    const { post, usage } = await setup({ limits: { concurrentRequests: 1, tokensPerDay: 100_000 } });
    const slow = await post(body("Tell me a long story"), path("fault.delay;ms=30", "converse-stream"));
    const reader = slow.body!.getReader();
    await reader.read();
    await reader.cancel();
    await expect.poll(() => usage.length).toBe(1);
    expect(usage[0]).toMatchObject({ end: "cancelled", status: 200 });
    expect((await post()).status).toBe(200);
  });

  it("tokensPerMinute counts the reservations of calls still running", async () => {
    // Reservation: the capped body's bytes (101) + the 100-token cap. Two fit in 450, three do not.
    const { post } = await setup({ limits: { tokensPerMinute: 450, maxTokensPerRequest: 100 } });
    const a = await post(body(), path("fault.delay;ms=30", "converse-stream"));
    const b = await post(body(), path("fault.delay;ms=30", "converse-stream"));
    const c = await post();
    expect([a.status, b.status, c.status]).toEqual([200, 200, 429]);
    expect(c.headers.get("x-amzn-errortype")).toBe("ThrottlingException");
    await Promise.all([a.arrayBuffer(), b.arrayBuffer()]);
  });
});

describe("the daily budget", () => {
  it("spent: 429 ServiceQuotaExceededException with Retry-After at the UTC reset; the client does not retry it", async () => {
    const { client, upstream, usage } = await setup({
      limits: { tokensPerDay: 700, maxTokensPerRequest: 200 },
    });
    const first = await client.request([{ role: "user", content: "Hello" }], { model: HAIKU });
    expect(first.outputText.length).toBeGreaterThan(0);
    const second = await client.request([{ role: "user", content: "Hello" }], { model: HAIKU });
    expect(second.usage).toBeDefined();
    await expect.poll(() => usage.length).toBe(2);
    // Settled to what Bedrock reported, not to the reservation.
    expect(usage.map((u) => u.charged)).toEqual([first.usage!.totalTokens, second.usage!.totalTokens]);

    const calls = upstream.seen.length;
    const started = Date.now();
    const error = await client
      .request([{ role: "user", content: "x".repeat(400) }], { model: HAIKU })
      .catch((e) => e);
    expect(error).toBeInstanceOf(BedrockError);
    expect(error).toMatchObject({ name: "ServiceQuotaExceededException", status: 429, retryable: false });
    expect(error.hint).toMatch(/^not retried until \d{4}-\d\d-\d\dT00:00:00Z/);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(upstream.seen.length).toBe(calls);
    expect(Math.abs(error.retryAfterMs / 1000 - secondsToUtcMidnight())).toBeLessThan(3);
  });

  it("raw answer: Retry-After in seconds to midnight UTC, and a message that says what the request reserved", async () => {
    const { post } = await setup({ limits: { tokensPerDay: 50, maxTokensPerRequest: 100 } });
    const response = await post();
    expect(response.status).toBe(429);
    expect(response.headers.get("x-amzn-errortype")).toBe("ServiceQuotaExceededException");
    expect(Math.abs(Number(response.headers.get("retry-after")) - secondsToUtcMidnight())).toBeLessThan(3);
    expect((await response.json()).message).toMatch(/daily token budget \(50\) has no room .* until .*Z/);
  });

  it("failed calls release their reservation: nothing is charged for an upstream error", async () => {
    const { post, usage } = await setup({ limits: { tokensPerDay: 400, maxTokensPerRequest: 100 } });
    for (let i = 0; i < 5; i++) expect((await post(body(), path("fault.throttle"))).status).toBe(429);
    await expect.poll(() => usage.length).toBe(5);
    expect(usage.every((u) => u.charged === 0 && u.status === 429)).toBe(true);
    expect((await post()).status).toBe(200);
  });

  it("a stream cut before its usage arrived keeps its whole reservation charged (Bedrock may bill it)", async () => {
    const { post, usage } = await setup({ limits: { tokensPerDay: 10_000, maxTokensPerRequest: 100 } });
    const response = await post(body(), path("fault.reset;after=2", "converse-stream"));
    await response.arrayBuffer().catch(() => {});
    await expect.poll(() => usage.length).toBe(1);
    expect(usage[0].end).toBe("error");
    // The reservation: the bytes of the body as sent (the cap written in) plus the cap.
    expect(usage[0].charged).toBe(body("Hello there", 100).length + 100);
  });
});

describe("maxTokensPerRequest", () => {
  it("clamps a larger ask and fills in a missing one (the request Bedrock gets carries the cap)", async () => {
    const { post, upstream } = await setup({ limits: { maxTokensPerRequest: 64 } });
    expect((await post(body("Hi", 5000))).status).toBe(200);
    expect((await post(body("Hi"))).status).toBe(200);
    expect((await post(body("Hi", 10))).status).toBe(200);
    const sent = upstream.seen.map(
      (s) => JSON.parse(new TextDecoder().decode(s.body)).inferenceConfig?.maxTokens,
    );
    expect(sent).toEqual([64, 64, 10]);
  });

  it('overMaxTokens: "refuse" answers 400 ValidationException naming the cap', async () => {
    const { post, upstream } = await setup({ limits: { maxTokensPerRequest: 64, overMaxTokens: "refuse" } });
    const response = await post(body("Hi", 65));
    expect(response.status).toBe(400);
    expect((await response.json()).message).toMatch(/maxTokens is 65; this proxy allows at most 64/);
    expect(upstream.seen).toHaveLength(0);
  });

  it("refuses a model-specific output limit in additionalModelRequestFields, which would get past the cap", async () => {
    const { post, upstream } = await setup({ limits: { maxTokensPerRequest: 64 } });
    for (const key of ["max_tokens", "maxTokenCount", "max_gen_len", "max_new_tokens"]) {
      const response = await post(
        JSON.stringify({
          messages: [{ role: "user", content: [{ text: "Hi" }] }],
          additionalModelRequestFields: { [key]: 100_000 },
        }),
      );
      expect(response.status).toBe(400);
      expect((await response.json()).message).toContain(
        `additionalModelRequestFields.${key} is not accepted`,
      );
    }
    expect(upstream.seen).toHaveLength(0);
  });

  it("a token budget without a cap reserves 4096 output tokens and caps the request there", async () => {
    const { post, upstream } = await setup({ limits: { tokensPerDay: 1_000_000 } });
    expect((await post()).status).toBe(200);
    expect(JSON.parse(new TextDecoder().decode(upstream.seen[0].body)).inferenceConfig.maxTokens).toBe(4096);
  });

  it("refuses bad limits at start-up, naming the key", async () => {
    const upstream = servers.add(await startUpstream());
    await expect(startProxy(upstream, { limits: { tokensPerDay: 0 } })).rejects.toThrow(
      /limits.tokensPerDay must be a positive integer/,
    );
    await expect(startProxy(upstream, { limits: { tokenPerDay: 5 } as never })).rejects.toThrow(
      /unknown limit "tokenPerDay"/,
    );
  });
});

describe("usage out", () => {
  it("onUsage gets subject, operation, region, model, Bedrock's usage, status, request id and time; the log line has tokens", async () => {
    const lines: string[] = [];
    const put = (m: string, d?: unknown) => lines.push(`${m} ${JSON.stringify(d)}`);
    const { client, usage } = await setup({ logger: { debug: put, info: put, warn: put, error: put } });
    const streamed = await client.request([{ role: "user", content: "Hello" }], {
      model: HAIKU,
      stream: true,
    } as never);
    await expect.poll(() => usage.length).toBe(1);
    expect(usage[0]).toMatchObject({
      subject: expect.stringMatching(/^token:[0-9a-f]{16}$/),
      operation: expect.stringMatching(/^converse/),
      region: "us-east-1",
      modelId: HAIKU,
      status: 200,
      end: "complete",
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      usage: {
        inputTokens: streamed.usage!.inputTokens,
        outputTokens: streamed.usage!.outputTokens,
        totalTokens: streamed.usage!.totalTokens,
      },
    });
    expect(usage[0].ms).toBeGreaterThanOrEqual(0);
    expect(lines.at(-1)).toMatch(
      /-> 200 .*"subject":"token:[0-9a-f]{16}".*"inputTokens":\d+,"outputTokens":\d+/,
    );
    expect(lines.join("\n")).not.toContain(TOKEN);
  });

  it("the /converse JSON answer's usage is read as it passes", async () => {
    const { post, usage } = await setup({});
    const response = await post(body("What is 2+2?"));
    const answer = await response.json();
    await expect.poll(() => usage.length).toBe(1);
    expect(answer.usage.totalTokens).toBeGreaterThan(0);
    expect(usage[0]).toMatchObject({
      operation: "converse",
      usage: answer.usage,
      charged: answer.usage.totalTokens,
    });
  });
});

describe("the other operations", () => {
  const anthropic = (maxTokens: number) =>
    JSON.stringify({
      anthropic_version: "bedrock-2023-05-31",
      max_tokens: maxTokens,
      messages: [{ role: "user", content: "Hello there" }],
    });

  it("InvokeModel: a native max_tokens over the cap is clamped, and the usage is settled from the token-count headers", async () => {
    const { post, upstream, usage } = await setup({
      limits: { tokensPerDay: 100_000, maxTokensPerRequest: 50 },
    });
    const response = await post(anthropic(5000), path(HAIKU, "invoke"));
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    expect(JSON.parse(new TextDecoder().decode(upstream.seen[0].body)).max_tokens).toBe(50);
    await expect.poll(() => usage.length).toBe(1);
    const input = Number(response.headers.get("x-amzn-bedrock-input-token-count"));
    const output = Number(response.headers.get("x-amzn-bedrock-output-token-count"));
    expect(usage[0]).toMatchObject({ operation: "invoke", charged: input + output });
  });

  it("InvokeModelWithResponseStream: the usage is read from the last chunk's invocation metrics", async () => {
    const { post, usage } = await setup({ limits: { tokensPerDay: 100_000, maxTokensPerRequest: 50 } });
    const response = await post(anthropic(40), path(HAIKU, "invoke-with-response-stream"));
    expect(response.status).toBe(200);
    const bytes = new Uint8Array(await response.arrayBuffer());
    await expect.poll(() => usage.length).toBe(1);
    // The metrics the emulator put in the last chunk, found independently of the proxy's decoder.
    const text = new TextDecoder().decode(bytes);
    const chunks = [...text.matchAll(/"bytes":"([A-Za-z0-9+/=]+)"/g)].map((m) => atob(m[1]));
    const metrics = JSON.parse(chunks.find((c) => c.includes("invocationMetrics"))!)[
      "amazon-bedrock-invocationMetrics"
    ];
    expect(usage[0]).toMatchObject({
      operation: "invoke-with-response-stream",
      end: "complete",
      usage: { inputTokens: metrics.inputTokenCount, outputTokens: metrics.outputTokenCount },
      charged: metrics.inputTokenCount + metrics.outputTokenCount,
    });
  });

  it("CountTokens costs no tokens of the budget but counts as a request", async () => {
    const { post, usage } = await setup({ limits: { tokensPerDay: 10, requestsPerMinute: 2 } });
    const body = JSON.stringify({
      input: { converse: { messages: [{ role: "user", content: [{ text: "Hi" }] }] } },
    });
    expect((await post(body, path(HAIKU, "count-tokens"))).status).toBe(200);
    expect((await post(body, path(HAIKU, "count-tokens"))).status).toBe(200);
    const third = await post(body, path(HAIKU, "count-tokens"));
    expect(third.status).toBe(429);
    expect(third.headers.get("x-amzn-errortype")).toBe("ThrottlingException");
    await expect.poll(() => usage.length).toBe(2);
    expect(usage.map((u) => u.charged)).toEqual([0, 0]);
  });
});
