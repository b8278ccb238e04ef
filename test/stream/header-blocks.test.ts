import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { EventStreamDecoder, MAX_CACHED_HEADER_BYTES } from "../../src/stream/decode";
import { frame } from "../helpers/frames";

// Issue 14, item 7: a frame whose bulk is in its header block must cost about what the same bytes cost in a
// payload. The decoder caches small header blocks (Bedrock repeats a handful) with a precomputed share of the
// CRC; that work is 33 CRC passes over the block, and each cached block was copied and kept: 20 frames of
// 16 MB headers took 1 GB and 17 s of CPU. Large blocks are now parsed once and never kept.

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const FRAMES = 6;
const HEADER_VALUE = 30_000;
const HEADERS_PER_FRAME = 80; // ~2.4 MB of header block per frame

function headerHeavy(n: number): Uint8Array {
  const headers: Record<string, string> = { ":message-type": "event", ":event-type": "contentBlockDelta" };
  for (let h = 0; h < HEADERS_PER_FRAME; h++)
    headers[`x-big-${h}`] = String.fromCharCode(97 + ((n + h) % 26)).repeat(HEADER_VALUE);
  return frame(headers, "{}");
}

function payloadHeavy(): Uint8Array {
  return frame(
    { ":message-type": "event", ":event-type": "contentBlockDelta" },
    new Uint8Array(HEADER_VALUE * HEADERS_PER_FRAME).fill(120),
  );
}

function decodeAll(frames: Uint8Array[]) {
  const decoder = new EventStreamDecoder();
  const started = performance.now();
  let count = 0;
  for (const frame of frames) count += decoder.feed(frame).length;
  return { ms: performance.now() - started, count, decoder };
}

describe("header blocks", () => {
  it("a frame with its bulk in the header block costs about what a payload does, and is not kept", () => {
    const heavy = Array.from({ length: FRAMES }, (_, n) => headerHeavy(n));
    const plain = Array.from({ length: FRAMES }, () => payloadHeavy());
    expect(heavy[0].length).toBeGreaterThan(2_000_000);
    decodeAll(plain.slice(0, 1)); // warm-up
    decodeAll(heavy.slice(0, 1));
    const payload = decodeAll(plain);
    gc();
    const before = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const header = decodeAll(heavy);
    gc();
    const retained = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers - before;
    expect(header.count).toBe(FRAMES);
    // Both are one CRC pass plus a parse of the headers; 33 passes per block made it ~30x.
    expect(header.ms).toBeLessThan(Math.max(4 * payload.ms, 150));
    // The decoder (still alive) holds none of the 14 MB of header blocks it saw.
    expect(retained).toBeLessThan(4_000_000);
    expect(header.decoder.offset).toBe(heavy.reduce((n, f) => n + f.length, 0));
  });

  it("small header blocks are still recognised when repeated, and their headers parsed right", () => {
    const small = frame(
      {
        ":message-type": "event",
        ":event-type": "messageStart",
        "x-pad": "p".repeat(MAX_CACHED_HEADER_BYTES - 100),
      },
      '{"role":"assistant"}',
    );
    const decoder = new EventStreamDecoder();
    const out = decoder.feed(new Uint8Array([...small, ...small, ...small]));
    expect(out).toHaveLength(3);
    expect(out[2].headers[":event-type"].value).toBe("messageStart");
    expect(out[2].headers).toBe(out[0].headers); // the same parsed (frozen) headers: found in the cache
  });
});
