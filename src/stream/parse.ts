// The reference parser: one event-stream frame to one typed Converse event, through JSON.parse. The fast path
// for delta frames (delta-scan.ts) must read what this reads.
import { EventPayloadError, EventStreamError, serviceError } from "../errors/index.ts";
import type { ConverseEvent } from "../types/events.ts";
import { isObject } from "../types/json.ts";
import type { EventStreamMessage, MessageHeaders } from "./decode.ts";
import { utf8Decode } from "./utf8.ts";

function header(headers: MessageHeaders, name: string): string | undefined {
  const h = headers[name];
  return h && h.type === "string" ? h.value : undefined;
}

function fail(eventType: string, message: string, offset: number): never {
  throw new EventPayloadError(eventType, message, offset);
}

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
    const text = typeof payload.message === "string" ? payload.message : "";
    const error = serviceError(code, text.trim() ? text : `${code} during the stream`, { phase: "stream" });
    if (payload.originalStatusCode !== undefined) (error as any).originalStatusCode = payload.originalStatusCode;
    if (payload.originalMessage !== undefined) (error as any).originalMessage = payload.originalMessage;
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

/** True for the headers of a contentBlockDelta event frame. */
export const isDelta = (headers: MessageHeaders) =>
  header(headers, ":event-type") === "contentBlockDelta" &&
  (header(headers, ":message-type") ?? "event") === "event";

function withoutUndefined<T extends Record<string, any>>(o: T): T {
  for (const k in o) if (o[k] === undefined) delete o[k];
  return o;
}

/**
 * A frame's JSON object. `lenient` (exception frames) never throws: the frame's `:exception-type` names the
 * error, so a payload that is not a JSON object only loses its message (a JSON string is kept as the message).
 */
function parsePayload(
  eventType: string,
  body: Uint8Array,
  at: number,
  lenient: boolean,
): Record<string, any> {
  const text = utf8Decode(body);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    if (lenient) return { message: text.slice(0, 500) };
    fail(eventType, `payload is not JSON (${JSON.stringify(text.slice(0, 60))})`, at);
  }
  if (isObject(value)) return value;
  if (lenient) return { message: typeof value === "string" ? value.slice(0, 500) : "" };
  fail(eventType, "payload must be a JSON object", at);
}
