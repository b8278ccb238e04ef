#!/usr/bin/env node
// workerd (through miniflare 4): the shared cases inside a Worker, then examples/worker and
// examples/proxy-worker as they would be deployed, each served by workerd on loopback. Their calls to
// https://bedrock-runtime.{region}.amazonaws.com are routed to a loopback emulator by miniflare's
// outboundService, so the Workers run unchanged.
import { join } from "node:path";
import { createBedrock } from "bedrock-edge";
import { createEmulator } from "bedrock-edge/emulator";
import { serve } from "bedrock-edge/node";
import { Miniflare, fetch as mfFetch } from "miniflare";
import { bundle } from "../bundle.mjs";
import { API_KEY, emulatorOptions } from "../cases/fixtures.js";
import { assert, assertEqual, reporter } from "../report.mjs";

const HERE = import.meta.dirname;
const ROOT = join(HERE, "..", "..", "..");
const COMPATIBILITY_DATE = "2026-07-30";
const AWS_HOST = /^bedrock-runtime\.([a-z0-9-]+)\.amazonaws\.com$/;

const report = reporter("workerd: shared cases in a Worker, examples/worker (SSE and RAG), examples/proxy-worker");
const emulator = await serve(createEmulator(emulatorOptions()));
const outbound = [];
let injectFault;

/** miniflare's outboundService: AWS calls go to the emulator; anything else is refused. */
async function toEmulator(request) {
  const url = new URL(request.url);
  const region = AWS_HOST.exec(url.hostname)?.[1];
  outbound.push({ url: request.url, region, authorization: request.headers.get("authorization") ?? "" });
  if (!region || url.protocol !== "https:") return new Response("unexpected outbound host", { status: 599 });
  const headers = new Headers(request.headers);
  if (injectFault) headers.set("x-bedrock-edge-fault", injectFault);
  return mfFetch(`${emulator.url}${url.pathname}${url.search}`, {
    method: request.method,
    headers,
    body: request.method === "GET" ? undefined : await request.arrayBuffer(),
  });
}

/** Serves a bundled Worker on loopback; `interceptAws` routes its AWS calls to the emulator. */
async function startWorker(entry, bindings, { interceptAws = true } = {}) {
  const { code } = await bundle(entry, "worker");
  const mf = new Miniflare({
    modules: true,
    script: code,
    compatibilityDate: COMPATIBILITY_DATE,
    bindings,
    // Without interception workerd uses its own network stack (the cases reach the emulator on loopback).
    ...(interceptAws && { outboundService: toEmulator }),
    host: "127.0.0.1",
    port: 0,
  });
  const url = await mf.ready;
  return { mf, url: url.origin };
}

function parseSse(text) {
  return text
    .split("\n\n")
    .filter((block) => block.trim())
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      return { event, data: data === undefined ? undefined : JSON.parse(data) };
    });
}

const workers = [];
try {
  // 1. The shared cases, bundled with the built package, run inside workerd against the loopback emulator.
  const cases = await startWorker(join(HERE, "worker.ts"), { EMULATOR_URL: emulator.url }, { interceptAws: false });
  workers.push(cases.mf);
  const response = await fetch(cases.url);
  const { results } = await response.json();
  for (const r of results) report.record(`[case] ${r.name}`, r.ok, r.ms, r.error);

  // 2. examples/worker: SSE from a Worker whose key comes from its env binding.
  const sseWorker = await startWorker(join(ROOT, "examples", "worker", "src", "index.ts"), {
    BEDROCK_API_KEY: API_KEY,
    AWS_REGION: "eu-west-1",
    BEDROCK_MODEL: "anthropic.claude-3-haiku-20240307-v1:0",
  });
  workers.push(sseWorker.mf);

  await report.check("[examples/worker] streams the answer as Server-Sent Events", async () => {
    outbound.length = 0;
    const res = await fetch(`${sseWorker.url}/?prompt=${encodeURIComponent("Why is the sky blue?")}`);
    assertEqual(res.status, 200, "status");
    assert(res.headers.get("content-type")?.startsWith("text/event-stream"), "content-type is text/event-stream");
    const events = parseSse(await res.text());
    const text = events.filter((e) => e.event === "text").map((e) => e.data.text);
    assert(text.length > 1, `several text events (got ${text.length})`);
    assert(text.join("").includes("Why is the sky blue?"), `the emulator's answer: ${text.join("")}`);
    const done = events.at(-1);
    assertEqual(done.event, "done", "last event");
    assertEqual(done.data.stopReason, "end_turn", "stopReason");
    assert(done.data.usage.outputTokens > 0, "usage");
    // The Worker called AWS's real endpoint for its region, with the key from env as a bearer token.
    assertEqual(outbound.length, 1, "one upstream call");
    assertEqual(
      outbound[0].url,
      "https://bedrock-runtime.eu-west-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream",
      "upstream URL",
    );
    assertEqual(outbound[0].authorization, `Bearer ${API_KEY}`, "upstream Authorization");
  });

  await report.check("[examples/worker] a POST body prompt works; a missing prompt is a 400", async () => {
    const res = await fetch(sseWorker.url, { method: "POST", body: JSON.stringify({ prompt: "Say hi" }) });
    const events = parseSse(await res.text());
    assert(events.some((e) => e.event === "text"), "text events");
    const bad = await fetch(sseWorker.url);
    assertEqual(bad.status, 400, "status without a prompt");
  });

  await report.check("[examples/worker] an error before the answer keeps its HTTP status; mid-stream it is an error event", async () => {
    injectFault = "throttle";
    const throttled = await fetch(`${sseWorker.url}/?prompt=hi`);
    injectFault = undefined;
    assertEqual(throttled.status, 429, "status");
    assertEqual((await throttled.json()).name, "ThrottlingException", "error name");
    injectFault = "model-stream-error;after=3";
    const res = await fetch(`${sseWorker.url}/?prompt=${encodeURIComponent("Tell me a story")}`);
    injectFault = undefined;
    assertEqual(res.status, 200, "status once streaming");
    const events = parseSse(await res.text());
    assert(events.some((e) => e.event === "text"), "text before the failure");
    const last = events.at(-1);
    assertEqual(last.event, "error", "last event");
    assertEqual(last.data.name, "ModelStreamErrorException", "error name");
  });

  // 2b. examples/worker/src/rag.ts: embeddings and retrieval, then an answer from the closest documents.
  const ragWorker = await startWorker(join(ROOT, "examples", "worker", "src", "rag.ts"), {
    BEDROCK_API_KEY: API_KEY,
    AWS_REGION: "us-east-1",
  });
  workers.push(ragWorker.mf);

  await report.check("[examples/worker rag] retrieves the closest documents, then answers from them", async () => {
    outbound.length = 0;
    const res = await fetch(`${ragWorker.url}/?q=${encodeURIComponent("How long do cats sleep each day?")}`);
    assertEqual(res.status, 200, "status");
    const body = await res.json();
    assertEqual(body.sources[0].title, "Cats", "the closest document");
    assert(body.answer.length > 0, "an answer");
    const paths = outbound.map((o) => new URL(o.url).pathname);
    assertEqual(paths.filter((p) => p.endsWith("/invoke")).length, 6, "five documents and one question embedded");
    assert(paths.at(-1).endsWith("/converse-stream"), "then one Converse call");
    const again = await (await fetch(`${ragWorker.url}/?q=${encodeURIComponent("When is an invoice due?")}`)).json();
    assertEqual(again.sources[0].title, "Invoices", "another question, another document");
  });

  // 3. examples/proxy-worker: the signing CORS proxy as deployed; the core client talks to it unchanged.
  const PROXY_TOKEN = "proxy-caller-token-2f6d0c9a41b8e7d3";
  const proxy = await startWorker(join(ROOT, "examples", "proxy-worker", "src", "index.ts"), {
    BEDROCK_EDGE_PROXY_TOKENS: PROXY_TOKEN,
    AWS_ACCESS_KEY_ID: "AKIDEXAMPLERUNTIMES",
    AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    AWS_REGION: "us-east-1",
    BEDROCK_EDGE_PROXY_ORIGINS: "https://app.example.com",
  });
  workers.push(proxy.mf);
  const viaProxy = createBedrock(
    { url: `${proxy.url}/model/`, key: PROXY_TOKEN, region: "us-west-2" },
    { env: {} },
  );

  await report.check("[examples/proxy-worker] streams text and a tool call to the core client, SigV4-signed upstream", async () => {
    outbound.length = 0;
    const texts = [];
    const result = await viaProxy.request([{ role: "user", content: "What is the weather in Paris?" }], {
      model: "anthropic.claude-3-haiku-20240307-v1:0",
      tools: [{ name: "get_weather", description: "Current weather for a city", inputSchema: { type: "object", properties: { city: { type: "string" } } } }],
      onMessageReceived: (m) => texts.push(m.text),
    });
    assertEqual(result.stopReason, "tool_use", "stopReason");
    assertEqual(result.toolsToCall.map((c) => [c.name, c.arguments]), [["get_weather", { city: "Paris" }]], "tool call");
    assertEqual(texts.join(""), result.outputText, "streamed text");
    assertEqual(outbound.length, 1, "one upstream call");
    assertEqual(outbound[0].region, "us-west-2", "the region from the client's path");
    assert(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLERUNTIMES\/\d{8}\/us-west-2\/bedrock\/aws4_request, ?SignedHeaders=[a-z0-9;-]+, ?Signature=[0-9a-f]{64}$/.test(
        outbound[0].authorization,
      ),
      `a SigV4 Authorization upstream, got ${outbound[0].authorization.slice(0, 40)}...`,
    );
  });

  await report.check("[examples/proxy-worker] a wrong caller token is 401; CORS preflight for an allowed origin", async () => {
    const bad = createBedrock({ url: `${proxy.url}/model/`, key: "not-the-token", region: "us-east-1" }, { env: {} });
    const error = await bad.request([{ role: "user", content: "hi" }], { model: "amazon.nova-lite-v1:0" }).catch((e) => e);
    assertEqual(error.status, 401, "status");
    assert(!String(error.message).includes(PROXY_TOKEN), "no token in the message");
    const preflight = await fetch(`${proxy.url}/model/us-east-1.amazon.nova-lite-v1:0/converse-stream`, {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example.com",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    assert(preflight.status === 204 || preflight.status === 200, `preflight status ${preflight.status}`);
    assertEqual(preflight.headers.get("access-control-allow-origin"), "https://app.example.com", "allow-origin");
    const other = await fetch(`${proxy.url}/model/us-east-1.amazon.nova-lite-v1:0/converse-stream`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    assertEqual(other.headers.get("access-control-allow-origin"), null, "no allow-origin for another origin");
  });
} catch (error) {
  report.record("workerd could not start", false, 0, error?.stack ?? error);
} finally {
  for (const mf of workers) await mf.dispose().catch(() => {});
  await emulator.close();
}
process.exitCode = report.finish();
