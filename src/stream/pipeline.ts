import { ToolCallAccumulator } from "./accumulate";
import { type DecoderOptions, EventStreamDecoder, type EventStreamMessage } from "./decode";
import type { ChatEvent, ConverseEvent } from "./events";
import { deltaPayload, parseConverseMessage } from "./parse";

/**
 * The three stages fused into one push call per network chunk: bytes -> frames -> Converse events -> chat
 * events. Web Streams cost ~9 us per item crossing on Node 20, so the client pays that at most once per chunk.
 *
 * An error inside a chunk does not lose the events before it: `feed` returns those, and keeps the error in
 * `error` for the caller to raise after delivering them.
 */
export class ConversePipeline {
  readonly decoder: EventStreamDecoder;
  readonly accumulator = new ToolCallAccumulator();
  error: unknown;
  private frames: EventStreamMessage[] = [];
  /** Called for each Converse event before accumulation (debug logging, raw consumers). */
  onConverseEvent?: (event: ConverseEvent) => void;

  constructor(options?: DecoderOptions) {
    this.decoder = new EventStreamDecoder(options);
  }

  feed(chunk: Uint8Array): ChatEvent[] {
    const out: ChatEvent[] = [];
    if (this.error) return out;
    const frames = this.frames;
    frames.length = 0;
    try {
      this.decoder.feed(chunk, frames);
    } catch (error) {
      // Frames completed before the bad byte are still good: deliver them, then fail.
      this.error = error;
    }
    try {
      const acc = this.accumulator;
      const fast = !this.onConverseEvent;
      for (let i = 0; i < frames.length; i++) {
        const frame = frames[i];
        // Text and tool-input deltas are nearly every frame: straight from payload to accumulator.
        const delta = fast ? deltaPayload(frame.headers, frame.body, frame.offset) : undefined;
        if (delta) {
          acc.delta(delta.contentBlockIndex, delta.delta, out);
          continue;
        }
        const event = parseConverseMessage(frame);
        this.onConverseEvent?.(event);
        acc.push(event, out);
      }
    } catch (error) {
      this.error = error;
    }
    frames.length = 0; // do not hold the chunk until the next one
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
