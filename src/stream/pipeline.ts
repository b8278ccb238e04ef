import { type DecoderOptions, EventStreamDecoder, type EventStreamMessage } from "./decode";
import type { ChatEvent, ConverseEvent } from "./events";
import { parseConverseMessage } from "./parse";
import { ToolCallAccumulator } from "./accumulate";

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
      for (let i = 0; i < frames.length; i++) {
        const event = parseConverseMessage(frames[i]);
        this.onConverseEvent?.(event);
        this.accumulator.push(event, out);
      }
    } catch (error) {
      this.error = error;
    }
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
