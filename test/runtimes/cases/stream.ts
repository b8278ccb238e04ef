import {
  type ChatEvent,
  ConverseEventStream,
  ConversePipeline,
  EventStreamDecoder,
  EventStreamDecoderStream,
  EventStreamError,
  ToolCallAccumulatorStream,
} from "bedrock-edge";
import { deepEqual, equal, match, ok, test } from "./harness.ts";
import {
  bytesOf,
  capture,
  captures,
  type Expected,
  expectedOf,
  fixedChunks,
  prng,
  randomChunks,
} from "./recorded.ts";

const SEEDS = [1, 2, 3];

function runPipeline(chunks: Uint8Array[]) {
  const pipeline = new ConversePipeline();
  const events: ChatEvent[] = [];
  for (const c of chunks) events.push(...pipeline.feed(c));
  events.push(...pipeline.end());
  return { events: events.map(withoutPartial), error: pipeline.error as any, pipeline };
}

// `tool-call-delta.partial` is a lazy, live snapshot (its value depends on when it is read), so event lists
// are compared without it; the final arguments are checked on `tool-call`.
function withoutPartial(event: ChatEvent): ChatEvent {
  if (event.type !== "tool-call-delta") return event;
  const { partial: _, ...rest } = event as ChatEvent & { partial?: unknown };
  return rest as ChatEvent;
}

function checkAgainst(events: ChatEvent[], want: Expected, label: string): void {
  const text = events
    .filter((e) => e.type === "text")
    .map((e: any) => e.text)
    .join("");
  equal(text, want.text, `${label} text`);
  const calls = events.filter((e) => e.type === "tool-call") as Extract<ChatEvent, { type: "tool-call" }>[];
  const clientCalls = calls.filter((c) => want.toolCalls.some((w) => w.id === c.id));
  deepEqual(
    clientCalls.map(({ id, name, arguments: a }) => ({ id, name, arguments: a })),
    want.toolCalls,
    `${label} tool calls`,
  );
  const finish = events.at(-1) as Extract<ChatEvent, { type: "finish" }>;
  equal(finish?.type, "finish", `${label} last event`);
  equal(finish.stopReason, want.stopReason, `${label} stopReason`);
  deepEqual(finish.usage, want.usage, `${label} usage`);
  const reasoning = events
    .filter((e) => e.type === "reasoning")
    .map((e: any) => e.text ?? "")
    .join("");
  equal(reasoning, want.reasoning, `${label} reasoning`);
}

for (const cap of captures.filter((c) => !c.synthetic)) {
  test(`stream pipeline: ${cap.name} matches the recording whole, per byte and in random chunks`, () => {
    const bytes = bytesOf(cap);
    const want = expectedOf(cap);
    const whole = runPipeline([bytes]);
    equal(whole.error, undefined, "error");
    checkAgainst(whole.events, want, "whole");
    const perByte = runPipeline(fixedChunks(bytes, 1));
    equal(perByte.error, undefined, "error (1-byte chunks)");
    deepEqual(perByte.events, whole.events, "1-byte chunks give the same events");
    for (const seed of SEEDS) {
      const random = prng(seed * 7919 + bytes.length);
      const chunked = runPipeline(randomChunks(bytes, random, 1 + Math.floor(random() * 40)));
      equal(chunked.error, undefined, `error (seed ${seed})`);
      deepEqual(chunked.events, whole.events, `random chunks (seed ${seed}) give the same events`);
    }
  });
}

test("stream pipeline: the three TransformStreams chained give the same events as the fused pipeline", async () => {
  for (const name of ["test_bedrock_model_thinking_part_stream", "envoy-ai-gateway_claude_tool_use_cosine"]) {
    const cap = capture(name);
    const bytes = bytesOf(cap);
    const chunks = randomChunks(bytes, prng(42), 25);
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const c of chunks) controller.enqueue(c);
        controller.close();
      },
    });
    const events: ChatEvent[] = [];
    const reader = source
      .pipeThrough(new EventStreamDecoderStream())
      .pipeThrough(new ConverseEventStream())
      .pipeThrough(new ToolCallAccumulatorStream())
      .getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      events.push(withoutPartial(value));
    }
    deepEqual(events, runPipeline([bytes]).events, `${name}: streams vs pipeline`);
    checkAgainst(events, expectedOf(cap), name);
  }
});

test("stream pipeline: a corrupted byte is an EventStreamError at the frame's offset, earlier events kept", () => {
  const cap = capture("test_bedrock_model_stream");
  const bytes = bytesOf(cap);
  const third = cap.frames[3].offset;
  const corrupt = bytes.slice();
  corrupt[third + 20] ^= 0xff;
  const { events, error } = runPipeline(randomChunks(corrupt, prng(9), 12));
  ok(error instanceof EventStreamError, `expected an EventStreamError, got ${error}`);
  equal(error.offset, third, "offset of the corrupted frame");
  const want = cap.frames
    .slice(1, 3)
    .map((f) => JSON.parse(f.payload).delta?.text ?? "")
    .join("");
  equal(
    events
      .filter((e) => e.type === "text")
      .map((e: any) => e.text)
      .join(""),
    want,
    "text before the bad frame",
  );
});

test("stream pipeline: a body cut mid-frame is an error, never a finish", () => {
  const bytes = bytesOf(capture("test_bedrock_model_stream"));
  const { events, error } = runPipeline(fixedChunks(bytes.subarray(0, bytes.length - 30), 100));
  ok(error, "a truncated body must fail");
  match(String(error.message), /truncated/i, "message");
  ok(!events.some((e) => e.type === "finish"), "no finish event for a truncated body");
});

test("stream pipeline: the decoder reports frames with their offsets as recorded", () => {
  const cap = capture("ddtrace_bedrock_converse_stream");
  const frames = new EventStreamDecoder().feed(bytesOf(cap));
  deepEqual(
    frames.map((f) => f.offset),
    cap.frames.map((f) => f.offset),
    "offsets",
  );
  const text = new TextDecoder();
  deepEqual(
    frames.map((f) => text.decode(f.body)),
    cap.frames.map((f) => f.payload),
    "payloads",
  );
});
