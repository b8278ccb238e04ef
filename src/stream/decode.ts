import { EventStreamError } from "../errors/index.ts";
import { crc32 } from "./crc32.ts";

/** A frame header's value, tagged with its wire type. */
export type HeaderValue =
  | { type: "boolean"; value: boolean }
  | { type: "byte" | "short" | "integer"; value: number }
  | { type: "long"; value: bigint }
  | { type: "binary"; value: Uint8Array }
  | { type: "string" | "uuid"; value: string }
  | { type: "timestamp"; value: Date };

export type MessageHeaders = Record<string, HeaderValue>;

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
 * Header blocks up to this size are cached (Bedrock's are ~90 bytes; 16 of them at most): a larger one is parsed
 * and CRC-checked once, in time linear in its size, and never kept.
 */
export const MAX_CACHED_HEADER_BYTES = 1024;

/**
 * @internal The slots of one frame in `EventStreamDecoder.frames`, at `k + FrameSlot.X` for the frame at `k`
 * (esbuild inlines the values: the built code reads plain numbers).
 */
export enum FrameSlot {
  /** The chunk (or the reassembled frame) holding the frame. */
  Bytes = 0,
  /** A DataView of Bytes. */
  View = 1,
  /** The parsed headers (shared by frames with the same header block). */
  Headers = 2,
  /** Where the payload starts in Bytes. */
  BodyStart = 3,
  /** Where the payload ends in Bytes (the message CRC follows). */
  BodyEnd = 4,
  /** The frame's offset in the response body, for errors. */
  Offset = 5,
  /** Slots per frame. */
  Size = 6,
}

/**
 * Push decoder: `feed()` a network chunk, get back every frame it completed. Frames may be split anywhere;
 * a partial frame is copied once into a buffer of its declared size, never re-copied as chunks arrive.
 */
export class EventStreamDecoder {
  private readonly maxFrame: number;
  // Bedrock repeats a handful of header blocks: each is parsed once, later frames compare bytes in place.
  private headerCache: {
    length: number;
    words: number[];
    headers: MessageHeaders;
    own: number;
    cols: number[];
  }[] = [];
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

  /**
   * @internal Frames completed by the last `scan`, FrameSlot.Size slots each, `frameSlots` of them in use. The
   * pipeline reads them without a frame object or a body view per frame; the array is reused (written in
   * place: emptying and regrowing it per chunk cost 7 to 15% on the "bedrock-edge pipeline" bench,
   * bench/throughput.mjs; docs/performance.md, "Second pass").
   */
  readonly frames: any[] = [];
  frameSlots = 0;

  /** Decodes what `chunk` completes. Throws EventStreamError on malformed bytes. */
  feed(chunk: Uint8Array, out: EventStreamMessage[] = []): EventStreamMessage[] {
    const f = this.frames;
    try {
      this.scan(chunk);
    } finally {
      // Frames before a bad byte are still delivered (in `out`, which the caller may hold).
      for (let k = 0; k < this.frameSlots; k += FrameSlot.Size)
        out.push({
          headers: f[k + FrameSlot.Headers],
          body: f[k + FrameSlot.Bytes].subarray(f[k + FrameSlot.BodyStart], f[k + FrameSlot.BodyEnd]),
          offset: f[k + FrameSlot.Offset],
        });
      this.release();
    }
    return out;
  }

  /** @internal Drops the slots' references to the chunk (it is not held until the next one). */
  release(): void {
    for (let k = 0; k < this.frameSlots; k += FrameSlot.Size)
      this.frames[k + FrameSlot.Bytes] = this.frames[k + FrameSlot.View] = undefined;
    this.frameSlots = 0;
  }

  /** @internal `feed` into `frames` (emptied first). Throws EventStreamError on malformed bytes. */
  scan(chunk: Uint8Array): void {
    this.frameSlots = 0;
    let i = 0;
    const n = chunk.length;
    const view = new DataView(chunk.buffer, chunk.byteOffset, n);
    // Finish a frame carried over from earlier chunks.
    if (this.preludeFill > 0 || this.frame) {
      i = this.continuePartial(chunk);
    }
    // Whole frames inside this chunk are decoded in place, without copying.
    while (n - i >= PRELUDE) {
      const at = this.offset + i;
      const total = this.checkPrelude(chunk, view, i, at);
      if (n - i < total) break;
      this.decodeFrame(chunk, view, i, total, at);
      i += total;
    }
    if (i < n) this.startPartial(chunk, view, i);
    this.offset += n;
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

  private startPartial(chunk: Uint8Array, view: DataView, i: number): void {
    this.frameStart = this.offset + i;
    const rest = chunk.length - i;
    if (rest < PRELUDE) {
      this.prelude.set(chunk.subarray(i), 0);
      this.preludeFill = rest;
      return;
    }
    const total = this.checkPrelude(chunk, view, i, this.frameStart);
    this.frame = new Uint8Array(total);
    this.frame.set(chunk.subarray(i), 0);
    this.frameFill = rest;
  }

  private continuePartial(chunk: Uint8Array): number {
    let i = 0;
    if (!this.frame) {
      const take = Math.min(PRELUDE - this.preludeFill, chunk.length);
      this.prelude.set(chunk.subarray(0, take), this.preludeFill);
      this.preludeFill += take;
      i = take;
      if (this.preludeFill < PRELUDE) return i;
      const total = this.checkPrelude(this.prelude, new DataView(this.prelude.buffer), 0, this.frameStart);
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
      this.decodeFrame(frame, new DataView(frame.buffer), 0, frame.length, this.frameStart);
    }
    return i;
  }

  /** Validates a 12-byte prelude and returns the frame's total length. */
  private checkPrelude(bytes: Uint8Array, view: DataView, i: number, at: number): number {
    const total = view.getUint32(i);
    if (crc32(bytes, i, i + 8, 0, view) !== view.getUint32(i + 8)) {
      throw new EventStreamError("Prelude CRC mismatch (corrupted frame length or not an event stream)", at);
    }
    if (total < MIN_FRAME)
      throw new EventStreamError(`Frame length ${total} is below the 16-byte minimum`, at);
    if (total > this.maxFrame) {
      throw new EventStreamError(`Frame length ${total} exceeds the ${this.maxFrame}-byte limit`, at);
    }
    const headersLength = view.getUint32(i + 4);
    if (headersLength > total - MIN_FRAME) {
      throw new EventStreamError(`Headers length ${headersLength} does not fit in a ${total}-byte frame`, at);
    }
    return total;
  }

  /** Checks the message CRC of the (prelude-checked) frame at `bytes[i..i+total)` and adds it to `frames`. */
  private decodeFrame(bytes: Uint8Array, view: DataView, i: number, total: number, at: number): void {
    const end = i + total - 4;
    const start = i + PRELUDE;
    const headersEnd = start + view.getUint32(i + 4);
    // The message CRC covers the prelude too: continue from the prelude's CRC, stored in bytes 8..12. A header
    // block equal to a cached one (~40% of a Bedrock frame) is not run through the CRC loop again: its share is
    // known. This gives the CRC of the bytes as they are, so any corruption is still caught.
    const cached = headersEnd - start <= MAX_CACHED_HEADER_BYTES;
    const entry = cached ? this.find(view, start, headersEnd) : undefined;
    let crc = view.getUint32(i + 8);
    if (entry) {
      // The CRC is linear: across the block, state s becomes own ^ the columns of s's set bits.
      let s = ~crc32(bytes, i + 8, start, crc, view);
      let h = entry.own;
      for (; s; s &= s - 1) h ^= entry.cols[31 - Math.clz32(s & -s)];
      crc = ~h;
    }
    if (crc32(bytes, entry ? headersEnd : i + 8, end, crc, view) !== view.getUint32(end)) {
      throw new EventStreamError("Message CRC mismatch (corrupted headers or payload)", at);
    }
    const f = this.frames;
    const k = this.frameSlots;
    this.frameSlots += FrameSlot.Size;
    f[k + FrameSlot.Bytes] = bytes;
    f[k + FrameSlot.View] = view;
    f[k + FrameSlot.Headers] = entry
      ? entry.headers
      : cached
        ? this.add(bytes, view, start, headersEnd, at).headers
        : parseHeaders(bytes.subarray(start, headersEnd), at);
    f[k + FrameSlot.BodyStart] = headersEnd;
    f[k + FrameSlot.BodyEnd] = end;
    f[k + FrameSlot.Offset] = at;
  }

  /** The cached header block equal to `view`'s bytes `[start..end)`, compared a 32-bit word at a time. */
  private find(view: DataView, start: number, end: number) {
    const n = (end - start + 3) >> 2;
    search: for (const entry of this.headerCache) {
      const { words } = entry;
      if (entry.length !== end - start) continue;
      // The last word overlaps the one before. (A block under 4 bytes takes prelude bytes into its last word,
      // so it is seldom found again: Bedrock's are ~90 bytes.)
      for (let k = 0; k < n - 1; k++) if (words[k] !== view.getInt32(start + 4 * k, true)) continue search;
      if (words[n - 1] === view.getInt32(end - 4, true)) return entry;
    }
  }

  /** Parses a new header block and caches it, with its share of the CRC. */
  private add(bytes: Uint8Array, view: DataView, start: number, end: number, at: number) {
    const length = end - start;
    const block = bytes.slice(start, end);
    const entry = {
      length,
      // Plain arrays: reads of a typed array pay a detached-buffer check once any buffer has been detached.
      words: Array.from({ length: (length + 3) >> 2 }, (_, k) =>
        view.getInt32(Math.min(start + 4 * k, end - 4), true),
      ),
      headers: Object.freeze(parseHeaders(block, at)),
      // The block's share of the CRC from a zero state, and where each bit of a state goes across it.
      own: ~crc32(block, 0, length, -1),
      cols: Array.from({ length: 32 }, (_, b) => ~crc32(new Uint8Array(length), 0, length, ~(1 << b))),
    };
    if (this.headerCache.unshift(entry) > 16) this.headerCache.pop();
    return entry;
  }
}

// Made on first use: constructing one at import costs ~1.5 ms on Node (bench/run.mjs's import-time table).
let utf8: TextDecoder | undefined;
const hex = (b: Uint8Array, from: number, to: number) => {
  let s = "";
  for (let i = from; i < to; i++) s += (b[i] | 256).toString(16).slice(1);
  return s;
};

/** Parses a header block (name length, name, type tag, value; repeated). Binary values are views of `bytes`. */
function parseHeaders(bytes: Uint8Array, at: number): MessageHeaders {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const headers: MessageHeaders = {};
  let i = 0;
  const take = (n: number) => {
    if (i + n > bytes.length)
      throw new EventStreamError("Malformed frame headers (a header runs past the header block)", at);
    i += n;
    return i - n;
  };
  const text = (from: number, n: number) => {
    try {
      utf8 ??= new TextDecoder("utf-8", { fatal: true });
      return utf8.decode(bytes.subarray(from, from + n));
    } catch {
      throw new EventStreamError("Malformed frame headers (a name or string value is not UTF-8)", at);
    }
  };
  while (i < bytes.length) {
    const nameLength = bytes[take(1)];
    const name = text(take(nameLength), nameLength);
    const tag = bytes[take(1)];
    let value: HeaderValue;
    if (tag < 2) value = { type: "boolean", value: tag === 0 };
    else if (tag === 2) value = { type: "byte", value: view.getInt8(take(1)) };
    else if (tag === 3) value = { type: "short", value: view.getInt16(take(2)) };
    else if (tag === 4) value = { type: "integer", value: view.getInt32(take(4)) };
    else if (tag === 5) value = { type: "long", value: view.getBigInt64(take(8)) };
    else if (tag === 6 || tag === 7) {
      const n = view.getUint16(take(2));
      const from = take(n);
      value =
        tag === 6
          ? { type: "binary", value: bytes.subarray(from, from + n) }
          : { type: "string", value: text(from, n) };
    } else if (tag === 8) value = { type: "timestamp", value: new Date(Number(view.getBigInt64(take(8)))) };
    else if (tag === 9) {
      const u = take(16);
      value = {
        type: "uuid",
        value: `${hex(bytes, u, u + 4)}-${hex(bytes, u + 4, u + 6)}-${hex(bytes, u + 6, u + 8)}-${hex(bytes, u + 8, u + 10)}-${hex(bytes, u + 10, u + 16)}`,
      };
    } else
      throw new EventStreamError(`Malformed frame headers (unknown header type ${tag} for "${name}")`, at);
    headers[name] = value;
  }
  return headers;
}
