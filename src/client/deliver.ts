import type { ToolCallAccumulator } from "../stream/accumulate.ts";
import type { ChatEvent } from "../stream/events.ts";
import { AbortError } from "./errors.ts";

/** A running call: its batches of events, and what each batch is shown to before the caller gets it. */
export interface OpenCall<E = ChatEvent, R = ToolCallAccumulator> {
  run: AsyncGenerator<E[], R>;
  onEvents(events: E[]): void;
}

/** A ReadableStream of chat events that is also async-iterable (`for await`). */
export type ChatEventStream = ReadableStream<ChatEvent> & AsyncIterable<ChatEvent>;

/** Runs a call to its end, handing each batch to `onEvents`; returns the accumulator. Stops the run on failure. */
export async function drain<E, R>({ run, onEvents }: OpenCall<E, R>): Promise<R> {
  try {
    for (;;) {
      const step = await run.next();
      if (step.done) return step.value;
      onEvents(step.value);
    }
  } catch (error) {
    await run.return(undefined as never).catch(() => {});
    throw error;
  }
}

/**
 * A call as a stream of chat events. `open` plans and starts it with the stream's own signal (a throw errors
 * the stream); `onError` hears of each failure once. Cancelling the stream (or `break` in `for await`) aborts
 * the HTTP request and releases the connection.
 */
export function eventStream<E = ChatEvent>(
  open: (signal: AbortSignal) => OpenCall<E, unknown>,
  user: AbortSignal | undefined,
  onError: (error: unknown) => void,
): ReadableStream<E> & AsyncIterable<E> {
  const cancel = new AbortController();
  const onUserAbort = () => cancel.abort(user!.reason);
  // A long-lived signal shared by many calls must not collect one listener per stream: detach when done.
  const detach = () => user?.removeEventListener("abort", onUserAbort);
  if (user) {
    if (user.aborted) cancel.abort(user.reason);
    else user.addEventListener("abort", onUserAbort, { once: true });
  }
  let call: OpenCall<E, unknown> | undefined;
  /** The next batch, or undefined at the end or once the reader cancelled; a failure is reported once. */
  const next = async (): Promise<E[] | undefined> => {
    try {
      const step = await call!.run.next();
      if (step.done) {
        detach();
        return undefined;
      }
      call!.onEvents(step.value);
      return step.value;
    } catch (error) {
      detach();
      if (cancel.signal.aborted && !user?.aborted) return undefined; // cancelled by the reader: nothing to report
      onError(error);
      throw error;
    }
  };
  const readable = new ReadableStream<E>(
    {
      start() {
        try {
          call = open(cancel.signal);
        } catch (error) {
          detach();
          onError(error);
          throw error;
        }
      },
      async pull(controller) {
        try {
          const batch = await next();
          if (!batch) return controller.close();
          for (const event of batch) controller.enqueue(event);
        } catch (error) {
          controller.error(error);
        }
      },
      async cancel() {
        detach();
        cancel.abort(new AbortError("The stream was cancelled", { phase: "stream" }));
        await call?.run.return(undefined as never).catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
  // `for await` takes whole batches from the call: a stream read, or an async generator step, per event costs
  // ~0.5 us on Node 20 (a third of the pipeline's time on a long answer); a resolved promise costs a tenth. It
  // locks the stream as the built-in iterator does, and leaving the loop early cancels it (aborting the request).
  (readable as any)[Symbol.asyncIterator] = (): AsyncIterableIterator<E> => {
    let reader: ReadableStreamDefaultReader<E> | undefined = readable.getReader();
    let batch: E[] = [];
    let i = 0;
    const stop = async (release: boolean) => {
      const held = reader;
      reader = undefined;
      if (release) held?.releaseLock();
      else await held?.cancel().catch(() => {});
      return { done: true, value: undefined } as const;
    };
    const refill = async (): Promise<IteratorResult<E>> => {
      while (reader) {
        let more: E[] | undefined;
        try {
          more = await next();
        } catch (error) {
          await stop(false);
          throw error;
        }
        if (!more) return stop(true);
        batch = more;
        i = 0;
        if (more.length) return { done: false, value: more[i++] };
      }
      return { done: true, value: undefined };
    };
    return {
      next: () => (i < batch.length ? Promise.resolve({ done: false, value: batch[i++] }) : refill()),
      return: () => stop(false),
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  };
  return readable as ReadableStream<E> & AsyncIterable<E>;
}

/** Adds `Symbol.asyncIterator` where the runtime's ReadableStream lacks it (Safari). */
export function asyncIterable<T>(readable: ReadableStream<T>): ReadableStream<T> & AsyncIterable<T> {
  const stream = readable;
  // Checked on a plain object: where the runtime's types already make streams iterable (Deno), an `in` check on
  // the stream itself would narrow it to never.
  if (!(Symbol.asyncIterator in (stream as object))) {
    (stream as any)[Symbol.asyncIterator] = async function* () {
      const reader = stream.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          yield value;
        }
      } finally {
        reader.cancel().catch(() => {});
      }
    };
  }
  return readable as ReadableStream<T> & AsyncIterable<T>;
}
