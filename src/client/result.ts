import { definedFields, RESPONSE_EXTRAS } from "../stream/fields.ts";
import type { ChatEvent } from "../types/events.ts";
import type { ConverseResult } from "./options.ts";

type Finish = Extract<ChatEvent, { type: "finish" }>;

/** A call's result from its finish event and the text it streamed (citations are read from the message). */
export function resultOf(finish: Finish, outputText: string): ConverseResult {
  const content = finish.message.content as Record<string, any>[];
  const reasoningBlocks = content.filter((b) => b.reasoningContent).map((b) => b.reasoningContent);
  let reasoning: ConverseResult["reasoning"];
  if (reasoningBlocks.length) {
    const texts = reasoningBlocks.map((r: any) => r.reasoningText?.text ?? "").join("");
    const signatures = reasoningBlocks.map((r: any) => r.reasoningText?.signature).filter(Boolean);
    const redacted = reasoningBlocks.map((r: any) => r.redactedContent).filter(Boolean);
    reasoning = {
      text: texts,
      ...(signatures.length && { signature: signatures[signatures.length - 1] }),
      ...(redacted.length && { redacted }),
    };
  }
  return {
    outputText,
    toolsToCall: finish.toolCalls,
    stopReason: finish.stopReason,
    usage: finish.usage,
    reasoning,
    message: finish.message,
    citations: content.flatMap((b) => b.citationsContent?.citations ?? []),
    ...definedFields(finish, ["structured", ...RESPONSE_EXTRAS]),
  };
}
