import { HeaderMarshaller, type MessageHeaders } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { EventStreamError } from "../client/errors";
import { crc32 } from "./crc32";

/** One decoded `application/vnd.amazon.eventstream` frame. */
export interface EventStreamMessage {
  headers: MessageHeaders;
  body: Uint8Array;
  /** Byte offset of the frame in the response body (for error messages). */
  offset: number;
}

export interface DecoderOptions {
  /** Largest frame accepted; a larger declared length is rejected before anything is buffered. */
  maxFrameBytes?: number;
}

const PRELUDE = 12; // total length, headers length, prelude CRC
const MIN_FRAME = 16; // prelude + message CRC
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

/**
 * Push decoder: `feed()` a network chunk, get back every frame it completed. Frames may be split anywhere;
 * a partial frame is copied once into a buffer of its declared size, never re-copied as chunks arrive.
 */
export class EventStreamDecoder {
  private readonly maxFrame: number;
  private readonly headerParser = new HeaderMarshaller(toUtf8, fromUtf8);
  // Bedrock repeats a handful of header blocks; parsing each once keeps UTF-8 decoding off the hot path.
  private headerCache: { bytes: Uint8Array; headers: MessageHeaders }[] = [];
  private prelude = new Uint8Array(PRELUDE);
  private preludeFill = 0;
  private frame: Uint8Array | undefined;
  private frameFill = 0;
  private frameStart = 0;
  /** Bytes consumed so far: the offset of the next byte fed. */
  offset = 0;

  constructor(options: DecoderOptions = {}) {
    this.maxFrame = options.maxFrameBytes ?? MAX_FRAME_BYTES;
  }

  /** Decodes what `chunk` completes. Throws EventStreamError on malformed bytes. */
  feed(chunk: Uint8Array, out: EventStreamMessage[] = []): EventStreamMessage[] {
    let i = 0;
    const n = chunk.length;
    // Finish a frame carried over from earlier chunks.
    if (this.preludeFill > 0 || this.frame) {
      i = this.continuePartial(chunk, out);
    }
    // Whole frames inside this chunk are decoded in place, without copying.
    while (n - i >= PRELUDE) {
      const at = this.offset + i;
      const total = this.checkPrelude(chunk, i, at);
      if (n - i < total) break;
      out.push(this.decodeFrame(chunk.subarray(i, i + total), at));
      i += total;
    }
    if (i < n) this.startPartial(chunk, i);
    this.offset += n;
    return out;
  }

  /** Call at the end of the body: leftover bytes mean the stream was cut mid-frame. */
  end(): void {
    if (this.preludeFill > 0 || this.frame) {
      const have = this.frame ? this.frameFill : this.preludeFill;
      const want = this.frame ? `${this.frame.length}-byte frame` : "frame prelude";
      throw new EventStreamError(
        `Response ended inside a ${want} (${have} bytes received): the stream was truncated`,
        this.frameStart,
      );
    }
  }

  private startPartial(chunk: Uint8Array, i: number): void {
    this.frameStart = this.offset + i;
    const rest = chunk.length - i;
    if (rest < PRELUDE) {
      this.prelude.set(chunk.subarray(i), 0);
      this.preludeFill = rest;
      return;
    }
    const total = this.checkPrelude(chunk, i, this.frameStart);
    this.frame = new Uint8Array(total);
    this.frame.set(chunk.subarray(i), 0);
    this.frameFill = rest;
  }

  private continuePartial(chunk: Uint8Array, out: EventStreamMessage[]): number {
    let i = 0;
    if (!this.frame) {
      const take = Math.min(PRELUDE - this.preludeFill, chunk.length);
      this.prelude.set(chunk.subarray(0, take), this.preludeFill);
      this.preludeFill += take;
      i = take;
      if (this.preludeFill < PRELUDE) return i;
      const total = this.checkPrelude(this.prelude, 0, this.frameStart);
      this.frame = new Uint8Array(total);
      this.frame.set(this.prelude, 0);
      this.frameFill = PRELUDE;
      this.preludeFill = 0;
    }
    const frame = this.frame;
    const take = Math.min(frame.length - this.frameFill, chunk.length - i);
    frame.set(chunk.subarray(i, i + take), this.frameFill);
    this.frameFill += take;
    i += take;
    if (this.frameFill === frame.length) {
      this.frame = undefined;
      out.push(this.decodeFrame(frame, this.frameStart));
    }
    return i;
  }

  /** Validates a 12-byte prelude and returns the frame's total length. */
  private checkPrelude(bytes: Uint8Array, i: number, at: number): number {
    const view = new DataView(bytes.buffer, bytes.byteOffset + i, PRELUDE);
    const total = view.getUint32(0);
    const headersLength = view.getUint32(4);
    if (crc32(bytes, i, i + 8) !== view.getUint32(8)) {
      throw new EventStreamError("Prelude CRC mismatch (corrupted frame length or not an event stream)", at);
    }
    if (total < MIN_FRAME) throw new EventStreamError(`Frame length ${total} is below the 16-byte minimum`, at);
    if (total > this.maxFrame) {
      throw new EventStreamError(`Frame length ${total} exceeds the ${this.maxFrame}-byte limit`, at);
    }
    if (headersLength > total - MIN_FRAME) {
      throw new EventStreamError(`Headers length ${headersLength} does not fit in a ${total}-byte frame`, at);
    }
    return total;
  }

  private decodeFrame(frame: Uint8Array, at: number): EventStreamMessage {
    const total = frame.length;
    const view = new DataView(frame.buffer, frame.byteOffset, total);
    const expected = view.getUint32(total - 4);
    // The message CRC covers the prelude too: continue from the prelude's CRC, stored in bytes 8..12.
    if (crc32(frame, 8, total - 4, view.getUint32(8)) !== expected) {
      throw new EventStreamError("Message CRC mismatch (corrupted headers or payload)", at);
    }
    const headersLength = view.getUint32(4);
    const headerBytes = frame.subarray(PRELUDE, PRELUDE + headersLength);
    return { headers: this.parseHeaders(headerBytes, at), body: frame.subarray(PRELUDE + headersLength, total - 4), offset: at };
  }

  private parseHeaders(bytes: Uint8Array, at: number): MessageHeaders {
    const cache = this.headerCache;
    for (let c = 0; c < cache.length; c++) {
      if (sameBytes(cache[c].bytes, bytes)) return cache[c].headers;
    }
    let headers: MessageHeaders;
    try {
      headers = this.headerParser.parse(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (error) {
      throw new EventStreamError(`Malformed frame headers (${(error as Error).message})`, at);
    }
    Object.freeze(headers);
    if (cache.length >= 16) cache.pop();
    cache.unshift({ bytes: bytes.slice(), headers });
    return headers;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `TransformStream` over EventStreamDecoder: bytes in, frames out. */
export class EventStreamDecoderStream extends TransformStream<Uint8Array, EventStreamMessage> {
  constructor(options?: DecoderOptions) {
    const decoder = new EventStreamDecoder(options);
    super({
      transform(chunk, controller) {
        for (const message of decoder.feed(chunk)) controller.enqueue(message);
      },
      flush() {
        decoder.end();
      },
    });
  }
}
