import { EventPayloadError, EventStreamError, serviceError } from "../client/errors";
import type { EventStreamMessage, MessageHeaders } from "./decode";
import type { ConverseEvent } from "./events";

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
 * frame (parse those with parseFrame). Skips building the ConverseEvent on the pipeline's hottest path.
 */
export function deltaPayload(
  headers: MessageHeaders,
  body: Uint8Array,
  at: number,
): { contentBlockIndex: number; delta: Record<string, any> } | undefined {
  if (
    header(headers, ":event-type") !== "contentBlockDelta" ||
    (header(headers, ":message-type") ?? "event") !== "event"
  ) {
    return undefined;
  }
  const fast = scanDelta(body);
  if (fast) return fast;
  const p = parsePayload("contentBlockDelta", body, at, false);
  if (typeof p.contentBlockIndex !== "number")
    fail("contentBlockDelta", "contentBlockIndex must be a number", at);
  if (!isObject(p.delta)) fail("contentBlockDelta", "delta must be an object", at);
  return p as { contentBlockIndex: number; delta: Record<string, any> };
}

// Constants as plain arrays, not typed arrays: once any ArrayBuffer has been detached (fetch and Web Streams
// do), V8 checks for detachment on every typed-array read, and these are read for every frame.
const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
const INDEX = ascii('{"contentBlockIndex":');
const TEXT = ascii(',"delta":{"text":"');
const TOOL_INPUT = ascii(',"delta":{"toolUse":{"input":"');
const REASONING = ascii(',"delta":{"reasoningContent":{"text":"');
const PAD = ascii(',"p":');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CLOSE = 0x7d;
/** Bytes that end a plain run of JSON string content: controls, `"` and `\`. */
const SPECIAL = /* @__PURE__ */ Array.from(
  { length: 256 },
  (_, c) => c < 0x20 || c === QUOTE || c === BACKSLASH,
);

const at = (b: Uint8Array, i: number, word: number[]) => {
  if (i < 0 || i + word.length > b.length) return false;
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word[k]) return false;
  return true;
};

/**
 * The text, tool-input and reasoning deltas that make up nearly every frame, read from the bytes when they are
 * exactly in Bedrock's form, `{"contentBlockIndex":N,"delta":{...:"S"}[,"p":"PAD"]}`: the fixed parts are
 * matched from the front and the back, and S is decoded alone (by JSON.parse when it has escapes or is long,
 * which also rejects an S that is not one JSON string). Costs a third of decoding and parsing the whole payload.
 * Anything else (other key order, whitespace, more fields, escapes in PAD) returns undefined and goes through
 * JSON.parse, which stays the reference: what this returns is what that path returns.
 */
function scanDelta(b: Uint8Array): { contentBlockIndex: number; delta: Record<string, any> } | undefined {
  if (!at(b, 0, INDEX)) return undefined;
  let i = INDEX.length;
  // A JSON integer without leading zeros, at most 9 digits.
  let index = b[i++] - 0x30;
  if (!(index >= 0 && index <= 9)) return undefined;
  if (index > 0) {
    for (let d = b[i] - 0x30; d >= 0 && d <= 9 && i < INDEX.length + 9; d = b[++i] - 0x30)
      index = index * 10 + d;
  }
  const kind = at(b, i, TEXT)
    ? TEXT
    : at(b, i, TOOL_INPUT)
      ? TOOL_INPUT
      : at(b, i, REASONING)
        ? REASONING
        : undefined;
  if (!kind) return undefined;
  const start = i + kind.length;
  // From the back: the final `}`, the padding if any (no escapes or controls), the delta's closing braces.
  let j = b.length - 1;
  if (b[j--] !== CLOSE) return undefined;
  if (b[j] === QUOTE) {
    for (j--; j >= start && b[j] !== QUOTE; j--) if (b[j] === BACKSLASH || b[j] < 0x20) return undefined;
    j -= PAD.length;
    if (!at(b, j, PAD)) return undefined;
    j--;
  }
  if (b[j--] !== CLOSE || (kind !== TEXT && b[j--] !== CLOSE) || b[j] !== QUOTE || j < start)
    return undefined;
  const end = j;
  // Short runs without escapes (most text deltas) skip JSON.parse.
  let plain = end - start <= 64;
  for (let k = start; plain && k < end; k++) if (SPECIAL[b[k]]) plain = false;
  let text: string;
  if (plain) text = decode(b.subarray(start, end));
  else {
    try {
      text = JSON.parse(decode(b.subarray(start - 1, end + 1)));
    } catch {
      return undefined;
    }
  }
  const delta =
    kind === TEXT
      ? { text }
      : kind === TOOL_INPUT
        ? { toolUse: { input: text } }
        : { reasoningContent: { text } };
  return { contentBlockIndex: index, delta };
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

/** `TransformStream` over parseConverseMessage: frames in, Converse events out (see EventStreamDecoderStream). */
export interface ConverseEventStream extends TransformStream<EventStreamMessage, ConverseEvent> {}
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface types the TransformStream returned
export class ConverseEventStream {
  constructor() {
    // biome-ignore lint/correctness/noConstructorReturn: touching TransformStream at import costs ~3 ms on Node
    return new TransformStream<EventStreamMessage, ConverseEvent>({
      transform(message, controller) {
        controller.enqueue(parseConverseMessage(message));
      },
    });
  }
}
