// The fast path's contract, written against the survivors of `npm run test:mutation -- src/stream/delta-scan.ts`.
// test/stream/fast-path.test.ts checks that it reads what JSON.parse reads; these check when it takes a frame at
// all (a frame it declines goes through JSON.parse: the same events, several times slower; bench/throughput.mjs).
import { describe, expect, it } from "vitest";
import { AsciiBatch, DeltaScanner, deltaOf } from "../../src/stream/delta-scan";

const utf8 = new TextEncoder();

/** The payload bytes inside a larger buffer (as in a chunk: other bytes before and after it). */
function inChunk(payload: string) {
  const body = utf8.encode(payload);
  const bytes = new Uint8Array(body.length + 16).fill(0x7d); // "}" around it: never a reason to match
  bytes.set(body, 8);
  return { bytes, view: new DataView(bytes.buffer), from: 8, to: 8 + body.length };
}

/** What the scanner reads from a payload: the delta object and its index, or undefined when it declines. */
function scanned(payload: string) {
  const scanner = new DeltaScanner();
  const { bytes, view, from, to } = inChunk(payload);
  if (!scanner.scan(bytes, view, from, to)) return undefined;
  return { index: scanner.index, delta: deltaOf(scanner.kind, scanner.text(bytes) as string) };
}

describe("DeltaScanner.scan takes Bedrock's exact forms", () => {
  const pad = ',"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456"';
  const cases: [string, number, Record<string, unknown>][] = [
    ['{"contentBlockIndex":0,"delta":{"text":"Hi"}}', 0, { text: "Hi" }],
    [`{"contentBlockIndex":0,"delta":{"text":"Hi there"}${pad}}`, 0, { text: "Hi there" }],
    [`{"contentBlockIndex":0,"delta":{"text":""}${pad}}`, 0, { text: "" }],
    ['{"contentBlockIndex":0,"delta":{"text":""}}', 0, { text: "" }],
    [
      '{"contentBlockIndex":3,"delta":{"toolUse":{"input":"{\\"a\\":1}"}},"p":"xy"}',
      3,
      { toolUse: { input: '{"a":1}' } },
    ],
    [
      '{"contentBlockIndex":1,"delta":{"reasoningContent":{"text":"hmm\\n"}},"p":"a"}',
      1,
      { reasoningContent: { text: "hmm\n" } },
    ],
  ];
  for (const [payload, index, delta] of cases) {
    it(payload, () => expect(scanned(payload)).toEqual({ index, delta }));
  }

  it("reads indexes of one to nine digits, zeros and nines included", () => {
    for (const index of [5, 9, 10, 19, 90, 99, 100, 12345, 123456789, 999999999]) {
      expect(scanned(`{"contentBlockIndex":${index},"delta":{"text":"x"},"p":"a"}`)).toEqual({
        index,
        delta: { text: "x" },
      });
    }
  });
});

describe("DeltaScanner.scan declines everything else (JSON.parse takes it)", () => {
  const declined = [
    // Not a JSON integer of at most nine digits.
    '{"contentBlockIndex":1234567890,"delta":{"text":"x"}}',
    '{"contentBlockIndex":01,"delta":{"text":"x"}}',
    '{"contentBlockIndex":-1,"delta":{"text":"x"}}',
    '{"contentBlockIndex":a,"delta":{"text":"x"}}',
    '{"contentBlockIndex":/,"delta":{"text":"x"}}',
    '{"contentBlockIndex":1a,"delta":{"text":"x"}}',
    '{"contentBlockIndex":,"delta":{"text":"x"}}',
    // Not the delta's exact form.
    '{"contentBlockIndex":0,"delta":{"toolUse":{"input":"x"}}',
    '{"contentBlockIndex":0,"delta":{"toolUse":{"input":"x"}]}',
    '{"contentBlockIndex":0,"delta":{"text":"x"}',
    '{"contentBlockIndex":0,"delta":{"text":"x"} }',
    '{"contentBlockIndex":0,"delta":{"text":"x"},"q":"a"}',
    '{"contentBlockIndex":0,"delta":{"text":"x"},"p":"a\\"b"}',
    '{"contentBlockIndex":0,"delta":{"image":"x"}}',
    '{"contentBlockIndex":0}',
    '{"contentBlockIndex":0,"delta":{"text":}}',
    '{"contentBlockIndex":0,"delta":{"text":"',
    '{"contentBlockIndex":0,"delta":{"text":"}}', // the closing quote would be the opening one
    '{"contentBlockIndex":0,"delta":{"text":"},"p":"a"}',
    '{"contentBlockIndex":',
    "{}",
  ];
  for (const payload of declined) it(payload, () => expect(scanned(payload)).toBeUndefined());
});

describe("DeltaScanner.scan at the very end of a chunk", () => {
  it("reads nothing past the payload: a short payload that ends the chunk is declined, not a RangeError", () => {
    for (const payload of [
      "{}",
      '{"contentBlockIndex":0,"delta":{}}',
      '{"contentBlockIndex":0,"delta":{"te"}}',
      '{"contentBlockIndex":0,"delta":{"text":"x"},"p":"abcdefgh"}',
    ]) {
      const bytes = utf8.encode(payload); // nothing after it: a read past the end would throw
      const scanner = new DeltaScanner();
      expect(scanner.scan(bytes, new DataView(bytes.buffer), 0, bytes.length)).toBe(payload.includes('"x"'));
    }
  });
});

describe("DeltaScanner.text", () => {
  const textOf = (payload: string) => {
    const scanner = new DeltaScanner();
    const { bytes, view, from, to } = inChunk(payload);
    expect(scanner.scan(bytes, view, from, to)).toBe(true);
    return scanner.text(bytes);
  };

  it("decodes escapes and non-ASCII as JSON.parse does", () => {
    const value = 'quote " backslash \\ tab \t newline \n é 😀 \u0001';
    expect(textOf(`{"contentBlockIndex":0,"delta":{"text":${JSON.stringify(value)}}}`)).toBe(value);
    expect(textOf('{"contentBlockIndex":0,"delta":{"text":"plain é"}}')).toBe("plain é");
  });

  it("is undefined when the string is not one JSON string (the reference path then names the error)", () => {
    expect(textOf('{"contentBlockIndex":0,"delta":{"text":"bad \\x escape"}}')).toBeUndefined();
    expect(textOf('{"contentBlockIndex":0,"delta":{"text":"raw \t tab"}}')).toBeUndefined();
    expect(textOf('{"contentBlockIndex":0,"delta":{"text":"two" "strings"}}')).toBeUndefined();
  });
});

describe("AsciiBatch", () => {
  /** Adds each JSON string's content; the offsets it returns, and the batch's text. */
  function batched(strings: string[]) {
    const batch = new AsciiBatch();
    const added = strings.map((s) => {
      const { bytes, view, from, to } = inChunk(s);
      return { at: batch.add(bytes, view, from, to), end: batch.fill };
    });
    const text = batch.take();
    return {
      offsets: added.map(({ at }) => at),
      values: added.map(({ at, end }) => (at < 0 ? undefined : text.slice(at, end))),
    };
  }

  it("takes ASCII strings of every length with two-character escapes, decoded", () => {
    const strings = Array.from({ length: 40 }, (_, n) => "abcdefgh".repeat(5).slice(0, n));
    strings.push('say \\"hi\\"\\n\\t\\\\ \\/ \\b\\f\\r', "\\n", "a\\n", "ab\\ncd", "~\x7f");
    const { offsets, values } = batched(strings);
    expect(offsets.every((at) => at >= 0)).toBe(true);
    expect(values).toEqual(strings.map((s) => JSON.parse(`"${s}"`)));
  });

  it("declines (-1) what it does not decode: non-ASCII, \\u escapes, controls, quotes, a lone backslash", () => {
    for (const s of ["é", "ab\u00e9cd", "\\u0041", "a\\u0041bcdef", "a\u0001", "a\tbcdef", 'a"b', "abc\\"]) {
      expect(batched(["ok", s, "fine"]).offsets).toEqual([0, -1, 2]);
    }
  });

  it("grows past its first 16 KiB with what it holds intact, but not for a string over 4096 bytes", () => {
    const block = (n: number) => String.fromCharCode(65 + n).repeat(4096);
    const strings = [block(0), block(1), block(2), "x".repeat(4097), block(3), block(4), block(5), "tail"];
    const { offsets, values } = batched(strings);
    // The 4097-byte string does not fit in what is left (4096 bytes): decoded alone. The next 4096 fill it
    // exactly; the one after grows the batch.
    expect(offsets).toEqual([0, 4096, 8192, -1, 12288, 16384, 20480, 24576]);
    expect(values.filter((v) => v !== undefined)).toEqual(strings.filter((s) => s.length !== 4097));
  });

  it("take() empties it", () => {
    const batch = new AsciiBatch();
    const { bytes, view, from, to } = inChunk("abc");
    batch.add(bytes, view, from, to);
    expect(batch.take()).toBe("abc");
    expect(batch.fill).toBe(0);
    expect(batch.take()).toBe("");
  });
});
