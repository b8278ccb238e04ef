import type { ContentBlock, ConverseRequest, StopReason, TokenUsage } from "../../types/index.ts";
import { isObject } from "../../types/json.ts";
import { EmulatorError } from "../http/errors.ts";
import type { ModelReply } from "../types.ts";
import { countInputTokens } from "./conversation.ts";
import { countTokens } from "./tokens.ts";

/** A reply with everything the wire needs: stop reason and usage whose totals add up. */
export interface FinalReply extends ModelReply {
  stopReason: StopReason;
  usage: TokenUsage;
}

const OUTPUT_KINDS = ["text", "toolUse", "reasoningContent", "citationsContent"];

export function finishReply(reply: ModelReply | string, request: ConverseRequest): FinalReply {
  const model: ModelReply = typeof reply === "string" ? { content: [{ text: reply }] } : reply;
  if (!isObject(model) || !Array.isArray(model.content)) {
    throw new EmulatorError(
      "InternalServerException",
      "The emulator's model responder returned no content array.",
    );
  }
  model.content.forEach((block, i) => {
    const kinds = isObject(block)
      ? Object.keys(block).filter((k) => block[k as keyof ContentBlock] !== undefined)
      : [];
    if (kinds.length !== 1 || !OUTPUT_KINDS.includes(kinds[0])) {
      throw new EmulatorError(
        "InternalServerException",
        `The emulator's model responder returned content[${i}] that is not one of ${OUTPUT_KINDS.join(", ")}.`,
      );
    }
  });
  const given = model.usage ?? {};
  const inputTokens = given.inputTokens ?? countInputTokens(request);
  const outputTokens = given.outputTokens ?? outputTokenCount(model.content);
  const cacheRead = given.cacheReadInputTokens;
  const cacheWrite = given.cacheWriteInputTokens;
  const usage: TokenUsage = {
    ...given,
    inputTokens,
    outputTokens,
    totalTokens: given.totalTokens ?? inputTokens + outputTokens + (cacheRead ?? 0) + (cacheWrite ?? 0),
  };
  return {
    ...model,
    stopReason: model.stopReason ?? (model.content.some((b) => b.toolUse) ? "tool_use" : "end_turn"),
    usage,
  };
}

export function outputTokenCount(content: ContentBlock[]): number {
  let n = 0;
  for (const block of content) {
    if (block.text !== undefined) n += countTokens(block.text);
    else if (block.toolUse) n += countTokens(JSON.stringify(block.toolUse.input));
    else if (block.reasoningContent?.reasoningText)
      n += countTokens(block.reasoningContent.reasoningText.text);
    else if (block.reasoningContent?.redactedContent)
      n += Math.ceil(block.reasoningContent.redactedContent.length / 16);
    else if (block.citationsContent)
      n += countTokens((block.citationsContent.content ?? []).map((c) => c.text ?? "").join(""));
  }
  return n;
}

/**
 * Usage as Bedrock writes it: when caching is in play it also sends the legacy `...TokenCount` twins
 * of the cache counters (seen in every recorded capture), so clients must tolerate unknown members.
 */
export function wireUsage(usage: TokenUsage): Record<string, unknown> {
  if (usage.cacheReadInputTokens === undefined && usage.cacheWriteInputTokens === undefined)
    return { ...usage };
  return {
    ...usage,
    cacheReadInputTokens: usage.cacheReadInputTokens ?? 0,
    cacheWriteInputTokens: usage.cacheWriteInputTokens ?? 0,
    cacheReadInputTokenCount: usage.cacheReadInputTokens ?? 0,
    cacheWriteInputTokenCount: usage.cacheWriteInputTokens ?? 0,
  };
}
