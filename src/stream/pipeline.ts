import type { ChatEvent, ConverseEvent } from "../types/events.ts";
import { MessageAccumulator } from "./accumulate.ts";
import { type DecoderOptions, EventStreamDecoder, FrameSlot } from "./decode.ts";
import { AsciiBatch, DeltaScanner, deltaOf } from "./delta-scan.ts";
import { isDelta, parseFrame } from "./parse.ts";

/**
 * What the first pass keeps per frame for the second, in `reads` at `q + ReadSlot.X` (esbuild inlines the
 * values: the built code reads plain numbers). Text is undefined for a frame the reference parser takes.
 */
enum ReadSlot {
  /** The delta's string, or its offset in the batch. */
  Text = 0,
  /** Where it ends in the batch. */
  BatchEnd = 1,
  Kind = 2,
  BlockIndex = 3,
  Size = 4,
}

/**
 * The three stages fused into one push call per network chunk: bytes -> frames -> Converse events -> chat
 * events. It holds no rule of its own (each stage owns its checks); it only schedules them. Chained as Web
 * Streams the stages cost 1.4 us more per frame on Node 24 (4.2 on Node 22: bench/stream-crossing.mjs), so the
 * client pays a stream crossing at most once per chunk.
 *
 * An error inside a chunk does not lose the events before it: `feed` returns those, and keeps the error in
 * `error` for the caller to raise after delivering them.
 */
export class ConversePipeline {
  readonly decoder: EventStreamDecoder;
  readonly accumulator: MessageAccumulator = new MessageAccumulator();
  error: unknown;
  private batch = new AsciiBatch();
  private scanner = new DeltaScanner();
  private reads: any[] = [];
  /**
   * Called for each Converse event before accumulation (debug logging, raw consumers). Setting it turns the
   * delta fast path off, so that the hook sees every frame as a Converse event: every frame then goes through
   * JSON.parse (the client sets it only at log level debug).
   */
  onConverseEvent?: (event: ConverseEvent) => void;

  constructor(options?: DecoderOptions) {
    this.decoder = new EventStreamDecoder(options);
  }

  feed(chunk: Uint8Array): ChatEvent[] {
    const out: ChatEvent[] = [];
    if (this.error) return out;
    const decoder = this.decoder;
    const frames = decoder.frames;
    const reads = this.reads;
    try {
      decoder.scan(chunk);
    } catch (error) {
      // Frames completed before the bad byte are still good: deliver them, then fail.
      this.error = error;
    }
    try {
      // First pass: text and tool-input deltas are nearly every frame; their strings are found in place and the
      // short ASCII ones gathered into one batch, decoded by one call after the pass.
      const fast = !this.onConverseEvent;
      const batch = this.batch;
      const scanner = this.scanner;
      // Frames with the same header block share one headers object: checked once per run of them.
      let headers: unknown;
      let delta = false;
      const slots = decoder.frameSlots;
      for (let k = 0, q = 0; k < slots; k += FrameSlot.Size, q += ReadSlot.Size) {
        let text: number | string | undefined;
        const bytes = frames[k + FrameSlot.Bytes];
        const view = frames[k + FrameSlot.View];
        if (frames[k + FrameSlot.Headers] !== headers) {
          headers = frames[k + FrameSlot.Headers];
          delta = fast && isDelta(frames[k + FrameSlot.Headers]);
        }
        if (
          delta &&
          scanner.scan(bytes, view, frames[k + FrameSlot.BodyStart], frames[k + FrameSlot.BodyEnd])
        ) {
          const at = batch.add(bytes, view, scanner.start, scanner.end);
          text = at < 0 ? scanner.text(bytes) : at;
        }
        reads[q + ReadSlot.Text] = text;
        reads[q + ReadSlot.BatchEnd] = batch.fill;
        reads[q + ReadSlot.Kind] = scanner.kind;
        reads[q + ReadSlot.BlockIndex] = scanner.index;
      }
      // Second pass, in frame order: deltas straight to the accumulator, the rest through the reference parser.
      const batched = batch.take();
      const acc = this.accumulator;
      for (let k = 0, q = 0; k < slots; k += FrameSlot.Size, q += ReadSlot.Size) {
        let text = reads[q + ReadSlot.Text];
        if (typeof text === "number") text = batched.slice(text, reads[q + ReadSlot.BatchEnd]);
        if (text !== undefined) {
          acc.delta(reads[q + ReadSlot.BlockIndex], deltaOf(reads[q + ReadSlot.Kind], text), out);
          continue;
        }
        const bytes: Uint8Array = frames[k + FrameSlot.Bytes];
        const event = parseFrame(
          frames[k + FrameSlot.Headers],
          bytes.subarray(frames[k + FrameSlot.BodyStart], frames[k + FrameSlot.BodyEnd]),
          frames[k + FrameSlot.Offset],
        );
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
