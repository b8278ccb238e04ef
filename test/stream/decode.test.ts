import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EventStreamError } from "../../src/errors";
import { crc32 } from "../../src/stream/crc32";
import { EventStreamDecoder, type EventStreamMessage } from "../../src/stream/decode";
import { EventStreamDecoderStream } from "../../src/stream/web-streams";
import { captures, FIXTURES, prng, randomCuts, splitAt } from "../helpers/fixtures";
import { BYTE_STEP } from "../helpers/mutation";

const text = new TextDecoder();

function decodeAll(chunks: Uint8Array[]): EventStreamMessage[] {
  const decoder = new EventStreamDecoder();
  const out: EventStreamMessage[] = [];
  for (const c of chunks) decoder.feed(c, out);
  decoder.end();
  return out;
}

function summary(messages: EventStreamMessage[]) {
  return messages.map((m) => ({
    offset: m.offset,
    headers: Object.entries(m.headers).map(([name, h]) => [name, h.value]),
    payload: text.decode(m.body),
  }));
}

describe("AWS event-stream vectors", () => {
  const dir = join(FIXTURES, "eventstream-vectors");
  for (const name of readdirSync(join(dir, "encoded/positive"))) {
    it(`decodes positive vector ${name}`, () => {
      const bytes = new Uint8Array(readFileSync(join(dir, "encoded/positive", name)));
      const expected = JSON.parse(readFileSync(join(dir, "decoded/positive", name), "utf8"));
      const [message] = decodeAll([bytes]);
      expect(Buffer.from(message.body).toString("base64")).toBe(expected.payload);
      const names = Object.keys(message.headers);
      expect(names).toEqual(expected.headers.map((h: any) => h.name));
      for (const h of expected.headers) {
        const got = message.headers[h.name];
        if (h.type === 7) expect(got.value).toBe(Buffer.from(h.value, "base64").toString("utf8"));
        else if (h.type === 6 || h.type === 9) {
          const bytesValue =
            h.type === 9
              ? Buffer.from((got.value as string).replace(/-/g, ""), "hex")
              : Buffer.from(got.value as Uint8Array);
          expect(bytesValue.toString("base64")).toBe(h.value);
        } else if (h.type === 8) expect((got.value as Date).getTime()).toBe(h.value);
        else if (h.type === 5) expect(Number((got.value as any).valueOf())).toBe(h.value);
        else expect(got.value).toBe(h.value);
      }
    });
  }
  for (const name of readdirSync(join(dir, "encoded/negative"))) {
    it(`rejects negative vector ${name} with the right checksum error`, () => {
      const bytes = new Uint8Array(readFileSync(join(dir, "encoded/negative", name)));
      const expected = readFileSync(join(dir, "decoded/negative", name), "utf8");
      const kind = expected.includes("Prelude") ? "Prelude CRC mismatch" : "Message CRC mismatch";
      expect(() => decodeAll([bytes])).toThrow(kind);
      try {
        decodeAll([bytes]);
      } catch (error) {
        expect(error).toBeInstanceOf(EventStreamError);
        expect((error as EventStreamError).offset).toBe(0);
      }
    });
  }
});

describe("recorded Bedrock captures", () => {
  for (const cap of captures()) {
    const expected = cap.frames.map((f) => ({
      offset: f.offset,
      headers: f.headers.map((h) => [h.name, h.value]),
      payload: f.payload,
    }));
    it(`${cap.name}: whole body gives the recorded frames`, () => {
      expect(summary(decodeAll([cap.bytes]))).toEqual(expected);
    });
    it(`${cap.name}: split at every byte boundary gives the same frames`, () => {
      const want = JSON.stringify(expected);
      let mismatches = 0;
      for (let k = 1; k < cap.bytes.length; k += BYTE_STEP) {
        const got = JSON.stringify(summary(decodeAll([cap.bytes.subarray(0, k), cap.bytes.subarray(k)])));
        if (got !== want) mismatches++;
      }
      expect(mismatches).toBe(0);
    });
    it(`${cap.name}: one byte per chunk and random chunkings give the same frames`, () => {
      const ones = Array.from({ length: cap.bytes.length - 1 }, (_, i) => i + 1);
      expect(summary(decodeAll(splitAt(cap.bytes, ones)))).toEqual(expected);
      const random = prng(cap.bytes.length);
      for (let r = 0; r < 50; r++) {
        const cuts = randomCuts(cap.bytes.length, random, 1 + Math.floor(random() * 40));
        expect(summary(decodeAll(splitAt(cap.bytes, cuts)))).toEqual(expected);
      }
    });
  }
});

function frameHeader(total: number, headersLength: number): Uint8Array {
  const b = new Uint8Array(12);
  const v = new DataView(b.buffer);
  v.setUint32(0, total);
  v.setUint32(4, headersLength);
  v.setUint32(8, crc32(b, 0, 8));
  return b;
}

describe("framing errors", () => {
  const good = captures()[0].bytes;

  it("rejects a declared frame length over the limit from the prelude alone, before buffering", () => {
    const decoder = new EventStreamDecoder({ maxFrameBytes: 1024 });
    expect(() => decoder.feed(frameHeader(2048, 0))).toThrow(
      /Frame length 2048 exceeds the 1024-byte limit at byte 0/,
    );
    const big = new EventStreamDecoder();
    expect(() => big.feed(frameHeader(17 * 1024 * 1024, 0))).toThrow(/exceeds the 16777216-byte limit/);
  });

  it("rejects a frame under 16 bytes and headers longer than the frame", () => {
    expect(() => new EventStreamDecoder().feed(frameHeader(15, 0))).toThrow(/below the 16-byte minimum/);
    expect(() => new EventStreamDecoder().feed(frameHeader(40, 30))).toThrow(
      /Headers length 30 does not fit/,
    );
  });

  it("names the offset of a corrupted frame after good ones", () => {
    const second = new DataView(good.buffer, good.byteOffset).getUint32(0);
    const bad = good.slice();
    bad[second + 20] ^= 0xff;
    try {
      decodeAll([bad]);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toContain(`at byte ${second}`);
    }
  });

  it("reports a body cut inside a frame at end of stream", () => {
    const decoder = new EventStreamDecoder();
    const cut = good.subarray(0, good.length - 5);
    decoder.feed(cut);
    expect(() => decoder.end()).toThrow(/truncated/);
    const inPrelude = new EventStreamDecoder();
    inPrelude.feed(good.subarray(0, 7));
    expect(() => inPrelude.end()).toThrow(/inside a frame prelude \(7 bytes received\)/);
  });

  it("rejects trailing garbage that is not a frame", () => {
    const withJunk = new Uint8Array([...good, ...new TextEncoder().encode("<html>oops</html>")]);
    expect(() => decodeAll([withJunk])).toThrow(EventStreamError);
  });

  it("an empty body decodes to no frames", () => {
    expect(decodeAll([])).toEqual([]);
  });
});

describe("EventStreamDecoderStream", () => {
  it("works alone with pipeThrough and emits each frame when its last byte arrives", async () => {
    const cap = captures().find((c) => c.name === "test_bedrock_model_stream")!;
    const firstEnd = cap.frames[0].total_length;
    const stream = new EventStreamDecoderStream();
    const writer = stream.writable.getWriter();
    const reader = stream.readable.getReader();
    void writer.write(cap.bytes.slice(0, firstEnd));
    const first = await reader.read();
    expect(text.decode(first.value!.body)).toBe(cap.frames[0].payload);
    void writer.write(cap.bytes.slice(firstEnd));
    void writer.close();
    let count = 1;
    while (!(await reader.read()).done) count++;
    expect(count).toBe(cap.frames.length);
  });

  it("errors the stream on a truncated body", async () => {
    const cap = captures()[0];
    const body = new Response(cap.bytes.slice(0, 100)).body!;
    const reader = body.pipeThrough(new EventStreamDecoderStream()).getReader();
    await expect(
      (async () => {
        while (!(await reader.read()).done);
      })(),
    ).rejects.toThrow(/truncated/);
  });
});
