// Latency and the hot path (issue 7). An event must reach the caller in the same turn as the chunk that
// completes its frame: nothing may wait for a later chunk. And the fast path that reads Bedrock's delta
// payloads straight from the bytes must give exactly what the JSON.parse path gives, for any bytes.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request, stream } from "../../src/client/create";
import type { MessageHeaders } from "../../src/stream/decode";
import { DeltaScanner, deltaOf } from "../../src/stream/delta-scan";
import { parseFrame } from "../../src/stream/parse";
import { ConversePipeline } from "../../src/stream/pipeline";
import type { ChatEvent } from "../../src/types/events";
import { captures } from "../helpers/fixtures";
import { eventFrame } from "../helpers/frames";
import { runs } from "../helpers/mutation";
import { EVENT_STREAM, loopback } from "../helpers/server";

const frame = eventFrame;

describe("an event comes out of the feed call that completes its frame", () => {
  for (const cap of captures()) {
    it(`${cap.name}: each frame's events arrive with its last byte, none with the bytes before`, () => {
      const ends = cap.frames.map((f) => f.offset + f.total_length);
      const incremental = new ConversePipeline();
      let delivered = 0;
      let start = 0;
      for (const end of ends) {
        // Everything but the frame's last byte: nothing from this frame may come out yet.
        const before = incremental.feed(cap.bytes.subarray(start, end - 1));
        expect(before).toEqual([]);
        delivered += incremental.feed(cap.bytes.subarray(end - 1, end)).length;
        // A fresh pipeline fed the same bytes at once: its events are all that these bytes can produce.
        const reference = new ConversePipeline();
        expect(delivered).toBe(reference.feed(cap.bytes.subarray(0, end)).length);
        start = end;
      }
      expect(incremental.error).toBeUndefined();
    });
  }
});

describe("through the client, over loopback HTTP", () => {
  const FRAMES = 40;
  let server: Awaited<ReturnType<typeof loopback>>;
  let seen: (text: string) => void = () => {};
  const stalls: string[] = [];

  beforeAll(async () => {
    // Sends one frame at a time, its last byte in a separate write, then waits until the client has the frame's
    // text before sending more. A client that held an event back for a later chunk would stall here.
    server = await loopback(async (_req, res) => {
      res.writeHead(200, EVENT_STREAM);
      res.write(frame("messageStart", { role: "assistant" }));
      for (let k = 0; k < FRAMES; k++) {
        const text = `t${k} `;
        // After one stall, stop waiting: the test fails with what stalled instead of timing out.
        const arrived = new Promise<boolean>((resolve) => {
          seen = (got) => got === text && resolve(true);
          setTimeout(() => resolve(false), stalls.length ? 0 : 1000);
        });
        const bytes = frame("contentBlockDelta", { contentBlockIndex: 0, delta: { text }, p: "abcdef" });
        res.write(bytes.subarray(0, bytes.length - 1));
        await new Promise((r) => setTimeout(r, 1));
        res.write(bytes.subarray(bytes.length - 1));
        if (!(await arrived)) stalls.push(text);
      }
      res.write(frame("contentBlockStop", { contentBlockIndex: 0 }));
      res.write(frame("messageStop", { stopReason: "end_turn" }));
      res.end(
        frame("metadata", { usage: { inputTokens: 1, outputTokens: FRAMES, totalTokens: FRAMES + 1 } }),
      );
    });
  });
  afterAll(() => server.close());

  const config = () => ({
    key: "test-key",
    url: `${server.url}/model`,
    modelIdPrefix: "none" as const,
    maxRetries: 0,
  });
  const expected = Array.from({ length: FRAMES }, (_, k) => `t${k} `).join("");

  it("request(): onMessageReceived fires for each frame before the server sends the next", async () => {
    stalls.length = 0;
    const result = await request(config(), [{ role: "user", content: "hi" }], {
      model: "test.model",
      onMessageReceived: (m) => seen(m.text),
    });
    expect(stalls).toEqual([]);
    expect(result.outputText).toBe(expected);
  });

  it("stream(): the reader gets each frame's event before the server sends the next", async () => {
    stalls.length = 0;
    let text = "";
    for await (const event of stream(config(), [{ role: "user", content: "hi" }], { model: "test.model" })) {
      if (event.type === "text") {
        text += event.text;
        seen(event.text);
      }
    }
    expect(stalls).toEqual([]);
    expect(text).toBe(expected);
  });
});

const HEADERS: MessageHeaders = {
  ":event-type": { type: "string", value: "contentBlockDelta" },
  ":content-type": { type: "string", value: "application/json" },
  ":message-type": { type: "string", value: "event" },
};

/** What the JSON.parse path (parseFrame, the reference) makes of a delta payload: the delta or the error. */
function reference(body: Uint8Array): unknown {
  try {
    const event = parseFrame(HEADERS, body, 7) as Extract<ChatEvent | { type: string }, { type: string }> & {
      contentBlockIndex: number;
      delta: unknown;
    };
    return { contentBlockIndex: event.contentBlockIndex, delta: event.delta };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** What the pipeline's first pass reads, falling back to the reference path as the pipeline does. */
function fast(body: Uint8Array): unknown {
  const scanner = new DeltaScanner();
  if (scanner.scan(body, new DataView(body.buffer, body.byteOffset, body.length), 0, body.length)) {
    const text = scanner.text(body);
    if (text !== undefined) return { contentBlockIndex: scanner.index, delta: deltaOf(scanner.kind, text) };
  }
  return reference(body);
}

describe("the delta fast path gives what JSON.parse gives", () => {
  const text = fc.oneof(
    fc.string(),
    fc.string({ unit: "binary" }),
    // Quotes, backslashes, control characters, accents and astral characters, densely.
    fc
      .array(fc.constantFrom('"', "\\", "\n", "\t", "\u0000", "\u001f", " ", "a", "\u00e9", "\u{1F600}"), {
        maxLength: 12,
      })
      .map((chars) => chars.join("")),
  );
  const delta = fc.oneof(
    text.map((t) => ({ text: t })),
    text.map((t) => ({ toolUse: { input: t } })),
    text.map((t) => ({ reasoningContent: { text: t } })),
    text.map((t) => ({ reasoningContent: { signature: t } })),
    fc.record({ text: text, extra: fc.integer() }),
  );
  const index = fc.oneof(fc.nat(20), fc.integer(), fc.double(), fc.constant(1234567890123), fc.constant("0"));
  const payload = fc.record(
    { contentBlockIndex: index, delta, p: fc.stringMatching(/^[a-zA-Z0-9"\\]{0,20}$/) },
    { requiredKeys: ["contentBlockIndex", "delta"] },
  );
  /** Bedrock's serialisation, or a legal variant of it (other order, whitespace), or a corrupted one. */
  const bytes = fc
    .tuple(
      payload,
      fc.constantFrom("bedrock", "reversed", "spaced"),
      fc.option(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }))),
    )
    .map(([p, form, mutation]) => {
      const json =
        form === "bedrock"
          ? JSON.stringify(p)
          : form === "reversed"
            ? JSON.stringify(Object.fromEntries(Object.entries(p).reverse()))
            : JSON.stringify(p, null, 1);
      const body = new TextEncoder().encode(json);
      if (mutation && body.length) body[mutation[0] % body.length] = mutation[1];
      return body;
    });

  it("for random payloads, orders, whitespace, escapes, control characters and corrupted bytes", () => {
    fc.assert(
      fc.property(bytes, (body) => {
        expect(fast(body)).toEqual(reference(body));
      }),
      { numRuns: runs(20000) },
    );
  });

  it("for the deltas Bedrock sends (taken by the fast path) and for the edge cases around them", () => {
    const cases = [
      '{"contentBlockIndex":0,"delta":{"text":"Hello"},"p":"abcdefghij"}',
      '{"contentBlockIndex":12,"delta":{"text":"a \\"quoted\\" \\\\ line\\n"},"p":"abc"}',
      '{"contentBlockIndex":3,"delta":{"toolUse":{"input":"{\\"city\\":\\"Paris\\"}"}},"p":"x"}',
      '{"contentBlockIndex":1,"delta":{"reasoningContent":{"text":"Let me think"}},"p":""}',
      '{"contentBlockIndex":0,"delta":{"text":"no padding"}}',
      '{"contentBlockIndex":0,"delta":{"text":"caf\u00e9 \ud83d\ude00"},"p":"ab"}',
      '{"contentBlockIndex":0,"delta":{"text":"\\ud83d"},"p":"ab"}',
      '{"contentBlockIndex":01,"delta":{"text":"leading zero"}}',
      '{"contentBlockIndex":-1,"delta":{"text":"negative"}}',
      '{"contentBlockIndex":1.5,"delta":{"text":"fraction"}}',
      '{"contentBlockIndex":1234567890,"delta":{"text":"ten digits"}}',
      '{"contentBlockIndex":0,"delta":{"text":"raw\tcontrol"}}',
      '{"contentBlockIndex":0,"delta":{"text":"bad escape \\x"}}',
      '{"contentBlockIndex":0,"delta":{"text":"unterminated}',
      '{"contentBlockIndex":0,"delta":{"text":"x"},"p":"a\\"b"}',
      '{"contentBlockIndex":0,"delta":{"text":"x"},"p":"ab"} ',
      '{"contentBlockIndex":0,"delta":{"text":"x"},"p":"ab"}}',
      '{"contentBlockIndex":0,"delta":{"text":"x","more":1},"p":"ab"}',
      '{"contentBlockIndex":0,"delta":{"toolUse":{"input":"x"},"p":"ab"}',
      '{"contentBlockIndex":0,"delta":{"text":"x"},"delta":{"text":"y"}}',
      '{"contentBlockIndex":0,"delta":{"text":"x"},"p":"ab","contentBlockIndex":2}',
    ];
    for (const json of cases) {
      const body = new TextEncoder().encode(json);
      expect(fast(body), json).toEqual(reference(body));
    }
    // Invalid UTF-8 inside the text: both paths decode it to U+FFFD the same way.
    const broken = new TextEncoder().encode('{"contentBlockIndex":0,"delta":{"text":"a__b"},"p":"ab"}');
    broken[41] = 0xc3;
    broken[42] = 0x28;
    expect(fast(broken)).toEqual(reference(broken));
    expect((fast(broken) as any).delta.text).toBe("a\ufffd(b");
  });
});
