#!/usr/bin/env node
// Load test on loopback: many concurrent streams from bedrock-edge's client through the signing proxy to the
// emulator (each served by bedrock-edge/node's serve on 127.0.0.1), every stream checked event by event against
// a reference answer; a variant where a chosen subset of upstream streams fails mid-way; a flat-out throughput
// run; and a 200 MB generated stream for memory. Bounded in count and time; stops by itself.
//
//   npm run test:load            (build, then this with --full: 500+ streams, prints a table)
//   node scripts/load.mjs        (after a build: 100 streams)
//
// `runLoad` is also imported by test/reliability/load.test.ts, which passes the src modules instead of dist.

import { pathToFileURL } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describeLimitsLoad, runLimitsLoad } from "./load-limits.mjs";

const MB = 1024 * 1024;

/** Events reduced to what must match the reference exactly (finish/usage metrics are timing, not content). */
function signature(event) {
  switch (event.type) {
    case "text":
      return `text:${event.text}`;
    case "usage":
      return `usage:${JSON.stringify(event.usage)}`;
    case "finish":
      return `finish:${event.stopReason}:${JSON.stringify(event.message)}`;
    case "block-end":
      return `block-end:${JSON.stringify(event.block)}`;
    default:
      return event.type;
  }
}

function percentile(values, p) {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Samples process memory every 25 ms; `stop()` returns the peaks. */
function memorySampler() {
  const peak = { rss: 0, heap: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heap = Math.max(peak.heap, m.heapUsed + m.arrayBuffers);
  };
  sample();
  const timer = setInterval(sample, 25);
  return () => {
    clearInterval(timer);
    sample();
    return peak;
  };
}

const FAILURES = [
  // [emulator fault, what the caller must see]
  ["model-stream-error;after=6", "ModelStreamErrorException"],
  ["truncate;after=8", "EventStreamError"],
  ["reset;after=7", "NetworkError"],
];

/**
 * Runs `streams` concurrent client streams and checks each one. `failEvery: k` makes every k-th stream's
 * upstream fail mid-way (faults chosen by model id, so they pass through the proxy unchanged); exactly those
 * callers must get an error, with the events before it matching the reference, and all others complete.
 */
export async function runLoad(options) {
  const {
    lib,
    streams = 100,
    failEvery = 0,
    // Each stream lasts about 20 x paceMs: long enough that all are open at once while the rest start.
    paceMs = Math.max(10, streams),
    words = (i) => 20 + (i % 40),
    viaProxy = true,
    timeoutMs = 60_000,
  } = options;
  const { createBedrock, createEmulator, createProxy, serve } = lib;
  const emulator = await serve(createEmulator());
  const proxy = viaProxy
    ? await serve(
        createProxy({
          tokens: ["load-test-token"],
          upstreamKey: "emulator-key",
          upstream: emulator.url,
          defaultRegion: "us-east-1",
        }),
      )
    : undefined;
  const pace = paceMs > 0 ? `delay;ms=${paceMs}` : "";
  const models = { plain: { modelName: "us.anthropic.claude-3-5-sonnet-20240620-v1:0" } };
  if (pace) models.paced = { modelName: `fault.${pace}` };
  FAILURES.forEach(([fault], k) => {
    models[`fail${k}`] = { modelName: `fault.${[pace, fault].filter(Boolean).join(",")}` };
  });
  const client = createBedrock(
    {
      url: `${(proxy ?? emulator).url}/model/`,
      key: viaProxy ? "load-test-token" : "emulator-key",
      region: "us-east-1",
      modelIdPrefix: viaProxy ? "region" : "none",
      logLevel: "silent",
      maxRetries: 0,
      models,
    },
    { env: {} },
  );
  const prompt = (i) => [{ role: "user", content: `Write ${words(i)} words` }];
  const collect = async (i, model) => {
    const events = [];
    for await (const event of client.stream(prompt(i), { model })) events.push(event);
    return events.map(signature);
  };

  try {
    // References, one per distinct answer, fetched one at a time before the load.
    const references = new Map();
    for (let i = 0; i < streams; i++) {
      const n = words(i);
      if (!references.has(n)) references.set(n, await collect(i, "plain"));
    }
    const failing = new Set();
    if (failEvery > 0) for (let i = failEvery - 1; i < streams; i += failEvery) failing.add(i);

    // open: has its first event and is not finished (streams really concurrent); in flight: started, not finished.
    const state = { open: 0, peakOpen: 0, inFlight: 0, peakInFlight: 0, events: 0 };
    const firstEventMs = [];
    const problems = [];
    const outcomes = new Array(streams);
    const stopMemory = memorySampler();
    const started = performance.now();
    // One deadline per stream: the whole run is bounded, and no signal collects 500 listeners.
    const deadline = performance.now() + timeoutMs;

    const one = async (i) => {
      const expected = references.get(words(i));
      const failure = failing.has(i) ? FAILURES[Math.floor(i / failEvery) % FAILURES.length] : undefined;
      const model = failure ? `fail${FAILURES.indexOf(failure)}` : pace ? "paced" : "plain";
      const got = [];
      const t0 = performance.now();
      let opened = false;
      state.peakInFlight = Math.max(state.peakInFlight, ++state.inFlight);
      try {
        for await (const event of client.stream(prompt(i), {
          model,
          signal: AbortSignal.timeout(Math.max(1, Math.ceil(deadline - performance.now()))),
        })) {
          if (!opened) {
            opened = true;
            firstEventMs.push(performance.now() - t0);
            state.peakOpen = Math.max(state.peakOpen, ++state.open);
          }
          got.push(signature(event));
          state.events++;
        }
        outcomes[i] = { ok: true };
      } catch (error) {
        outcomes[i] = { ok: false, name: error?.name, partial: error?.partial };
      } finally {
        if (opened) state.open--;
        state.inFlight--;
      }
      const outcome = outcomes[i];
      // Whatever arrived must be the reference's events, in order, with nothing missing before the end.
      const prefixOk = got.every((s, k) => s === expected[k]);
      if (!prefixOk) problems.push(`stream ${i}: events differ from the reference`);
      if (failure) {
        if (outcome.ok)
          problems.push(`stream ${i}: upstream failed (${failure[0]}) but the caller saw success`);
        else if (outcome.name !== failure[1]) {
          problems.push(`stream ${i}: expected ${failure[1]}, got ${outcome.name}`);
        }
        if (!outcome.ok && got.length >= expected.length)
          problems.push(`stream ${i}: failed yet got every event`);
      } else {
        if (!outcome.ok) problems.push(`stream ${i}: failed with ${outcome.name}`);
        else if (got.length !== expected.length)
          problems.push(`stream ${i}: ${got.length} of ${expected.length} events`);
      }
    };
    await Promise.all(Array.from({ length: streams }, (_, i) => one(i)));
    const wallMs = performance.now() - started;
    const peak = stopMemory();
    const failed = outcomes.flatMap((o, i) => (o.ok ? [] : [i]));
    return {
      streams,
      viaProxy,
      paceMs,
      completed: streams - failed.length,
      failed,
      failing: [...failing],
      problems,
      events: state.events,
      wallMs,
      eventsPerSecond: state.events / (wallMs / 1000),
      streamsPerSecond: streams / (wallMs / 1000),
      peakOpen: state.peakOpen,
      peakInFlight: state.peakInFlight,
      firstEventP50: percentile(firstEventMs, 50),
      firstEventP95: percentile(firstEventMs, 95),
      peakRss: peak.rss,
      peakHeap: peak.heap,
    };
  } finally {
    await proxy?.close();
    await emulator.close();
  }
}

/** A ConverseStream body of `totalBytes` made on the fly (padding-heavy deltas, chunks not aligned to frames). */
async function generatedBody(totalBytes, beforeChunk) {
  const { EventStreamCodec } = await import("@smithy/eventstream-codec");
  const { fromUtf8, toUtf8 } = await import("@smithy/util-utf8");
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  const s = (value) => ({ type: "string", value });
  const frame = (type, payload) =>
    codec.encode({
      headers: {
        ":event-type": s(type),
        ":content-type": s("application/json"),
        ":message-type": s("event"),
      },
      body: fromUtf8(JSON.stringify(payload)),
    });
  const deltas = [100, 7_000, 64_000, 200_000].map((n, i) =>
    frame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: `w${i} ` }, p: "x".repeat(n) }),
  );
  const tail = [
    frame("contentBlockStop", { contentBlockIndex: 0 }),
    frame("messageStop", { stopReason: "end_turn" }),
    frame("metadata", {
      usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 },
      metrics: { latencyMs: 1 },
    }),
  ];
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const queue = [frame("messageStart", { role: "assistant" })];
  let produced = 0;
  let current = queue.shift();
  let at = 0;
  let ended = false;
  const next = () => {
    if (queue.length) return queue.shift();
    if (ended) return undefined;
    if (produced >= totalBytes) {
      ended = true;
      queue.push(...tail.slice(1));
      return tail[0];
    }
    return deltas[Math.floor(random() * deltas.length)];
  };
  const body = new ReadableStream(
    {
      async pull(controller) {
        await beforeChunk(produced);
        const size = 1024 + Math.floor(random() * 127 * 1024);
        const chunk = new Uint8Array(size);
        let filled = 0;
        while (filled < size && current) {
          const take = Math.min(size - filled, current.length - at);
          chunk.set(current.subarray(at, at + take), filled);
          filled += take;
          at += take;
          if (at === current.length) {
            current = next();
            at = 0;
          }
        }
        produced += filled;
        if (filled) controller.enqueue(chunk.subarray(0, filled));
        if (!current) controller.close();
      },
    },
    { highWaterMark: 0 },
  );
  return { body, produced: () => produced };
}

/** Streams `totalBytes` through the client; reports time and the retained-memory peak (sampled after a GC). */
export async function runMemory({ lib, totalBytes = 200 * MB }) {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc");
  // Two collections with a turn between, so freed ArrayBuffer memory is given back before measuring.
  const retained = async () => {
    gc();
    await new Promise((r) => setImmediate(r));
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const baseline = await retained();
  let peak = baseline;
  let next = 8 * MB;
  const { body, produced } = await generatedBody(totalBytes, async (bytes) => {
    if (bytes < next) return;
    next += 8 * MB;
    peak = Math.max(peak, await retained());
  });
  const fetcher = async () =>
    new Response(body, { headers: { "content-type": "application/vnd.amazon.eventstream" } });
  const client = lib.createBedrock(
    { key: "k", url: "http://127.0.0.1:9/model/", region: "us-east-1", models: { m: { modelName: "a.b" } } },
    { env: {}, fetch: fetcher },
  );
  let frames = 0;
  const started = performance.now();
  for await (const event of client.stream([{ role: "user", content: "x" }]))
    if (event.type === "text") frames++;
  const seconds = (performance.now() - started) / 1000;
  return { bytes: produced(), frames, seconds, growth: peak - baseline };
}

const fmt = (n, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

function row(label, r) {
  return [
    label,
    fmt(r.streams),
    r.viaProxy ? "proxy" : "direct",
    `${r.completed}/${r.failed.length}`,
    `${fmt(r.peakInFlight)} / ${fmt(r.peakOpen)}`,
    fmt(r.events),
    fmt(r.wallMs / 1000, 2),
    fmt(r.eventsPerSecond),
    fmt(r.streamsPerSecond),
    `${fmt(r.firstEventP50)} / ${fmt(r.firstEventP95)}`,
    fmt(r.peakRss / MB),
    fmt(r.peakHeap / MB),
    r.problems.length ? `${r.problems.length} PROBLEMS` : "ok",
  ];
}

async function main() {
  const full = process.argv.includes("--full");
  const n = full ? 500 : 100;
  const [index, emulatorLib, proxyLib, nodeLib] = await Promise.all([
    import("../dist/index.js"),
    import("../dist/emulator.js"),
    import("../dist/proxy.js"),
    import("../dist/node.js"),
  ]);
  const lib = { ...index, ...emulatorLib, ...proxyLib, ...nodeLib };
  // Memory first, on a quiet heap.
  const memory = await runMemory({ lib, totalBytes: full ? 200 * MB : 50 * MB });
  const runs = [
    [`${n} paced streams`, await runLoad({ lib, streams: n })],
    [`${n} paced, every 5th fails`, await runLoad({ lib, streams: n, failEvery: 5 })],
    [`${n} flat out, 200 words`, await runLoad({ lib, streams: n, paceMs: 0, words: () => 200 })],
    [
      `${n} flat out, direct`,
      await runLoad({ lib, streams: n, paceMs: 0, words: () => 200, viaProxy: false }),
    ],
  ];
  const head = [
    "run",
    "streams",
    "path",
    "ok/failed",
    "peak in flight / open",
    "events",
    "wall s",
    "events/s",
    "streams/s",
    "1st event p50/p95 ms",
    "peak RSS MB",
    "peak heap+AB MB",
    "check",
  ];
  const table = [head, ...runs.map(([label, r]) => row(label, r))];
  const widths = head.map((_, c) => Math.max(...table.map((r) => String(r[c]).length)));
  const line = (r) => `| ${r.map((cell, c) => String(cell).padEnd(widths[c])).join(" | ")} |`;
  console.log(line(head));
  console.log(`| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`);
  for (const r of table.slice(1)) console.log(line(r));
  console.log(
    `\n${fmt(memory.bytes / MB)} MB generated stream: ${fmt(memory.frames)} frames in ${fmt(memory.seconds, 2)} s ` +
      `(${fmt(memory.bytes / MB / memory.seconds)} MB/s incl. sampling); retained memory growth ${fmt(memory.growth / MB, 1)} MB (after GC)`,
  );
  console.log(`node ${process.version}, ${(await import("node:os")).cpus().length} CPUs`);
  // Issue 18: limits per caller, three proxy processes sharing Redis (scripts/load-limits.mjs).
  const limits = await runLimitsLoad({ lib, streams: full ? 300 : 60, callers: full ? 30 : 6 });
  console.log(`\n${describeLimitsLoad(limits)}`);
  const problems = runs.flatMap(([label, r]) => r.problems.map((p) => `${label}: ${p}`));
  problems.push(...limits.problems.map((p) => `limits: ${p}`));
  const wrongFailures = runs.filter(([, r]) => r.failed.join() !== r.failing.join());
  if (problems.length || wrongFailures.length) {
    console.error(problems.slice(0, 20).join("\n"));
    for (const [label, r] of wrongFailures)
      console.error(`${label}: failed ${r.failed} but expected ${r.failing}`);
    process.exitCode = 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const watchdog = setTimeout(() => {
    console.error("load test: gave up after 5 minutes");
    process.exit(2);
  }, 300_000);
  watchdog.unref();
  await main();
}
