// Turns a plan (frames, pauses, a cut, a reset) into a pull-based ReadableStream: nothing is produced
// before the consumer asks, so a slow reader applies backpressure all the way to the plan.

export type Step =
  /** Bytes to send; built lazily so values like latencyMs are measured when the frame goes out. */
  | { type: "bytes"; build: () => Uint8Array }
  | { type: "sleep"; ms: number }
  /** Abort the body: the consumer sees an error (over HTTP, a reset connection). */
  | { type: "reset" };

export interface BodyStreamOptions {
  /** Re-chunk the bytes into pieces of exactly this many bytes (the last piece before a pause may be shorter). */
  chunkSize?: number;
  /** Any of these aborting stops the plan: pending pauses end and the stream errors. */
  signals?: readonly (AbortSignal | undefined)[];
}

export function createBodyStream(steps: Step[], options: BodyStreamOptions = {}): ReadableStream<Uint8Array> {
  const { chunkSize } = options;
  const signals = (options.signals ?? []).filter((s): s is AbortSignal => s !== undefined);
  let index = 0;
  let pending: Uint8Array = new Uint8Array(0);
  // Ends pauses early when the consumer cancels or `signal` aborts, so no timer outlives the stream.
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  for (const signal of signals) signal.addEventListener("abort", onAbort, { once: true });
  const finish = () => {
    for (const signal of signals) signal.removeEventListener("abort", onAbort);
  };

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          if (stop.signal.aborted) {
            finish();
            const aborted = signals.find((signal) => signal.aborted);
            if (aborted) controller.error(aborted.reason);
            return;
          }
          if (chunkSize && pending.length >= chunkSize) {
            controller.enqueue(pending.slice(0, chunkSize));
            pending = pending.subarray(chunkSize);
            return;
          }
          const step = steps[index];
          // Before a pause, a reset or the end, whatever is buffered goes out so nothing waits behind it.
          if (pending.length > 0 && step?.type !== "bytes") {
            controller.enqueue(pending.slice());
            pending = new Uint8Array(0);
            return;
          }
          if (!step) {
            finish();
            return controller.close();
          }
          index++;
          if (step.type === "sleep") {
            await sleep(step.ms, stop.signal);
            continue;
          }
          if (step.type === "reset") {
            finish();
            return controller.error(new Error("emulator fault: stream reset"));
          }
          const bytes = step.build();
          if (!chunkSize) {
            if (bytes.length > 0) return controller.enqueue(bytes);
            continue;
          }
          pending = concat(pending, bytes);
        }
      },
      cancel() {
        stop.abort();
        finish();
      },
    },
    { highWaterMark: 0 },
  );
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Resolves after `ms`, or early when `signal` aborts (callers check `signal.aborted` afterwards). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
