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

/** A whole frame around a raw header block and payload, both CRCs right (for blocks no encoder would write). */
function rawFrame(headerBlock: number[], payload: number[] = []): Uint8Array {
  const total = 16 + headerBlock.length + payload.length;
  const b = new Uint8Array(total);
  b.set(frameHeader(total, headerBlock.length));
  b.set([...headerBlock, ...payload], 12);
  new DataView(b.buffer).setUint32(total - 4, crc32(b, 0, total - 4));
  return b;
}

const A = 97; // "a"

// Written against the survivors of `npm run test:mutation -- src/stream/decode.ts`.
describe("header blocks whose CRCs are right", () => {
  const errorOf = (...frames: Uint8Array[]) => {
    try {
      decodeAll([...frames]);
    } catch (error) {
      expect(error).toBeInstanceOf(EventStreamError);
      return (error as Error).message;
    }
    expect.unreachable("the frames decoded");
  };

  it("refuses a header that runs past its block, a name or string that is not UTF-8, an unknown type", () => {
    expect(errorOf(rawFrame([5, A]))).toBe(
      "Malformed frame headers (a header runs past the header block) at byte 0",
    );
    expect(errorOf(rawFrame([1, A, 7, 0, 4, A, A]))).toBe(
      "Malformed frame headers (a header runs past the header block) at byte 0",
    );
    expect(errorOf(rawFrame([1, 0xff, 0]))).toBe(
      "Malformed frame headers (a name or string value is not UTF-8) at byte 0",
    );
    expect(errorOf(rawFrame([1, A, 7, 0, 2, 0xc3, 0x28]))).toBe(
      "Malformed frame headers (a name or string value is not UTF-8) at byte 0",
    );
    for (const tag of [10, 255])
      expect(errorOf(rawFrame([1, A, tag, 0, 0]))).toBe(
        `Malformed frame headers (unknown header type ${tag} for "a") at byte 0`,
      );
  });

  it("names the offset of a malformed block after a good frame", () => {
    const good = rawFrame([1, A, 0]);
    expect(errorOf(good, rawFrame([1, A, 42]))).toBe(
      `Malformed frame headers (unknown header type 42 for "a") at byte ${good.length}`,
    );
  });

  it("keeps a binary value as bytes, even when they would read as text", () => {
    const [message] = decodeAll([rawFrame([1, A, 6, 0, 2, 0x68, 0x69])]);
    expect(message!.headers.a).toEqual({ type: "binary", value: new Uint8Array([0x68, 0x69]) });
  });

  it("refuses a malformed block whose words match a cached block of another length", () => {
    // [a: true, b: true] is cached; the 8-byte block below starts with the same word and ends with the cached
    // block's last word (its words overlap), but it is another block: a header named "\0", then a name that
    // runs past the end.
    const cached = rawFrame([1, A, 0, 1, 98, 0]);
    const lookalike = rawFrame([1, A, 0, 1, 0, 1, 98, 0]);
    expect(errorOf(cached, lookalike)).toBe(
      `Malformed frame headers (a header runs past the header block) at byte ${cached.length}`,
    );
  });
});

describe("memory", () => {
  it("holds no reference to a chunk once its frames are delivered (not until the next chunk)", () => {
    const bytes = captures()[0].bytes;
    const decoder = new EventStreamDecoder();
    // Ends inside a frame: the carried part is copied, so the chunk itself is still not held.
    const chunk = bytes.slice(0, bytes.length - 3);
    expect(decoder.feed(chunk).length).toBeGreaterThan(0);
    const holds = decoder.frames.some((slot) => slot === chunk || slot?.buffer === chunk.buffer);
    expect(holds).toBe(false);
  });
});

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
    const last = captures()[0].frames.at(-1)!;
    const size = good.length - last.offset;
    expect(() => decoder.end()).toThrow(
      `Response ended inside a ${size}-byte frame (${size - 5} bytes received): the stream was truncated at byte ${last.offset}`,
    );
    const inPrelude = new EventStreamDecoder();
    inPrelude.feed(good.subarray(0, 7));
    expect(() => inPrelude.end()).toThrow(/inside a frame prelude \(7 bytes received\)/);
    // A whole prelude is checked as it arrives: the error says the frame's size.
    const afterPrelude = new EventStreamDecoder();
    afterPrelude.feed(good.subarray(0, 12));
    const firstSize = new DataView(good.buffer, good.byteOffset).getUint32(0);
    expect(() => afterPrelude.end()).toThrow(`inside a ${firstSize}-byte frame (12 bytes received)`);
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
