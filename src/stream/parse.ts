import { EventPayloadError, EventStreamError, serviceError } from "../errors/index.ts";
import type { ConverseEvent } from "../types/events.ts";
import type { EventStreamMessage, MessageHeaders } from "./decode.ts";

let utf8: TextDecoder | undefined;
/** UTF-8 to string (the decoder is made on first use: constructing one at import costs ~1.5 ms on Node). */
const decode = (bytes: Uint8Array) => {
  utf8 ??= new TextDecoder();
  return utf8.decode(bytes);
};

function header(headers: MessageHeaders, name: string): string | undefined {
  const h = headers[name];
  return h && h.type === "string" ? h.value : undefined;
}

function fail(eventType: string, message: string, offset: number): never {
  throw new EventPayloadError(eventType, message, offset);
}

const isObject = (v: unknown): v is Record<string, any> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Turns one event-stream frame into a typed Converse event. Exception and error frames throw the matching
 * typed error (ThrottlingException, ModelStreamErrorException, ...). Payloads are checked by hand rather than
 * with a schema library: this runs once per frame, tens of thousands of times per long response.
 */
export function parseConverseMessage(message: EventStreamMessage): ConverseEvent {
  return parseFrame(message.headers, message.body, message.offset);
}

/** parseConverseMessage on a frame's parts (the pipeline decodes frames in place). */
export function parseFrame(headers: MessageHeaders, body: Uint8Array, at: number): ConverseEvent {
  const messageType = header(headers, ":message-type") ?? "event";
  if (messageType === "exception") {
    const code = header(headers, ":exception-type") ?? "UnknownStreamException";
    const payload = parsePayload(code, body, at, true);
    const text = isObject(payload) && typeof payload.message === "string" ? payload.message : "";
    const error = serviceError(code, text.trim() ? text : `${code} during the stream`, { phase: "stream" });
    if (isObject(payload)) {
      if (payload.originalStatusCode !== undefined)
        (error as any).originalStatusCode = payload.originalStatusCode;
      if (payload.originalMessage !== undefined) (error as any).originalMessage = payload.originalMessage;
    }
    throw error;
  }
  if (messageType === "error") {
    const code = header(headers, ":error-code") ?? "UnknownStreamError";
    throw serviceError(code, header(headers, ":error-message") ?? `${code} during the stream`, {
      phase: "stream",
    });
  }
  if (messageType !== "event") {
    throw new EventStreamError(`Unknown :message-type "${messageType}"`, at);
  }
  const eventType = header(headers, ":event-type");
  if (!eventType) throw new EventStreamError("Event frame without an :event-type header", at);
  const p = parsePayload(eventType, body, at, false);
  // AWS pads every payload with `p` so that frame sizes do not leak the content length.
  p.p = undefined;
  switch (eventType) {
    case "contentBlockDelta":
      if (typeof p.contentBlockIndex !== "number") fail(eventType, "contentBlockIndex must be a number", at);
      if (!isObject(p.delta)) fail(eventType, "delta must be an object", at);
      return { type: eventType, contentBlockIndex: p.contentBlockIndex, delta: p.delta };
    case "contentBlockStart":
      if (typeof p.contentBlockIndex !== "number") fail(eventType, "contentBlockIndex must be a number", at);
      if (!isObject(p.start)) fail(eventType, "start must be an object", at);
      if (p.start.toolUse !== undefined) {
        const t = p.start.toolUse;
        if (!isObject(t) || typeof t.toolUseId !== "string" || typeof t.name !== "string") {
          fail(eventType, "start.toolUse needs string toolUseId and name", at);
        }
      }
      return { type: eventType, contentBlockIndex: p.contentBlockIndex, start: p.start };
    case "contentBlockStop":
      if (typeof p.contentBlockIndex !== "number") fail(eventType, "contentBlockIndex must be a number", at);
      return { type: eventType, contentBlockIndex: p.contentBlockIndex };
    case "messageStart":
      if (typeof p.role !== "string") fail(eventType, "role must be a string", at);
      return { type: eventType, role: p.role };
    case "messageStop":
      if (typeof p.stopReason !== "string") fail(eventType, "stopReason must be a string", at);
      return withoutUndefined({ type: eventType, ...p } as ConverseEvent);
    case "metadata":
      if (!isObject(p.usage)) fail(eventType, "usage must be an object", at);
      for (const k of ["inputTokens", "outputTokens", "totalTokens"]) {
        if (typeof p.usage[k] !== "number") fail(eventType, `usage.${k} must be a number`, at);
      }
      return withoutUndefined({ type: eventType, ...p } as ConverseEvent);
    default:
      return { type: "unknown", eventType, payload: withoutUndefined(p) };
  }
}

/**
 * The payload of a contentBlockDelta event frame, checked as parseFrame checks it; undefined for every other
 * frame (parse those with parseFrame).
 */
export function deltaPayload(
  headers: MessageHeaders,
  body: Uint8Array,
  at: number,
): { contentBlockIndex: number; delta: Record<string, any> } | undefined {
  if (!isDelta(headers)) return undefined;
  const view = new DataView(body.buffer, body.byteOffset, body.length);
  if (scanDelta(body, view, 0, body.length)) {
    const text = scannedText(body);
    if (text !== undefined) return { contentBlockIndex: scanned.index, delta: deltaOf(scanned.kind, text) };
  }
  const p = parsePayload("contentBlockDelta", body, at, false);
  if (typeof p.contentBlockIndex !== "number")
    fail("contentBlockDelta", "contentBlockIndex must be a number", at);
  if (!isObject(p.delta)) fail("contentBlockDelta", "delta must be an object", at);
  return p as { contentBlockIndex: number; delta: Record<string, any> };
}

/** True for the headers of a contentBlockDelta event frame. */
export const isDelta = (headers: MessageHeaders) =>
  header(headers, ":event-type") === "contentBlockDelta" &&
  (header(headers, ":message-type") ?? "event") === "event";

/** A fixed run of ASCII, as bytes and as the 32-bit words that cover most of it (little-endian). */
const pattern = (s: string) => {
  // Plain arrays, not typed arrays: once any ArrayBuffer has been detached (fetch and Web Streams do), V8
  // checks for detachment on every typed-array read, and these are read for every frame.
  const bytes = Array.from(s, (c) => c.charCodeAt(0));
  const view = new DataView(new Uint8Array(bytes).buffer);
  return { bytes, words: Array.from({ length: bytes.length >> 2 }, (_, k) => view.getInt32(4 * k, true)) };
};
type Pattern = ReturnType<typeof pattern>;
const INDEX = pattern('{"contentBlockIndex":');
const TEXT = pattern(',"delta":{"text":"');
const TOOL_INPUT = pattern(',"delta":{"toolUse":{"input":"');
const REASONING = pattern(',"delta":{"reasoningContent":{"text":"');
const PAD = pattern(',"p":"');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CLOSE = 0x7d;

/** Does `p` occur at `b[i..]`, within `end`? Compared a 32-bit word at a time. */
const matches = (b: Uint8Array, view: DataView, i: number, end: number, p: Pattern) => {
  const { bytes, words } = p;
  if (i + bytes.length > end) return false;
  for (let k = 0; k < words.length; k++) if (view.getInt32(i + 4 * k, true) !== words[k]) return false;
  for (let k = words.length * 4; k < bytes.length; k++) if (b[i + k] !== bytes[k]) return false;
  return true;
};

/** Is one of these 4 bytes a control, `"` or `\` (what ends a plain run of JSON string content)? */
const special4 = (x: number) => {
  const q = x ^ 0x22222222;
  const s = x ^ 0x5c5c5c5c;
  // Classic SWAR tests, exact for "some byte is": below 0x20, equal to `"`, equal to `\`.
  return (((x - 0x20202020) & ~x) | ((q - 0x01010101) & ~q) | ((s - 0x01010101) & ~s)) & 0x80808080;
};
const special = (c: number) => c < 0x20 || c === QUOTE || c === BACKSLASH;

/** The last special byte in `b[from..to)`, or `from - 1` (four bytes at a time: this skips the padding). */
function lastSpecial(b: Uint8Array, view: DataView, from: number, to: number): number {
  let k = to;
  while (k - 4 >= from && !special4(view.getInt32(k - 4))) k -= 4;
  while (--k >= from && !special(b[k]));
  return k;
}

/**
 * What the last successful scanDelta read (one shared record: the hot path allocates nothing for it): the
 * block index, the kind of delta, and where its string's content is, `b[start..end)` (without its quotes).
 */
export const scanned = { index: 0, kind: TEXT, start: 0, end: 0 };

/** The delta object of a kind scanDelta read (`scanned.kind`) with its string, as JSON.parse would give it. */
export const deltaOf = (kind: Pattern, text: string): Record<string, any> =>
  kind === TEXT
    ? { text }
    : kind === TOOL_INPUT
      ? { toolUse: { input: text } }
      : { reasoningContent: { text } };

/** Decodes the string scanDelta found in `b`, or undefined when it is not one JSON string. */
export function scannedText(b: Uint8Array): string | undefined {
  const { start, end } = scanned;
  // Without escapes it is decoded as it is; with them, JSON.parse decodes them (and rejects what is not JSON).
  let k = start;
  while (k < end && !special(b[k])) k++;
  return k === end ? decode(b.subarray(start, end)) : jsonString(decode(b.subarray(start - 1, end + 1)));
}

/** A JSON string literal's value, or undefined when `json` is not exactly one JSON string. */
function jsonString(json: string): string | undefined {
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}

/**
 * The text, tool-input and reasoning deltas that make up nearly every frame, found in the payload `b[s..e)`
 * (`view` is a DataView of `b`) when it is exactly in Bedrock's form,
 * `{"contentBlockIndex":N,"delta":{...:"S"}[,"p":"PAD"]}`: the fixed parts are matched from the front and the
 * back. Fills `scanned` and returns true; the caller decodes S, and when S is not one JSON string that frame
 * goes through the reference path. Anything else (other key order, whitespace, more fields, escapes in PAD)
 * returns false and goes through JSON.parse, which stays the reference: what this reads is what that path reads.
 */
export function scanDelta(b: Uint8Array, view: DataView, s: number, e: number): boolean {
  if (!matches(b, view, s, e, INDEX)) return false;
  let i = s + INDEX.bytes.length;
  // A JSON integer without leading zeros, at most 9 digits.
  let index = b[i++] - 0x30;
  if (!(index >= 0 && index <= 9)) return false;
  if (index > 0) {
    for (let d = b[i] - 0x30, last = i + 8; d >= 0 && d <= 9 && i < last; d = b[++i] - 0x30)
      index = index * 10 + d;
  }
  const kind = matches(b, view, i, e, TEXT)
    ? TEXT
    : matches(b, view, i, e, TOOL_INPUT)
      ? TOOL_INPUT
      : matches(b, view, i, e, REASONING)
        ? REASONING
        : undefined;
  if (!kind) return false;
  const start = i + kind.bytes.length;
  // From the back: the final `}`, the padding if any (no escapes or controls), the delta's closing braces.
  let j = e - 1;
  if (b[j--] !== CLOSE) return false;
  if (b[j] === QUOTE) {
    j = lastSpecial(b, view, start, j);
    if (b[j] !== QUOTE) return false;
    j -= PAD.bytes.length - 1;
    if (!matches(b, view, j, e, PAD)) return false;
    j--;
  }
  if (b[j--] !== CLOSE || (kind !== TEXT && b[j--] !== CLOSE) || b[j] !== QUOTE || j < start) return false;
  scanned.index = index;
  scanned.kind = kind;
  scanned.start = start;
  scanned.end = j;
  return true;
}

/** JSON's two-character escapes, by the character after the backslash (`\u` is left to JSON.parse). */
const UNESCAPE = /* @__PURE__ */ (() => {
  const table: number[] = [];
  for (let k = 0; k < 8; k++) table['"/\\bfnrt'.charCodeAt(k)] = '"/\\\b\f\n\r\t'.charCodeAt(k);
  return table;
})();

/**
 * Gathers short ASCII strings from many frames into one buffer, decoded by one call: a TextDecoder call costs
 * ~100 ns on Node however short its input, and most deltas are a few words. JSON escapes are decoded on the
 * way in (cheaper than JSON.parse per string: tool inputs are full of `\"` and `\n`).
 */
export class AsciiBatch {
  private bytes = new Uint8Array(16384);
  private view = new DataView(this.bytes.buffer);
  /** Bytes gathered so far. */
  fill = 0;

  /**
   * Adds the content of the JSON string `b[from..to)` (`view` is a DataView of `b`), decoded, when it is ASCII
   * and holds only two-character escapes; returns its offset in the batch, or -1 (then decode it alone: it may
   * still be a valid string, or not one, which that path tells).
   */
  add(b: Uint8Array, view: DataView, from: number, to: number): number {
    const at = this.fill;
    if (at + to - from > this.bytes.length) {
      if (to - from > 4096) return -1; // long strings are decoded alone: the batch stays small
      const bigger = new Uint8Array(2 * this.bytes.length + to - from);
      bigger.set(this.bytes.subarray(0, at));
      this.bytes = bigger;
      this.view = new DataView(bigger.buffer);
    }
    const out = this.bytes;
    const outView = this.view;
    let w = at;
    for (let k = from; k < to; ) {
      if (k + 4 <= to) {
        // Four bytes at a time up to the first one that is special or not ASCII (the lowest flagged byte of
        // these masks is exact; the bytes written past it are overwritten next).
        const x = view.getInt32(k, true);
        const m = (x & 0x80808080) | special4(x);
        outView.setInt32(w, x, true);
        const n = m ? (31 - Math.clz32(m & -m)) >> 3 : 4;
        k += n;
        w += n;
        if (n === 4) continue;
      }
      let c = b[k++];
      if (c === BACKSLASH && k < to) c = UNESCAPE[b[k++]] ?? -1;
      else if (special(c) || c > 0x7f) c = -1;
      if (c < 0) return -1;
      out[w++] = c;
    }
    this.fill = w;
    return at;
  }

  /** The batch as one string (character offsets are the byte offsets `add` returned); empties the batch. */
  take(): string {
    const text = this.fill ? decode(this.bytes.subarray(0, this.fill)) : "";
    this.fill = 0;
    return text;
  }
}

function withoutUndefined<T extends Record<string, any>>(o: T): T {
  for (const k in o) if (o[k] === undefined) delete o[k];
  return o;
}

function parsePayload(
  eventType: string,
  body: Uint8Array,
  at: number,
  lenient: boolean,
): Record<string, any> {
  const text = decode(body);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    if (lenient) return { message: text.slice(0, 500) };
    fail(eventType, `payload is not JSON (${JSON.stringify(text.slice(0, 60))})`, at);
  }
  if (!isObject(value)) fail(eventType, "payload must be a JSON object", at);
  return value;
}
