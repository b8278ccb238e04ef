import { prng } from "../helpers/fixtures";
import { eventFrame } from "../helpers/frames";

export interface GeneratedStream {
  body: ReadableStream<Uint8Array>;
  /** Bytes handed out so far. */
  readonly produced: number;
  /** Text deltas and the text they carry, known once the body has ended. */
  readonly deltas: number;
  readonly textLength: number;
}

/**
 * A ConverseStream body of about `totalBytes`, made on the fly: text deltas whose `p` padding (as AWS pads)
 * ranges from 100 B to 200 KB, cut into network chunks of 1-128 KB that do not line up with frames. Only
 * the chunk being handed out exists at any time; no buffer of the whole body is ever built. `beforeChunk` runs
 * (and is awaited) before each chunk is made, e.g. to sample memory.
 */
export function generatedStream(
  totalBytes: number,
  options: { seed?: number; beforeChunk?: (produced: number) => void | Promise<void> } = {},
): GeneratedStream {
  const { seed = 1, beforeChunk } = options;
  const random = prng(seed);
  // A few frame shapes, encoded once and copied per use (a copy stands for a fresh network buffer).
  const paddings = [100, 1_000, 7_000, 31_000, 64_000, 200_000];
  const deltas = paddings.map((n, i) =>
    eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: `w${i} ` }, p: "x".repeat(n) }),
  );
  const textOf = paddings.map((_, i) => `w${i} `.length);
  const head = [eventFrame("messageStart", { role: "assistant" })];
  const tail = [
    eventFrame("contentBlockStop", { contentBlockIndex: 0 }),
    eventFrame("messageStop", { stopReason: "end_turn" }),
    eventFrame("metadata", {
      usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 },
      metrics: { latencyMs: 1 },
    }),
  ];
  const state = { produced: 0, deltas: 0, textLength: 0 };
  let current: Uint8Array = head[0];
  let at = 0;
  let tailIndex = -1;
  const nextFrame = (): Uint8Array | undefined => {
    if (tailIndex >= 0) return tail[++tailIndex];
    if (state.produced >= totalBytes) {
      tailIndex = 0;
      return tail[0];
    }
    const k = Math.floor(random() * deltas.length);
    state.deltas++;
    state.textLength += textOf[k];
    return deltas[k];
  };
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        await beforeChunk?.(state.produced);
        const size = 1024 + Math.floor(random() * 127 * 1024);
        const chunk = new Uint8Array(size);
        let filled = 0;
        while (filled < size) {
          if (at === current.length) {
            const next = nextFrame();
            if (!next) break;
            current = next;
            at = 0;
          }
          const take = Math.min(size - filled, current.length - at);
          chunk.set(current.subarray(at, at + take), filled);
          filled += take;
          at += take;
        }
        state.produced += filled;
        if (filled > 0) controller.enqueue(filled === size ? chunk : chunk.slice(0, filled));
        if (filled < size) controller.close();
      },
    },
    { highWaterMark: 0 },
  );
  return {
    body,
    get produced() {
      return state.produced;
    },
    get deltas() {
      return state.deltas;
    },
    get textLength() {
      return state.textLength;
    },
  };
}
