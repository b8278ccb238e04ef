import { fromUtf8 } from "@smithy/util-utf8";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { request, stream } from "../../src/client/create";
import { BedrockError, EventPayloadError, EventStreamError } from "../../src/errors";
import { crc32 } from "../../src/stream/crc32";
import { MAX_FRAME_BYTES } from "../../src/stream/decode";
import { ConversePipeline } from "../../src/stream/pipeline";
import type { ChatEvent } from "../../src/types/events";
import { type Capture, captures, concat } from "../helpers/fixtures";
import { eventFrame, frame } from "../helpers/frames";
import { BYTE_STEP, runs } from "../helpers/mutation";
import { EVENT_STREAM, loopback } from "../helpers/server";
import { resolvedFor } from "./helpers";

// Hostile or broken input never hangs and never yields a wrong event: properties over every recorded capture
// (fast-check), then each kind of broken body through request() against a loopback server.

const ALL = [...captures(), ...captures("recorded/synthetic")];
const STREAMS = captures(); // the complete ones (the synthetic capture is a lone exception frame)

/** Feeds chunks through a fresh pipeline; returns the events (as plain data) and the error it ended with. */
function pipe(chunks: Uint8Array[], end = true): { events: unknown[]; error: unknown } {
  const pipeline = new ConversePipeline();
  const events: ChatEvent[] = [];
  for (const chunk of chunks) events.push(...pipeline.feed(chunk));
  if (end) events.push(...pipeline.end());
  // Plain data: lazily parsed getters (tool-call-delta partial) are read the same way on both sides.
  return { events: JSON.parse(JSON.stringify(events)), error: pipeline.error };
}

function cutAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set([0, ...cuts.map((c) => c % (bytes.length + 1)), bytes.length])].sort(
    (a, b) => a - b,
  );
  const out: Uint8Array[] = [];
  for (let i = 1; i < points.length; i++) out.push(bytes.slice(points[i - 1], points[i]));
  return out;
}

/** Offset of the frame holding byte `i`. */
function frameAt(cap: Capture, i: number): number {
  let start = 0;
  for (const f of cap.frames) if (f.offset <= i) start = f.offset;
  return start;
}

const captureArb = fc.constantFrom(...STREAMS);
const withCuts = captureArb.chain((cap) =>
  fc.tuple(fc.constant(cap), fc.array(fc.nat({ max: cap.bytes.length }), { maxLength: 40 })),
);

describe("properties over every recorded capture (fast-check)", () => {
  it("split at arbitrary chunk boundaries: identical events", () => {
    const whole = new Map(STREAMS.map((cap) => [cap.name, pipe([cap.bytes])]));
    for (const cap of STREAMS) {
      expect(whole.get(cap.name)!.error).toBeUndefined();
      expect((whole.get(cap.name)!.events.at(-1) as ChatEvent).type).toBe("finish");
    }
    fc.assert(
      fc.property(withCuts, ([cap, cuts]) => {
        const split = pipe(cutAt(cap.bytes, cuts));
        expect(split.error).toBeUndefined();
        expect(split.events).toEqual(whole.get(cap.name)!.events);
      }),
      { numRuns: runs(400) },
    );
  });

  it("any single-byte corruption: an EventStreamError at the corrupted frame, after exactly the events before it", () => {
    fc.assert(
      fc.property(
        withCuts.chain(([cap, cuts]) =>
          fc.tuple(
            fc.constant(cap),
            fc.constant(cuts),
            fc.nat({ max: cap.bytes.length - 1 }),
            fc.integer({ min: 1, max: 255 }),
          ),
        ),
        ([cap, cuts, index, xor]) => {
          const bad = cap.bytes.slice();
          bad[index] ^= xor;
          const frame = frameAt(cap, index);
          const got = pipe(cutAt(bad, cuts));
          expect(got.error).toBeInstanceOf(EventStreamError);
          const error = got.error as EventStreamError;
          expect(error.offset).toBe(frame);
          // Bytes 0-11 of a frame are its prelude (length, headers length, CRC); the rest is checked by the message CRC.
          expect(error.message).toMatch(index - frame < 12 ? /Prelude CRC mismatch/ : /Message CRC mismatch/);
          // Never a different event: what came out is what the intact frames before it give.
          expect(got.events).toEqual(pipe([cap.bytes.subarray(0, frame)], false).events);
        },
      ),
      { numRuns: runs(600) },
    );
  });

  it("every byte of a capture corrupted in turn (exhaustive, one capture)", () => {
    const cap = STREAMS.find((c) => c.name === "test_bedrock_model_stream")!;
    for (let i = 0; i < cap.bytes.length; i += BYTE_STEP) {
      const bad = cap.bytes.slice();
      bad[i] ^= 0x5a;
      const got = pipe([bad]);
      expect(got.error).toBeInstanceOf(EventStreamError);
      expect((got.error as EventStreamError).offset).toBe(frameAt(cap, i));
    }
  });

  it("a body cut at any byte: an error naming the truncation, never a finish", () => {
    fc.assert(
      fc.property(
        withCuts.chain(([cap, cuts]) =>
          fc.tuple(fc.constant(cap), fc.constant(cuts), fc.nat({ max: cap.bytes.length - 1 })),
        ),
        ([cap, cuts, end]) => {
          const got = pipe(cutAt(cap.bytes.subarray(0, end), cuts));
          expect(got.error).toBeInstanceOf(BedrockError);
          expect((got.events as ChatEvent[]).some((e) => e.type === "finish")).toBe(false);
          const error = got.error as BedrockError;
          const boundary = cap.frames.some((f) => f.offset === end);
          if (boundary) expect(error.name).toBe("IncompleteStreamError");
          else {
            expect(error).toBeInstanceOf(EventStreamError);
            expect(error.message).toMatch(/truncated/);
            expect(error.offset).toBe(frameAt(cap, end));
          }
        },
      ),
      { numRuns: runs(400) },
    );
  });

  it("arbitrary bytes never throw anything but the SDK's errors", () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 2048 }),
      // Valid frames followed by garbage, and garbage spliced into valid frames.
      fc.tuple(fc.constantFrom(...ALL), fc.uint8Array({ maxLength: 64 }), fc.nat()).map(([cap, junk, at]) => {
        const i = at % (cap.bytes.length + 1);
        return concat(cap.bytes.subarray(0, i), junk, cap.bytes.subarray(i));
      }),
    );
    fc.assert(
      fc.property(bytes, fc.array(fc.nat({ max: 4096 }), { maxLength: 8 }), (body, cuts) => {
        const got = pipe(cutAt(body, cuts));
        if (got.error !== undefined) expect(got.error).toBeInstanceOf(BedrockError);
      }),
      { numRuns: runs(1500) },
    );
  });

  it("well-framed events with arbitrary headers and payloads: typed errors or events, never a crash", () => {
    const eventTypes = fc.constantFrom(
      "messageStart",
      "contentBlockStart",
      "contentBlockDelta",
      "contentBlockStop",
      "messageStop",
      "metadata",
      "somethingNew",
    );
    const anyValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined));
    const delta = fc.oneof(
      fc.record({ text: anyValue }),
      fc.record({ toolUse: fc.oneof(anyValue, fc.record({ input: anyValue })) }),
      fc.record({
        reasoningContent: fc.oneof(
          anyValue,
          fc.record({ text: anyValue, signature: anyValue, redactedContent: anyValue }),
        ),
      }),
      fc.record({ citation: anyValue }),
      anyValue,
    );
    const payload = fc.oneof(
      fc
        .record(
          {
            contentBlockIndex: fc.oneof(fc.integer({ min: -2, max: 3 }), anyValue),
            delta,
            start: fc.oneof(
              anyValue,
              fc.record({ toolUse: fc.oneof(anyValue, fc.record({ toolUseId: anyValue, name: anyValue })) }),
            ),
            role: anyValue,
            stopReason: anyValue,
            usage: fc.oneof(
              anyValue,
              fc.record({ inputTokens: anyValue, outputTokens: anyValue, totalTokens: anyValue }),
            ),
            message: anyValue,
          },
          { requiredKeys: [] },
        )
        .map((o) => JSON.stringify(o)),
      fc.string({ maxLength: 40 }),
      fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
    );
    const frame = fc.record({
      messageType: fc.constantFrom("event", "event", "event", "exception", "error", "nonsense"),
      eventType: eventTypes,
      payload,
    });
    fc.assert(
      fc.property(fc.array(frame, { minLength: 1, maxLength: 10 }), (frames) => {
        const bytes = concat(...frames.map(encodeFrame));
        const got = pipe([bytes]);
        if (got.error !== undefined) {
          expect(got.error).toBeInstanceOf(BedrockError);
          const error = got.error as BedrockError;
          expect(error.name).toMatch(/^[A-Z]\w+$/);
          // A server's own (even blank) exception message is passed on as is; ours always say something.
          expect(error.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: runs(1500) },
    );
  });
});

describe("arbitrary bodies through the client (fast-check)", () => {
  /** A fetch that answers every request with `chunks` as a 200 event stream (a web-standard Response). */
  const answering = (chunks: Uint8Array[]): typeof fetch =>
    (async () =>
      new Response(
        new ReadableStream<Uint8Array>({
          pull(controller) {
            const next = chunks.shift();
            if (next) controller.enqueue(next);
            else controller.close();
          },
        }),
        { headers: EVENT_STREAM },
      )) as typeof fetch;

  const bodies = fc.oneof(
    fc.uint8Array({ maxLength: 1024 }),
    fc.tuple(fc.constantFrom(...ALL), fc.uint8Array({ maxLength: 32 }), fc.nat()).map(([cap, junk, at]) => {
      const i = at % (cap.bytes.length + 1);
      return concat(cap.bytes.subarray(0, i), junk, cap.bytes.subarray(i));
    }),
    fc.constantFrom(...STREAMS).map((cap) => cap.bytes),
  );

  it("request() and stream() settle, with a result or a BedrockError, whatever the bytes", async () => {
    await fc.assert(
      fc.asyncProperty(
        bodies,
        fc.array(fc.nat({ max: 2048 }), { maxLength: 6 }),
        fc.boolean(),
        async (body, cuts, viaStream) => {
          const config = resolvedFor("http://127.0.0.1:9", {}, { fetch: answering(cutAt(body, cuts)) });
          const messages = [{ role: "user" as const, content: "Hi" }];
          const reported: unknown[] = [];
          const options = { maxRetries: 0, idleTimeoutMs: 2000, onError: (e: unknown) => reported.push(e) };
          let outcome: unknown;
          try {
            if (viaStream) {
              const events: ChatEvent[] = [];
              for await (const e of stream(config, messages, options)) events.push(e);
              outcome = events.at(-1);
              expect((outcome as ChatEvent).type).toBe("finish");
            } else {
              outcome = await request(config, messages, options);
            }
            expect(reported).toEqual([]);
          } catch (error) {
            expect(error).toBeInstanceOf(BedrockError);
            expect(reported).toEqual([error]);
          }
        },
      ),
      { numRuns: runs(300) },
    );
  });
});

describe("delta payloads read straight from the bytes agree with JSON.parse (fast-check)", () => {
  const deltaFrame = (body: Uint8Array) => eventFrame("contentBlockDelta", body);
  const start = frame({ ":event-type": "messageStart", ":message-type": "event" }, '{"role":"assistant"}');
  const toolStart = (index: number) =>
    frame(
      { ":event-type": "contentBlockStart", ":message-type": "event" },
      `{"contentBlockIndex":${index},"start":{"toolUse":{"toolUseId":"t","name":"n"}}}`,
    );

  /**
   * Events and error from a pipeline over messageStart, a toolUse start for `index`, then the delta frame.
   * `reference` turns the byte-level fast path off (a debug observer forces every frame through JSON.parse).
   */
  function outcome(body: Uint8Array, index: number, reference: boolean) {
    const pipeline = new ConversePipeline();
    if (reference) pipeline.onConverseEvent = () => {};
    const events = pipeline.feed(concat(start, toolStart(index), deltaFrame(body)));
    const error = pipeline.error as Error | undefined;
    expect(error === undefined || error instanceof BedrockError).toBe(true);
    return { events: JSON.parse(JSON.stringify(events)), error: error && `${error.name}: ${error.message}` };
  }

  const text = fc.oneof(
    fc.string({ unit: "binary", maxLength: 40 }),
    fc.string({ unit: "grapheme", maxLength: 20 }),
    fc.constantFrom("", '"', "\\", "\n", "\u0000", "}", '"}'),
  );
  const kind = fc.constantFrom("text" as const, "toolUse" as const, "reasoningContent" as const);

  it("Bedrock-shaped payloads with any text, index and padding", () => {
    fc.assert(
      fc.property(
        kind,
        text,
        fc.nat({ max: 2_000_000_000 }),
        fc.option(fc.string({ maxLength: 30 })),
        (k, t, index, pad) => {
          const delta =
            k === "text"
              ? { text: t }
              : k === "toolUse"
                ? { toolUse: { input: t } }
                : { reasoningContent: { text: t } };
          const body = fromUtf8(
            JSON.stringify({ contentBlockIndex: index, delta, ...(pad !== null && { p: pad }) }),
          );
          const fast = outcome(body, index, false);
          expect(fast).toEqual(outcome(body, index, true));
          expect(fast.error).toBeUndefined();
        },
      ),
      { numRuns: runs(2000) },
    );
  });

  it("any byte of such a payload changed (CRC recomputed): the same events or the same typed error as JSON.parse", () => {
    fc.assert(
      fc.property(kind, text, fc.nat(), fc.integer({ min: 0, max: 255 }), (k, t, where, byte) => {
        const delta =
          k === "text"
            ? { text: t }
            : k === "toolUse"
              ? { toolUse: { input: t } }
              : { reasoningContent: { text: t } };
        const body = fromUtf8(JSON.stringify({ contentBlockIndex: 3, delta, p: "abcdef" }));
        body[where % body.length] = byte;
        expect(outcome(body, 3, false)).toEqual(outcome(body, 3, true));
      }),
      { numRuns: runs(4000) },
    );
  });
});

function encodeFrame(f: { messageType: string; eventType: string; payload: string }): Uint8Array {
  const headers: Record<string, string> = { ":message-type": f.messageType };
  if (f.messageType === "exception") headers[":exception-type"] = `${f.eventType}Exception`;
  else if (f.messageType === "error") headers[":error-code"] = f.eventType;
  else headers[":event-type"] = f.eventType;
  headers[":content-type"] = "application/json";
  return frame(headers, f.payload);
}

/** A 12-byte prelude declaring `total` bytes, with a correct prelude CRC (so only the length is wrong). */
function prelude(total: number, headersLength = 0): Uint8Array {
  const bytes = new Uint8Array(12);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, total);
  view.setUint32(4, headersLength);
  view.setUint32(8, crc32(bytes, 0, 8));
  return bytes;
}

describe("broken bodies through request() against a loopback server", () => {
  let server: Awaited<ReturnType<typeof loopback>> | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const hi = [{ role: "user" as const, content: "Hello" }];
  const good = STREAMS.find((c) => c.name === "test_bedrock_model_stream")!;

  /** Serves `body` with `status`/`headers` once per request; returns the error request() ends with. */
  async function failWith(
    body: Uint8Array | string,
    options: { status?: number; headers?: Record<string, string>; stream?: boolean; keepOpen?: boolean } = {},
  ) {
    server = await loopback((_, res) => {
      res.writeHead(options.status ?? 200, options.headers ?? EVENT_STREAM);
      if (options.keepOpen) return void res.write(body);
      res.end(body);
    });
    const errors: unknown[] = [];
    const started = Date.now();
    const error = await request(resolvedFor(server.url), hi, {
      stream: options.stream ?? true,
      maxRetries: 0,
      idleTimeoutMs: 10_000,
      onError: (e) => errors.push(e),
    }).catch((e) => e);
    expect(error).toBeInstanceOf(BedrockError);
    expect(errors).toEqual([error]);
    return { error, ms: Date.now() - started };
  }

  it("an empty event stream body", async () => {
    const { error } = await failWith(new Uint8Array(0));
    expect(error.name).toBe("IncompleteStreamError");
    expect(error.message).toMatch(/empty/);
  });

  it("a body cut at a frame boundary: IncompleteStreamError, with the text so far", async () => {
    const { error } = await failWith(good.bytes.subarray(0, good.frames[6].offset));
    expect(error.name).toBe("IncompleteStreamError");
    expect(error.message).toMatch(/before messageStop/);
    expect(error.partial.outputText.length).toBeGreaterThan(0);
  });

  it("a body cut between messageStop and metadata is incomplete, not a success without usage", async () => {
    const { error } = await failWith(good.bytes.subarray(0, good.frames.at(-1)!.offset));
    expect(error.name).toBe("IncompleteStreamError");
    expect(error.message).toMatch(/metadata/);
    expect(error.partial.outputText).toBe(
      good.frames.map((f) => JSON.parse(f.payload).delta?.text ?? "").join(""),
    );
  });

  it("a body cut inside a frame: EventStreamError at that frame", async () => {
    const at = good.frames[7].offset + 20;
    const { error } = await failWith(good.bytes.subarray(0, at));
    expect(error).toBeInstanceOf(EventStreamError);
    expect(error.offset).toBe(good.frames[7].offset);
    expect(error.message).toMatch(/truncated/);
  });

  it("random bytes: not an event stream, said at byte 0", async () => {
    const { error } = await failWith(new TextEncoder().encode("this is not an event stream at all"));
    expect(error).toBeInstanceOf(EventStreamError);
    expect(error.offset).toBe(0);
    expect(error.message).toMatch(/not an event stream/);
  });

  it("a declared frame length over the limit is rejected before buffering (no wait for the rest)", async () => {
    const head = good.bytes.subarray(0, good.frames[3].offset);
    const { error, ms } = await failWith(concat(head, prelude(2 ** 31)), { keepOpen: true });
    expect(error).toBeInstanceOf(EventStreamError);
    expect(error.message).toContain(`exceeds the ${MAX_FRAME_BYTES}-byte limit`);
    expect(error.offset).toBe(good.frames[3].offset);
    // The server keeps the connection open: only checking the prelude can end this before idleTimeoutMs.
    expect(ms).toBeLessThan(5_000);
  });

  it("a frame length below the minimum is a framing error", async () => {
    const { error } = await failWith(prelude(8), { keepOpen: true });
    expect(error).toBeInstanceOf(EventStreamError);
    expect(error.message).toMatch(/below the 16-byte minimum/);
  });

  it("a 200 JSON body on /converse-stream", async () => {
    const { error } = await failWith('{"output":{}}', { headers: { "content-type": "application/json" } });
    expect(error.name).toBe("UnexpectedResponseError");
    expect(error.message).toMatch(/Expected an event stream .* got application\/json: "\{\\"output/);
  });

  it("an HTML page from a proxy, with status 200 and with 502", async () => {
    const html = "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>";
    const ok = await failWith(html, { headers: { "content-type": "text/html" } });
    expect(ok.error.name).toBe("UnexpectedResponseError");
    expect(ok.error.message).toContain("got text/html with an HTML page");
    const bad = await failWith(html, { status: 502, headers: { "content-type": "text/html" } });
    expect(bad.error.name).toBe("BadGatewayException");
    expect(bad.error.status).toBe(502);
    expect(bad.error.message).toMatch(/HTML page \(a proxy or gateway answered, not Bedrock\)/);
  });

  const head = good.bytes.subarray(0, good.frames[2].offset);

  it("a frame whose payload is not JSON", async () => {
    const bad = frame({ ":message-type": "event", ":event-type": "contentBlockDelta" }, "{not json");
    const { error } = await failWith(concat(head, bad));
    expect(error).toBeInstanceOf(EventPayloadError);
    expect(error.message).toBe(
      `contentBlockDelta event: payload is not JSON ("{not json") (frame at byte ${good.frames[2].offset})`,
    );
    expect(error.phase).toBe("stream");
  });

  it("a frame whose payload is not the shape of its event type", async () => {
    const bad = frame(
      { ":message-type": "event", ":event-type": "contentBlockDelta" },
      '{"contentBlockIndex":0,"delta":"hi"}',
    );
    const { error } = await failWith(concat(head, bad));
    expect(error).toBeInstanceOf(EventPayloadError);
    expect(error.message).toContain("contentBlockDelta event: delta must be an object");
    const usage = frame(
      { ":message-type": "event", ":event-type": "metadata" },
      '{"usage":{"inputTokens":"3"}}',
    );
    const second = await failWith(concat(head, usage));
    expect(second.error.message).toContain("metadata event: usage.inputTokens must be a number");
  });

  it("an exception frame of an unknown type keeps its type and message", async () => {
    const bad = frame(
      { ":message-type": "exception", ":exception-type": "quotaMeltdownException" },
      '{"message":"the quota melted"}',
    );
    const { error } = await failWith(concat(head, bad));
    expect(error.name).toBe("QuotaMeltdownException");
    expect(error.message).toBe("the quota melted");
    expect(error.phase).toBe("stream");
    expect(error.partial.outputText).toBe(JSON.parse(good.frames[1].payload).delta.text);
  });

  it("an exception frame whose payload is not JSON still says what it was", async () => {
    const bad = frame(
      { ":message-type": "exception", ":exception-type": "internalServerException" },
      "upstream exploded",
    );
    const { error } = await failWith(concat(head, bad));
    expect(error.name).toBe("InternalServerException");
    expect(error.message).toBe("upstream exploded");
  });

  it("an unknown message type and an event without a type are framing errors at their offset", async () => {
    const odd = frame({ ":message-type": "telemetry" }, "{}");
    const first = await failWith(concat(head, odd));
    expect(first.error).toBeInstanceOf(EventStreamError);
    expect(first.error.message).toContain('Unknown :message-type "telemetry"');
    expect(first.error.offset).toBe(good.frames[2].offset);
    const untyped = frame({ ":message-type": "event" }, "{}");
    const second = await failWith(concat(head, untyped));
    expect(second.error.message).toContain("Event frame without an :event-type header");
  });

  describe("/converse (stream: false)", () => {
    const json = { "content-type": "application/json" };
    it.each([
      ["an empty body", "", /got an empty body/],
      [
        "a body cut in half",
        '{"output":{"message":{"role":"assistant","content":[{"text":"Hel',
        /does not parse .*truncated/,
      ],
      ["an HTML page", "<html><body>Gateway</body></html>", /got an HTML page/],
      ["JSON that is not an object", "[1,2,3]", /is not a JSON object/],
      [
        "a response without output.message",
        '{"output":{},"stopReason":"end_turn"}',
        /has no output\.message/,
      ],
      [
        "content that is not a list",
        '{"output":{"message":{"content":{}}},"stopReason":"end_turn"}',
        /content is not an array/,
      ],
      [
        "a content block that is null",
        '{"output":{"message":{"role":"assistant","content":[null]}},"stopReason":"end_turn"}',
        /malformed content block/,
      ],
      ["no stopReason", '{"output":{"message":{"role":"assistant","content":[]}}}', /has no stopReason/],
    ])("%s", async (_, body, pattern) => {
      const { error } = await failWith(body, { headers: json, stream: false });
      expect(["UnexpectedResponseError", "ResponseShapeError"]).toContain(error.name);
      expect(error.message).toMatch(pattern);
      expect(error.phase).toBe("request");
    });
  });
});
