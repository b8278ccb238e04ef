// The pipeline's fast path (deltas read in place, short ASCII strings decoded together per chunk) against the
// reference path (every frame through JSON.parse and parseFrame), and the decoder's header-block cache.
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventStreamDecoder } from "../../src/stream/decode";
import { ConversePipeline } from "../../src/stream/pipeline";
import type { ChatEvent } from "../../src/types/events";
import { concat } from "../helpers/fixtures";
import { eventFrame } from "../helpers/frames";
import { runs } from "../helpers/mutation";

const codec = new EventStreamCodec(toUtf8, fromUtf8);

const frame = eventFrame;

/** Events and error of a pipeline fed `bytes` cut at `cuts`; `reference` takes every frame through JSON.parse. */
function run(bytes: Uint8Array, cuts: number[], reference: boolean) {
  const pipeline = new ConversePipeline();
  // A Converse-event observer turns the fast path off: every frame goes through parseFrame.
  if (reference) pipeline.onConverseEvent = () => {};
  const events: ChatEvent[] = [];
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    events.push(...pipeline.feed(bytes.subarray(start, cut)));
    start = cut;
  }
  events.push(...pipeline.end());
  const error = pipeline.error as Error | undefined;
  return { events: JSON.parse(JSON.stringify(events)), error: error && `${error.name}: ${error.message}` };
}

describe("the fast path gives what the JSON.parse path gives, through the whole pipeline", () => {
  const text = fc.oneof(
    fc.string(),
    fc.string({ unit: "binary" }),
    fc.string({ minLength: 4090, maxLength: 4200 }), // around the batch's limit for one string
    fc
      .array(fc.constantFrom('"', "\\", "\n", "\t", "\u0000", " ", "a", "word ", "\u00e9", "\u{1F600}"), {
        maxLength: 40,
      })
      .map((chars) => chars.join("")),
  );
  const delta = fc.oneof(
    text.map((t) => ({ text: t })),
    text.map((t) => ({ toolUse: { input: t } })),
    text.map((t) => ({ reasoningContent: { text: t } })),
    fc.record({ text, extra: fc.integer() }),
  );
  const payload = fc.record(
    {
      contentBlockIndex: fc.oneof(fc.nat(3), fc.constant(-1), fc.constant(1.5)),
      delta,
      p: fc.stringMatching(/^[a-zA-Z0-9"\\]{0,20}$/),
    },
    { requiredKeys: ["contentBlockIndex", "delta"] },
  );
  /** Bedrock's serialisation, a legal variant of it, or one corrupted byte (the frame's CRC still matches). */
  const body = fc
    .tuple(payload, fc.boolean(), fc.option(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }))))
    .map(([p, spaced, mutation]) => {
      const bytes = fromUtf8(spaced ? JSON.stringify(p, null, 1) : JSON.stringify(p));
      if (mutation && bytes.length) bytes[mutation[0] % bytes.length] = mutation[1];
      return bytes;
    });
  /** Payloads in Bedrock's form whose string is written by hand: every JSON escape, and invalid ones. */
  const handWritten = fc
    .tuple(
      fc.constantFrom('"text":"', '"toolUse":{"input":"', '"reasoningContent":{"text":"'),
      fc.array(
        fc.constantFrom(
          "a",
          "word ",
          '\\"',
          "\\\\",
          "\\/",
          "\\b",
          "\\f",
          "\\n",
          "\\r",
          "\\t",
          "\\u0041",
          "\\u00e9",
          "\\ud83d\\ude00",
          "\\x",
          "\\",
          '"',
          "\t",
          "\u00e9",
        ),
        { maxLength: 24 },
      ),
      fc.nat(3),
      fc.stringMatching(/^[a-z]{0,9}$/),
    )
    .map(([key, parts, index, pad]) => {
      const close = key.startsWith('"text"') ? "}" : "}}";
      return fromUtf8(
        `{"contentBlockIndex":${index},"delta":{${key}${parts.join("")}"${close},"p":"${pad}"}`,
      );
    });
  const stream = fc.array(fc.oneof(body, handWritten), { minLength: 1, maxLength: 30 }).map((bodies) =>
    concat(
      ...[
        frame("messageStart", { role: "assistant" }),
        // Blocks 1-3 are tool calls, so tool-input deltas for them are accepted.
        ...[1, 2, 3].map((i) =>
          frame("contentBlockStart", {
            contentBlockIndex: i,
            start: { toolUse: { toolUseId: `t${i}`, name: "f" } },
          }),
        ),
        ...bodies.map((b) => frame("contentBlockDelta", b)),
        frame("messageStop", { stopReason: "end_turn" }),
        frame("metadata", { usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 } }),
      ],
    ),
  );
  const cut = (bytes: Uint8Array) =>
    fc.array(fc.nat(bytes.length), { maxLength: 8 }).map((cuts) => [...new Set(cuts)].sort((a, b) => a - b));

  it("for random delta payloads (every escape, non-ASCII, long, corrupted) in random chunks", () => {
    fc.assert(
      fc.property(
        stream.chain((bytes) => fc.tuple(fc.constant(bytes), cut(bytes))),
        ([bytes, cuts]) => {
          expect(run(bytes, cuts, false)).toEqual(run(bytes, cuts, true));
        },
      ),
      { numRuns: runs(2000) },
    );
  });

  it("for a stream of Bedrock-shaped deltas in 16 KB chunks (many strings decoded in one batch)", () => {
    const bodies = Array.from({ length: 3000 }, (_, i) =>
      i % 7 === 3
        ? { contentBlockIndex: 1, delta: { toolUse: { input: `line ${i} \\"quoted\\"\\n` } }, p: "abc" }
        : i % 11 === 5
          ? { contentBlockIndex: 0, delta: { text: `caf\u00e9 ${i} \u{1F600}` }, p: "abcdefgh" }
          : { contentBlockIndex: 0, delta: { text: ` word ${i}` }, p: "abcdefghijklmnop".slice(0, i % 17) },
    );
    const bytes = concat(
      ...[
        frame("messageStart", { role: "assistant" }),
        frame("contentBlockStart", {
          contentBlockIndex: 1,
          start: { toolUse: { toolUseId: "t1", name: "f" } },
        }),
        ...bodies.map((b) => frame("contentBlockDelta", b)),
        frame("messageStop", { stopReason: "end_turn" }),
        frame("metadata", { usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 } }),
      ],
    );
    const cuts = Array.from({ length: Math.floor(bytes.length / 16384) }, (_, i) => (i + 1) * 16384);
    const fast = run(bytes, cuts, false);
    expect(fast).toEqual(run(bytes, cuts, true));
    expect(fast.error).toBeUndefined();
    // One chunk of ~100 KB (Bun delivers up to 512 KB at once): the batch outgrows its first buffer.
    expect(run(bytes, [], false)).toEqual(fast);
    const texts = fast.events.filter((e: ChatEvent) => e.type === "text").map((e: any) => e.text);
    expect(texts.join("")).toBe(bodies.map((b) => (b.delta as { text?: string }).text ?? "").join(""));
  });
});

describe("the header-block cache", () => {
  const encode = (headers: Record<string, any>, payload = "{}") =>
    codec.encode({ headers, body: fromUtf8(payload) });
  const str = (value: string) => ({ type: "string", value });

  it("tells apart blocks of the same length that differ only in their first or last bytes", () => {
    const blocks = [
      { ":event-type": str("contentBlockDelta"), x: str("abc1") },
      { ":event-type": str("contentBlockDelta"), x: str("abc2") },
      { ":event-type": str("contentBlockDeltb"), x: str("abc1") },
      { ";event-type": str("contentBlockDelta"), x: str("abc1") },
    ];
    const frames = Array.from({ length: 40 }, (_, i) => encode(blocks[(i * 7) % 4], `{"n":${i}}`));
    const out = new EventStreamDecoder().feed(concat(...frames));
    expect(out.map((m) => Object.entries(m.headers).map(([k, v]) => [k, v.value]))).toEqual(
      Array.from({ length: 40 }, (_, i) => Object.entries(blocks[(i * 7) % 4]).map(([k, v]) => [k, v.value])),
    );
  });

  it("still checks every byte of a frame whose header block is cached (its CRC share is not recomputed)", () => {
    const headers = { ":event-type": str("contentBlockDelta"), ":message-type": str("event") };
    const frames = [0, 1, 2].map((i) => encode(headers, `{"contentBlockIndex":0,"delta":{"text":"t${i}"}}`));
    const bytes = concat(...frames);
    expect(new EventStreamDecoder().feed(bytes)).toHaveLength(3);
    // Every byte of the third frame (its block is cached by then), flipped in a few ways: always rejected.
    const third = frames[0].length + frames[1].length;
    for (let at = third; at < bytes.length; at++) {
      for (const flip of [0x01, 0x80, 0xff]) {
        const bad = bytes.slice();
        bad[at] ^= flip;
        expect(() => new EventStreamDecoder().feed(bad), `byte ${at - third} ^ ${flip}`).toThrow(
          /^(Prelude|Message) CRC mismatch/,
        );
      }
    }
  });

  it("decodes header blocks of 0 to 5 bytes, repeated, without mixing them up", () => {
    const blocks = [
      {},
      { a: { type: "boolean", value: true } },
      { a: { type: "boolean", value: false } },
      { ab: { type: "boolean", value: true } },
      { a: { type: "byte", value: 7 } },
    ];
    const frames = Array.from({ length: 30 }, (_, i) => encode(blocks[i % 5], `{"n":${i}}`));
    const decoder = new EventStreamDecoder();
    const out = decoder.feed(concat(...frames));
    expect(out.map((m) => m.headers)).toEqual(Array.from({ length: 30 }, (_, i) => blocks[i % 5]));
  });
});
