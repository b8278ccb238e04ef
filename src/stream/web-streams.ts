// The three stages as Web Streams, for `body.pipeThrough(...)` chains: bytes -> frames -> Converse events ->
// chat events. The client does not use these: it runs the same stages fused (ConversePipeline). Both paths
// deliver the same events and the same error (test/stream/paths-agree.test.ts).
import type { ChatEvent, ConverseEvent } from "../types/events.ts";
import { MessageAccumulator } from "./accumulate.ts";
import { type DecoderOptions, EventStreamDecoder, type EventStreamMessage } from "./decode.ts";
import { parseConverseMessage } from "./parse.ts";

/**
 * A stage as a `{ writable, readable }` pair: `push` turns one input into outputs, `end` runs when the input
 * ends. Unlike a TransformStream, whose error discards what it had queued, a failing stage first lets the
 * reader take every output made before the failure, then errors, as the fused pipeline does. One chunk is in
 * flight at a time: a write resolves once the reader has taken its outputs.
 *
 * The streams are made when a stage is constructed, never at import: touching the Web Streams globals loads
 * Node's implementation (~3 ms of cold start, bench/consumers.mjs) for callers who never chain.
 */
export function stageStream<I, O>(
  push: (input: I, out: O[]) => void,
  end: (out: O[]) => void = () => {},
): TransformStream<I, O> {
  const queue: O[] = [];
  let failure: { error: unknown } | undefined;
  let ended = false;
  let cancelled: { reason: unknown } | undefined;
  let wakeReader: (() => void) | undefined;
  let wakeWriter: (() => void) | undefined;
  const wake = () => {
    wakeReader?.();
    wakeReader = undefined;
  };
  const run = (step: () => void) => {
    if (!failure)
      try {
        step();
      } catch (error) {
        failure = { error };
      }
    wake();
  };
  const readable = new ReadableStream<O>({
    async pull(controller) {
      while (!queue.length && !failure && !ended)
        await new Promise<void>((resolve) => (wakeReader = resolve));
      if (queue.length) {
        for (const item of queue) controller.enqueue(item);
        queue.length = 0;
        wakeWriter?.();
      } else if (failure) controller.error(failure.error);
      else controller.close();
    },
    cancel(reason) {
      cancelled = { reason };
      wakeWriter?.();
    },
  });
  const writable = new WritableStream<I>({
    write(input) {
      if (cancelled) throw cancelled.reason;
      run(() => push(input, queue));
      // The upstream stops at the failure: its source (a response body) is cancelled.
      if (failure) throw failure.error;
      if (queue.length) return new Promise<void>((resolve) => (wakeWriter = resolve));
    },
    close() {
      run(() => end(queue));
      ended = true;
      wake();
    },
    abort(reason) {
      // An upstream stage failed: what this one made before is still read first.
      failure ??= { error: reason };
      wake();
    },
  });
  return { readable, writable };
}

/** Bytes in, event-stream frames out (EventStreamDecoder). */
export interface EventStreamDecoderStream extends TransformStream<Uint8Array, EventStreamMessage> {}
function decoderStream(options?: DecoderOptions): EventStreamDecoderStream {
  const decoder = new EventStreamDecoder(options);
  return stageStream<Uint8Array, EventStreamMessage>(
    (chunk, out) => decoder.feed(chunk, out),
    () => decoder.end(),
  );
}

/** Frames in, Converse events out (parseConverseMessage). */
export interface ConverseEventStream extends TransformStream<EventStreamMessage, ConverseEvent> {}
function converseEventStream(): ConverseEventStream {
  return stageStream<EventStreamMessage, ConverseEvent>((message, out) => {
    out.push(parseConverseMessage(message));
  });
}

type AccumulatorOptions = ConstructorParameters<typeof MessageAccumulator>[0];

/** Converse events in, chat events out (MessageAccumulator): deltas, tool calls, usage and `finish`. */
export interface MessageAccumulatorStream extends TransformStream<ConverseEvent, ChatEvent> {}
function accumulatorStream(options?: AccumulatorOptions): MessageAccumulatorStream {
  const accumulator = new MessageAccumulator(options);
  return stageStream<ConverseEvent, ChatEvent>(
    (event, out) => accumulator.push(event, out),
    (out) => accumulator.end(out),
  );
}

// Used with `new`, as the classes they were: a function declaration that returns an object is constructible,
// and these build no Web Streams object until called.
export const EventStreamDecoderStream = decoderStream as unknown as new (
  options?: DecoderOptions,
) => EventStreamDecoderStream;
export const ConverseEventStream = converseEventStream as unknown as new () => ConverseEventStream;
export const MessageAccumulatorStream = accumulatorStream as unknown as new (
  options?: AccumulatorOptions,
) => MessageAccumulatorStream;

/** The accumulator's stream under its first name. */
export type ToolCallAccumulatorStream = MessageAccumulatorStream;
export const ToolCallAccumulatorStream = MessageAccumulatorStream;
