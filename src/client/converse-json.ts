import {
  BedrockError,
  ResponseShapeError,
  ResponseTooLargeError,
  UnexpectedResponseError,
} from "../errors/index.ts";
import { MessageAccumulator } from "../stream/accumulate.ts";
import { definedFields, RESPONSE_EXTRAS } from "../stream/fields.ts";
import type { ChatEvent, ContentBlockDeltaPayload, ConverseEvent } from "../types/events.ts";
import { isObject } from "../types/json.ts";
import type { Attempt, CallPlan } from "./call.ts";
import type { LevelLogger } from "./log.ts";
import { logUsage, partialOf } from "./run.ts";
import { describe, requestIdOf } from "./service-errors.ts";

/**
 * A /converse answer as one batch of chat events (the accumulator returned holds the result), read under the
 * transport's idle timer; a failure before it is delivered carries what was accumulated as `partial`.
 */
export async function* readConverseJson(plan: CallPlan, response: Response, at: Attempt) {
  const accumulator = new MessageAccumulator();
  at.partial = () => partialOf(accumulator, 0);
  const events = await converseJsonEvents(response, accumulator, (reader) => at.read(reader));
  logEvents(plan.log, events);
  at.delivered = true;
  yield events;
  return accumulator;
}

function logEvents(log: LevelLogger, events: ChatEvent[]): void {
  if (!log.debugEnabled) logUsage(log, events);
  else for (const e of events) log.debug(`event ${e.type}`, e);
}

/**
 * A /converse response as one batch of chat events, through `accumulator` so that both modes give the same
 * events and result; the message is kept exactly as AWS sent it. `next` reads one chunk (the caller times it).
 */
async function converseJsonEvents(
  response: Response,
  accumulator: MessageAccumulator,
  next: (reader: ReadableStreamDefaultReader<Uint8Array>) => Promise<ReadableStreamReadResult<Uint8Array>>,
): Promise<ChatEvent[]> {
  let text = "";
  if (response.body) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    try {
      let size = 0;
      for (;;) {
        const { done, value } = await next(reader);
        if (done) break;
        // Counted as it arrives: an endless body is cut here, not when the process runs out of memory.
        size += value.byteLength;
        if (size > MAX_CONVERSE_JSON_BYTES) throw tooLarge(response);
        text += decoder.decode(value, { stream: true });
      }
      text += decoder.decode();
    } finally {
      reader.cancel().catch(() => {});
    }
  }
  return converseEvents(
    parseConverseJson(text, response.headers.get("content-type") ?? "", response),
    accumulator,
    response,
  );
}

/** The largest /converse body read (far above any answer Bedrock sends); the rest is cancelled. */
export const MAX_CONVERSE_JSON_BYTES = 64 * 1024 * 1024;

function tooLarge(response: Response): BedrockError {
  return new ResponseTooLargeError(
    `The /converse response passed ${MAX_CONVERSE_JSON_BYTES} bytes: reading stopped there and the rest was cut off`,
    { status: response.status, requestId: requestIdOf(response), phase: "request" },
  );
}

function shapeError(what: string): BedrockError {
  return new ResponseShapeError(`Converse response ${what}`, { phase: "request" });
}

/** Checks a /converse response body has the fields AWS always sends. */
export function checkConverseResponse(json: unknown): asserts json is Record<string, any> {
  if (!isObject(json)) throw shapeError("is not a JSON object");
  if (!isObject(json.output) || !isObject(json.output.message)) throw shapeError("has no output.message");
  if (!Array.isArray(json.output.message.content)) throw shapeError("output.message.content is not an array");
  if (typeof json.stopReason !== "string") throw shapeError("has no stopReason");
  if (json.usage !== undefined && !isObject(json.usage)) throw shapeError("usage is not an object");
}

/**
 * The ConverseStream events that would have carried this /converse response, so that one accumulator serves
 * both modes and callbacks fire the same way (once each).
 */
export function converseResponseEvents(json: Record<string, any>): ConverseEvent[] {
  const events: ConverseEvent[] = [{ type: "messageStart", role: json.output.message.role ?? "assistant" }];
  json.output.message.content.forEach((block: Record<string, any>, index: number) => {
    const delta = (d: ContentBlockDeltaPayload) =>
      events.push({ type: "contentBlockDelta", contentBlockIndex: index, delta: d });
    if (typeof block.text === "string") delta({ text: block.text });
    else if (isObject<Record<string, any>>(block.toolUse)) {
      const { toolUseId, name, input, type } = block.toolUse;
      events.push({
        type: "contentBlockStart",
        contentBlockIndex: index,
        start: { toolUse: { toolUseId, name, ...(type && { type }) } },
      });
      delta({ toolUse: { input: JSON.stringify(input ?? {}) } });
    } else if (isObject<Record<string, any>>(block.reasoningContent)) {
      const r = block.reasoningContent;
      if (isObject<Record<string, any>>(r.reasoningText)) {
        delta({ reasoningContent: { text: r.reasoningText.text ?? "" } });
        if (typeof r.reasoningText.signature === "string")
          delta({ reasoningContent: { signature: r.reasoningText.signature } });
      } else if (typeof r.redactedContent === "string")
        delta({ reasoningContent: { redactedContent: r.redactedContent } });
    } else if (isObject<Record<string, any>>(block.citationsContent)) {
      for (const citation of block.citationsContent.citations ?? []) delta({ citation });
      for (const part of block.citationsContent.content ?? [])
        if (typeof part.text === "string") delta({ text: part.text });
    } else {
      return; // other blocks are kept in `message` as received
    }
    events.push({ type: "contentBlockStop", contentBlockIndex: index });
  });
  events.push({
    type: "messageStop",
    stopReason: json.stopReason,
    ...definedFields(json, RESPONSE_EXTRAS.slice(0, 1)),
  });
  if (json.usage)
    events.push({ type: "metadata", usage: json.usage, ...definedFields(json, RESPONSE_EXTRAS.slice(1)) });
  return events;
}

function parseConverseJson(text: string, type: string, response: Response): Record<string, any> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const what = !text
      ? "an empty body"
      : /^\s*</.test(text)
        ? "an HTML page"
        : type.includes("json")
          ? `JSON that does not parse (${text.length} characters: truncated or corrupted)`
          : type || "no content type";
    throw new UnexpectedResponseError(
      `Expected a JSON Converse response from /converse but got ${what}: ${JSON.stringify(text.slice(0, 120))}`,
      { status: response.status, requestId: requestIdOf(response), phase: "request" },
    );
  }
  checkConverseResponse(json);
  return json;
}

/** The /converse body as chat events (one batch), its message kept exactly as AWS sent it. */
function converseEvents(
  json: Record<string, any>,
  accumulator: MessageAccumulator,
  response: Response,
): ChatEvent[] {
  const events: ChatEvent[] = [];
  try {
    for (const event of converseResponseEvents(json)) accumulator.push(event, events);
    accumulator.end(events, true);
  } catch (error) {
    if (error instanceof BedrockError) throw error;
    throw new ResponseShapeError(`Converse response has a malformed content block: ${describe(error)}`, {
      requestId: requestIdOf(response),
      phase: "request",
    });
  }
  const finish = events[events.length - 1];
  if (finish?.type === "finish") finish.message = json.output.message;
  return events;
}
