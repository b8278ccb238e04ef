import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { request, stream } from "../../src/client/create";
import { EVENT_STREAM } from "../helpers/server";
import { generatedStream } from "./generated";
import { resolvedFor } from "./helpers";

// Consuming a long stream holds memory flat: only the frame being decoded is buffered. The body is made on
// the fly (no buffer of it ever exists) and handed to the client by its fetch. Every 8 MB the generator
// collects garbage and samples heapUsed + arrayBuffers: what is retained, not what is waiting for the GC.

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const MB = 1024 * 1024;
const SIZE = 200 * MB;
const BOUND = 32 * MB;

const tick = () => new Promise((r) => setImmediate(r));
/** Retained bytes: two full collections with a turn between, so freed ArrayBuffer memory is given back. */
async function retained(): Promise<number> {
  gc();
  await tick();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

async function consume(via: "stream" | "request") {
  const baseline = await retained();
  let peak = baseline;
  let nextSample = 8 * MB;
  const generated = generatedStream(SIZE, {
    beforeChunk: async (produced) => {
      if (produced < nextSample) return;
      nextSample += 8 * MB;
      peak = Math.max(peak, await retained());
    },
  });
  const fetcher = (async () => new Response(generated.body, { headers: EVENT_STREAM })) as typeof fetch;
  const config = resolvedFor("http://127.0.0.1:9", {}, { fetch: fetcher });
  const messages = [{ role: "user" as const, content: "a very long answer" }];
  const seen = { texts: 0, textLength: 0, last: "", outputText: "" };
  const started = performance.now();
  if (via === "stream") {
    for await (const event of stream(config, messages)) {
      if (event.type === "text") {
        seen.texts++;
        seen.textLength += event.text.length;
      }
      seen.last = event.type;
    }
  } else {
    const result = await request(config, messages, {
      onMessageReceived: (m) => {
        seen.texts++;
        seen.textLength += m.text.length;
      },
    });
    seen.outputText = result.outputText;
    seen.last = result.stopReason;
  }
  const seconds = (performance.now() - started) / 1000;
  const growth = peak - baseline;
  console.log(
    `${via}(): ${(generated.produced / MB).toFixed(0)} MB, ${seen.texts} frames in ${seconds.toFixed(1)} s ` +
      `(${(generated.produced / MB / seconds).toFixed(0)} MB/s incl. sampling), retained growth ${(growth / MB).toFixed(1)} MB`,
  );
  return { generated, seen, growth };
}

describe(`a ${SIZE / MB} MB generated stream`, () => {
  it("through stream(): every event arrives, retained memory grows by less than 32 MB", async () => {
    const { generated, seen, growth } = await consume("stream");
    expect(generated.produced).toBeGreaterThanOrEqual(SIZE);
    expect(seen.texts).toBe(generated.deltas);
    expect(seen.textLength).toBe(generated.textLength);
    expect(seen.last).toBe("finish");
    expect(growth).toBeLessThan(BOUND);
  });

  it("through request() with callbacks: the same bound", async () => {
    const { generated, seen, growth } = await consume("request");
    expect(seen.outputText.length).toBe(generated.textLength);
    expect(seen.textLength).toBe(generated.textLength);
    expect(seen.last).toBe("end_turn");
    expect(growth).toBeLessThan(BOUND);
  });
});
