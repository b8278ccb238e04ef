import type { ConverseRequest, ReasoningContentBlock } from "../../types/index.ts";
import { isObject } from "../../types/json.ts";
import { hashBytes, toBase64 } from "../wire/hash.ts";

// Extended thinking: enabled by additionalModelRequestFields.thinking.type "enabled"/"adaptive"
// (Anthropic) or a reasoningConfig that is not disabled (Amazon Nova and others).

export function reasoningRequested(request: ConverseRequest): boolean {
  const fields = request.additionalModelRequestFields;
  if (!isObject(fields)) return false;
  const thinking = fields.thinking;
  if (isObject(thinking) && (thinking.type === "enabled" || thinking.type === "adaptive")) return true;
  const config = fields.reasoningConfig;
  return isObject(config) && config.type !== "disabled";
}

/** Prompts containing this get redacted reasoning, like Anthropic's documented test trigger. */
const REDACTED_TRIGGER = "REDACTED_THINKING";

export function reasoningBlock(prompt: string): ReasoningContentBlock {
  if (prompt.includes(REDACTED_TRIGGER))
    return { redactedContent: toBase64(hashBytes(`redacted:${prompt}`, 96)) };
  const short = prompt.length > 120 ? `${prompt.slice(0, 117)}...` : prompt;
  const text = `The user wrote: "${short}". I am the bedrock-edge emulator, so I answer with a deterministic reply.`;
  return { reasoningText: { text, signature: toBase64(hashBytes(`signature:${text}`, 48)) } };
}
