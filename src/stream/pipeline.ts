import type { ChatEvent, ConverseEvent } from "../types/events.ts";
import { MessageAccumulator } from "./accumulate.ts";
import { type DecoderOptions, EventStreamDecoder } from "./decode.ts";
import { AsciiBatch, deltaOf, isDelta, parseFrame, scanDelta, scanned, scannedText } from "./parse.ts";

/**
 * The three stages fused into one push call per network chunk: bytes -> frames -> Converse events -> chat
 * events. Chained as Web Streams the stages cost 1.4 us more per frame on Node 24 (4.2 on Node 22, see
 * bench/stream-crossing.mjs), so the client pays a stream crossing at most once per chunk.
 *
 * An error inside a chunk does not lose the events before it: `feed` returns those, and keeps the error in
 * `error` for the caller to raise after delivering them.
 */
export class ConversePipeline {
  readonly decoder: EventStreamDecoder;
  readonly accumulator: MessageAccumulator = new MessageAccumulator();
  error: unknown;
  private batch = new AsciiBatch();
  private reads: any[] = [];
  /** Called for each Converse event before accumulation (debug logging, raw consumers). */
  onConverseEvent?: (event: ConverseEvent) => void;

  constructor(options?: DecoderOptions) {
    this.decoder = new EventStreamDecoder(options);
  }

  feed(chunk: Uint8Array): ChatEvent[] {
    const out: ChatEvent[] = [];
    if (this.error) return out;
    const decoder = this.decoder;
    const f = decoder.frames;
    const r = this.reads;
    try {
      decoder.scan(chunk);
    } catch (error) {
      // Frames completed before the bad byte are still good: deliver them, then fail.
      this.error = error;
    }
    try {
      // Six slots per frame (see EventStreamDecoder.frames): bytes, view, headers, body start, body end, offset.
      // Text and tool-input deltas are nearly every frame: their strings are found in place, the short ASCII
      // ones decoded together, and each goes straight to the accumulator.
      const fast = !this.onConverseEvent;
      const batch = this.batch;
      // Frames with the same header block share one headers object: checked once per run of them.
      let headers: unknown;
      let delta = false;
      const n = decoder.frameSlots;
      for (let k = 0, q = 0; k < n; k += 6, q += 4) {
        let text: number | string | undefined;
        if (f[k + 2] !== headers) {
          headers = f[k + 2];
          delta = fast && isDelta(f[k + 2]);
        }
        if (delta && scanDelta(f[k], f[k + 1], f[k + 3], f[k + 4])) {
          const at = batch.add(f[k], f[k + 1], scanned.start, scanned.end);
          text = at < 0 ? scannedText(f[k]) : at;
        }
        // Per frame: the string (or its offset in the batch), its end there, kind and block index.
        r[q] = text;
        r[q + 1] = batch.fill;
        r[q + 2] = scanned.kind;
        r[q + 3] = scanned.index;
      }
      const all = batch.take();
      const acc = this.accumulator;
      for (let k = 0, q = 0; k < n; k += 6, q += 4) {
        let text = r[q];
        if (typeof text === "number") text = all.slice(text, r[q + 1]);
        if (text !== undefined) {
          acc.delta(r[q + 3], deltaOf(r[q + 2], text), out);
          continue;
        }
        const event = parseFrame(f[k + 2], f[k].subarray(f[k + 3], f[k + 4]), f[k + 5]);
        this.onConverseEvent?.(event);
        acc.push(event, out);
      }
    } catch (error) {
      this.error = error;
    }
    decoder.release();
    return out;
  }

  /** The body ended: checks nothing was cut off and emits `finish`. Sets `error` otherwise. */
  end(): ChatEvent[] {
    const out: ChatEvent[] = [];
    if (this.error) return out;
    try {
      this.decoder.end();
      this.accumulator.end(out);
    } catch (error) {
      this.error = error;
    }
    return out;
  }
}
