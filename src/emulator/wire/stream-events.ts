import type { ContentBlock } from "../../types/index.ts";
import type { FinalReply } from "../model/reply.ts";
import { wireUsage } from "../model/reply.ts";
import { splitTokens } from "../model/tokens.ts";

/** One ConverseStreamOutput event; metadata's payload is built when sent, so latencyMs is measured then. */
export interface StreamEvent {
  type: string;
  payload: Record<string, unknown> | (() => Record<string, unknown>);
}

// Deltas carry 1-5 tokens, in a fixed cycle, so streams look like a model's without being random.
const DELTA_SIZES = [2, 3, 1, 4, 2, 5, 3];
const TOOL_INPUT_FRAGMENT = 12;

/** The event sequence Bedrock sends for this reply (shapes as in the recorded captures). */
export function streamEvents(reply: FinalReply, latencyMs: () => number): StreamEvent[] {
  const events: StreamEvent[] = [{ type: "messageStart", payload: { role: "assistant" } }];
  reply.content.forEach((block, index) => {
    const delta = (d: Record<string, unknown>) =>
      events.push({ type: "contentBlockDelta", payload: { contentBlockIndex: index, delta: d } });
    blockEvents(block, index, events, delta);
    events.push({ type: "contentBlockStop", payload: { contentBlockIndex: index } });
  });
  events.push({
    type: "messageStop",
    payload: {
      stopReason: reply.stopReason,
      additionalModelResponseFields: reply.additionalModelResponseFields,
    },
  });
  events.push({
    type: "metadata",
    payload: () => ({
      usage: wireUsage(reply.usage),
      metrics: { latencyMs: latencyMs() },
      ...(reply.trace ? { trace: reply.trace } : {}),
    }),
  });
  return events;
}

function blockEvents(
  block: ContentBlock,
  index: number,
  events: StreamEvent[],
  delta: (d: Record<string, unknown>) => void,
): void {
  if (block.text !== undefined) {
    for (const piece of textPieces(block.text)) delta({ text: piece });
  } else if (block.toolUse) {
    const { toolUseId, name, input } = block.toolUse;
    events.push({
      type: "contentBlockStart",
      payload: { contentBlockIndex: index, start: { toolUse: { toolUseId, name } } },
    });
    const json = JSON.stringify(input);
    for (let i = 0; i < json.length; i += TOOL_INPUT_FRAGMENT) {
      delta({ toolUse: { input: json.slice(i, i + TOOL_INPUT_FRAGMENT) } });
    }
  } else if (block.reasoningContent?.reasoningText) {
    const { text, signature } = block.reasoningContent.reasoningText;
    for (const piece of textPieces(text)) delta({ reasoningContent: { text: piece } });
    if (signature !== undefined) delta({ reasoningContent: { signature } });
  } else if (block.reasoningContent?.redactedContent !== undefined) {
    delta({ reasoningContent: { redactedContent: block.reasoningContent.redactedContent } });
  } else if (block.citationsContent) {
    for (const citation of block.citationsContent.citations ?? []) delta({ citation });
    const text = (block.citationsContent.content ?? []).map((c) => c.text ?? "").join("");
    for (const piece of textPieces(text)) delta({ text: piece });
  }
}

/** Text split into deltas at token boundaries; an empty text still gets one (empty) delta. */
export function textPieces(text: string): string[] {
  const tokens = splitTokens(text);
  if (tokens.length === 0) return [text];
  const pieces: string[] = [];
  for (let i = 0, k = 0; i < tokens.length; k++) {
    const size = DELTA_SIZES[k % DELTA_SIZES.length];
    pieces.push(tokens.slice(i, i + size).join(""));
    i += size;
  }
  return pieces;
}
