import { join } from "node:path";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBedrock } from "../../src/client/create";
import { createSessionToken } from "../../src/proxy";
import { workerBundle } from "../helpers/worker-bundle";
import { HAIKU, startUpstream, TOKEN, type Upstream, weatherThrough } from "./setup";

// examples/proxy-worker under workerd (Miniflare): the Worker's outbound fetches are handed to a Node
// function, which records the URL the Worker chose (it must be AWS's) and forwards the call to the emulator.

const ROOT = join(import.meta.dirname, "..", "..");
const AKID = "AKIDWORKERPROXY00001";
const SESSION_SECRET = "worker-session-secret-0123456789abcdef0123";
let mf: Miniflare;
let upstream: Upstream;
let workerUrl: string;
const outbound: string[] = [];

beforeAll(async () => {
  upstream = await startUpstream({ accessKeyIds: [AKID] });
  const bundle = await workerBundle(join(ROOT, "examples/proxy-worker/src/index.ts"), {
    alias: { "bedrock-edge/proxy": join(ROOT, "src/proxy/index.ts") },
  });
  mf = new Miniflare({
    modules: true,
    compatibilityDate: "2026-07-30",
    script: bundle,
    // As wrangler.toml binds it: one Durable Object per caller holds that caller's budgets.
    durableObjects: { BUDGETS: { className: "ProxyBudget", useSQLite: true } },
    bindings: {
      BEDROCK_EDGE_PROXY_TOKENS: TOKEN,
      BEDROCK_EDGE_PROXY_SESSION_SECRET: SESSION_SECRET,
      BEDROCK_EDGE_PROXY_REQUESTS_PER_MINUTE: "50",
      BEDROCK_EDGE_PROXY_TOKENS_PER_DAY: "900",
      BEDROCK_EDGE_PROXY_MAX_TOKENS_PER_REQUEST: "300",
      ANONYMOUS_SESSION_SECONDS: "600",
      AWS_ACCESS_KEY_ID: AKID,
      AWS_SECRET_ACCESS_KEY: "worker-secret-access-key",
      AWS_REGION: "us-east-1",
      BEDROCK_EDGE_PROXY_ORIGINS: "https://app.example.com",
    },
    outboundService: async (request) => {
      outbound.push(request.url);
      const target = new URL(request.url);
      const headers = new Headers(request.headers as unknown as Headers);
      // fetch sets both from the URL and the body; undici refuses a content-length it did not compute.
      headers.delete("content-length");
      headers.delete("host");
      const response = await fetch(`${upstream.url}${target.pathname}`, {
        method: request.method,
        headers,
        body: await request.arrayBuffer(),
      });
      return response as any;
    },
  });
  workerUrl = (await mf.ready).toString().replace(/\/$/, "");
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
  await upstream?.close();
});

describe("examples/proxy-worker under workerd", () => {
  it("streams a text answer and a tool call through the Worker, signed with its secrets, to AWS's host", async () => {
    const client = createBedrock(
      { url: `${workerUrl}/model/`, key: TOKEN, region: "us-west-2" },
      { env: {} },
    );
    const events = await weatherThrough(workerUrl, "Paris", "us-west-2");
    expect(events.find((e) => e.type === "tool-call")).toMatchObject({ name: "get_weather" });
    expect(events.at(-1)).toMatchObject({ type: "finish", stopReason: "tool_use" });

    const text = await client.request([{ role: "user", content: "Hello from a Worker" }], { model: HAIKU });
    expect(text.outputText.length).toBeGreaterThan(0);

    expect(outbound.at(-1)).toBe(
      "https://bedrock-runtime.us-west-2.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream",
    );
    const seen = upstream.seen.at(-1)!;
    expect(seen.headers.get("authorization")).toMatch(
      new RegExp(
        `^AWS4-HMAC-SHA256 Credential=${AKID}/\\d{8}/us-west-2/bedrock/aws4_request, SignedHeaders=`,
      ),
    );
  });

  it("answers CORS preflights and refuses a wrong token", async () => {
    const preflight = await fetch(`${workerUrl}/model/us-east-1.${HAIKU}/converse-stream`, {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example.com",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    const denied = await fetch(`${workerUrl}/model/us-east-1.${HAIKU}/converse`, {
      method: "POST",
      headers: { authorization: "Bearer wrong" },
      body: "{}",
    });
    expect(denied.status).toBe(401);
    expect(denied.headers.get("x-amzn-errortype")).toBe("UnauthorizedException");
  });

  it("session tokens with budgets kept in the Durable Object: spent is 429 ServiceQuotaExceededException", async () => {
    const token = await createSessionToken({ secret: SESSION_SECRET, subject: "worker-user-1" });
    const client = createBedrock(
      { url: `${workerUrl}/model/`, key: token, region: "us-east-1" },
      { env: {} },
    );
    const statuses: string[] = [];
    let used = 0;
    for (let i = 0; i < 20; i++) {
      try {
        const r = await client.request([{ role: "user", content: "Hello from a session" }], { model: HAIKU });
        used += r.usage!.totalTokens;
        statuses.push("ok");
      } catch (error) {
        statuses.push((error as Error).name);
        // (A call right after another may find the budget still held by its reservation, settled a moment
        // after the answer's last byte: that is a ThrottlingException, which the client retries.)
        if ((error as Error).name !== "ServiceQuotaExceededException") continue;
        expect(error).toMatchObject({ status: 429, retryable: false });
        expect((error as { hint: string }).hint).toMatch(/^not retried until \d{4}-\d\d-\d\dT00:00:00Z$/);
        break;
      }
    }
    // 900 tokens a day, each call reserving ~380 and using ~30: the budget runs out, and what was admitted
    // never went over it.
    expect(statuses).toContain("ok");
    expect(statuses.at(-1)).toBe("ServiceQuotaExceededException");
    expect(used).toBeLessThanOrEqual(900);

    // Another caller has a budget of its own.
    const other = await createSessionToken({ secret: SESSION_SECRET, subject: "worker-user-2" });
    const response = await fetch(`${workerUrl}/model/us-east-1.${HAIKU}/converse`, {
      method: "POST",
      headers: { authorization: `Bearer ${other}`, "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: [{ text: "Hi" }] }] }),
    });
    expect(response.status).toBe(200);
  });

  it("POST /session mints an anonymous visitor's token, which the proxy accepts", async () => {
    const minted = await fetch(`${workerUrl}/session`, {
      method: "POST",
      headers: { origin: "https://app.example.com", "cf-connecting-ip": "203.0.113.9" },
    });
    expect(minted.status).toBe(200);
    expect(minted.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    const { token, expiresInSeconds } = (await minted.json()) as { token: string; expiresInSeconds: number };
    expect(expiresInSeconds).toBe(600);
    const answer = await createBedrock(
      { url: `${workerUrl}/model/`, key: token, region: "us-east-1" },
      { env: {} },
    ).request([{ role: "user", content: "Hi" }], { model: HAIKU });
    expect(answer.outputText.length).toBeGreaterThan(0);
  });
});
