import type { ConverseEvent } from "../stream/events";
import { BedrockError } from "./errors";

const isObject = (v: unknown): v is Record<string, any> => typeof v === "object" && v !== null && !Array.isArray(v);

function shapeError(what: string): BedrockError {
  return new BedrockError("ResponseShapeError", `Converse response ${what}`, { phase: "request" });
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
    if (typeof block.text === "string") {
      events.push({ type: "contentBlockDelta", contentBlockIndex: index, delta: { text: block.text } });
    } else if (isObject(block.toolUse)) {
      const { toolUseId, name, input, type } = block.toolUse;
      events.push(
        { type: "contentBlockStart", contentBlockIndex: index, start: { toolUse: { toolUseId, name, ...(type && { type }) } } },
        { type: "contentBlockDelta", contentBlockIndex: index, delta: { toolUse: { input: JSON.stringify(input ?? {}) } } },
      );
    } else if (isObject(block.reasoningContent)) {
      const r = block.reasoningContent;
      if (isObject(r.reasoningText)) {
        events.push({
          type: "contentBlockDelta",
          contentBlockIndex: index,
          delta: { reasoningContent: { text: r.reasoningText.text ?? "" } },
        });
        if (typeof r.reasoningText.signature === "string") {
          events.push({
            type: "contentBlockDelta",
            contentBlockIndex: index,
            delta: { reasoningContent: { signature: r.reasoningText.signature } },
          });
        }
      } else if (typeof r.redactedContent === "string") {
        events.push({
          type: "contentBlockDelta",
          contentBlockIndex: index,
          delta: { reasoningContent: { redactedContent: r.redactedContent } },
        });
      }
    } else if (isObject(block.citationsContent)) {
      for (const citation of block.citationsContent.citations ?? []) {
        events.push({ type: "contentBlockDelta", contentBlockIndex: index, delta: { citation } });
      }
      for (const part of block.citationsContent.content ?? []) {
        if (typeof part.text === "string") {
          events.push({ type: "contentBlockDelta", contentBlockIndex: index, delta: { text: part.text } });
        }
      }
    } else {
      return; // other blocks are kept in `message` as received
    }
    events.push({ type: "contentBlockStop", contentBlockIndex: index });
  });
  events.push({
    type: "messageStop",
    stopReason: json.stopReason,
    ...(json.additionalModelResponseFields !== undefined && {
      additionalModelResponseFields: json.additionalModelResponseFields,
    }),
  });
  if (json.usage) {
    events.push({
      type: "metadata",
      usage: json.usage,
      ...(json.metrics && { metrics: json.metrics }),
      ...(json.trace !== undefined && { trace: json.trace }),
      ...(json.performanceConfig !== undefined && { performanceConfig: json.performanceConfig }),
      ...(json.serviceTier !== undefined && { serviceTier: json.serviceTier }),
    });
  }
  return events;
}
