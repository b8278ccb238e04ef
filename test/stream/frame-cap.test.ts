// The frame size cap at its boundary: a frame of exactly `maxFrameBytes` decodes, one byte more is refused from
// its 12-byte prelude, before the decoder waits for (or allocates) the body. With the 16 MiB default and with a
// caller's cap, through the push decoder, the decoder stream and the fused pipeline.
import { describe, expect, it } from "vitest";
import { EventStreamError } from "../../src/errors";
import { EventStreamDecoder, MAX_FRAME_BYTES } from "../../src/stream/decode";
import { ConversePipeline } from "../../src/stream/pipeline";
import { EventStreamDecoderStream } from "../../src/stream/web-streams";
import { concat } from "../helpers/bytes";
import { eventFrame } from "../helpers/frames";

const BARE = eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "" } }).length;

/** A text-delta frame of exactly `total` bytes (each character of ASCII text adds one byte), and its text. */
function frameOf(total: number) {
  const text = "a".repeat(total - BARE);
  const bytes = eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text } });
  expect(bytes.length).toBe(total);
  return { bytes, text };
}

const textOf = (body: Uint8Array) => JSON.parse(new TextDecoder().decode(body)).delta.text;

const limitError = (cap: number, offset = 0) =>
  new RegExp(`^Frame length ${cap + 1} exceeds the ${cap}-byte limit at byte ${offset}$`);

/** What a readable of frames gives when fed `chunks` and left open (a body that has not ended). */
async function firstRead(chunks: Uint8Array[], options?: { maxFrameBytes?: number }) {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
    },
  });
  const reader = body.pipeThrough(new EventStreamDecoderStream(options)).getReader();
  const stillWaiting = new Promise((r) => setTimeout(() => r("still waiting for more bytes"), 2_000));
  return Promise.race([
    reader.read().then(
      (r) => r.value,
      (e) => e,
    ),
    stillWaiting,
  ]);
}

const caps = [
  { name: "the 16 MiB default", cap: MAX_FRAME_BYTES, options: undefined },
  { name: "a caller's maxFrameBytes of 4096", cap: 4096, options: { maxFrameBytes: 4096 } },
];

describe.each(caps)("frame size cap: $name", ({ cap, options }) => {
  const { bytes: exact, text } = frameOf(cap);
  const over = frameOf(cap + 1).bytes;

  it("EventStreamDecoder: a frame of exactly the cap decodes, whole or split", () => {
    const whole = new EventStreamDecoder(options).feed(exact);
    expect(whole).toHaveLength(1);
    expect(textOf(whole[0].body) === text).toBe(true);
    // Cut inside the prelude: the frame is buffered at its declared size, then completed.
    const split = new EventStreamDecoder(options);
    const got = [...split.feed(exact.subarray(0, 7)), ...split.feed(exact.subarray(7))];
    split.end();
    expect(got).toHaveLength(1);
    expect(textOf(got[0].body) === text).toBe(true);
  });

  it("EventStreamDecoder: one byte over is an EventStreamError from the 12-byte prelude alone", () => {
    const decoder = new EventStreamDecoder(options);
    let error: unknown;
    try {
      decoder.feed(over.subarray(0, 12));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EventStreamError);
    expect((error as Error).message).toMatch(limitError(cap));
    expect((error as EventStreamError).offset).toBe(0);
    // The whole frame at once, after a good one: the same error, at the frame's offset.
    const after = new EventStreamDecoder(options);
    const out: unknown[] = [];
    expect(() => after.feed(concat(exact, over.subarray(0, 12)), out as never)).toThrow(
      limitError(cap, exact.length),
    );
    expect(out).toHaveLength(1);
  });

  it("EventStreamDecoderStream: exactly the cap passes; one over errors the stream from the prelude", async () => {
    const frame = (await firstRead([exact], options)) as { body: Uint8Array };
    expect(textOf(frame.body) === text).toBe(true);
    // Only the prelude has arrived and the body stays open: the error comes now, not when the frame would end.
    const error = await firstRead([over.subarray(0, 12)], options);
    expect(error).toBeInstanceOf(EventStreamError);
    expect((error as Error).message).toMatch(limitError(cap));
  });

  it("ConversePipeline: exactly the cap is one text event; one over sets the error from the prelude", () => {
    const ok = new ConversePipeline(options);
    const events = ok.feed(exact);
    expect(ok.error).toBeUndefined();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "text", index: 0 });
    expect((events[0] as { text: string }).text === text).toBe(true);
    const refused = new ConversePipeline(options);
    expect(refused.feed(over.subarray(0, 12))).toEqual([]);
    expect(refused.error).toBeInstanceOf(EventStreamError);
    expect((refused.error as Error).message).toMatch(limitError(cap));
  });
});
