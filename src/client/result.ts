import type { ToolCallAccumulator } from "../stream/accumulate";
import type { ChatEvent } from "../stream/events";
import { definedFields, RESPONSE_EXTRAS } from "../stream/fields";
import type { ConverseResult } from "./options";

type Finish = Extract<ChatEvent, { type: "finish" }>;

/** Keeps what a call's result is made of as its events go by: the finish event and every citation. */
export class ResultCollector {
  finish: Finish | undefined;
  citations: Record<string, unknown>[] = [];

  collect(events: ChatEvent[]): void {
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      if (e.type === "citation") this.citations.push(e.citation);
      else if (e.type === "finish") this.finish = e;
    }
  }

  /** The result of a completed call. */
  result(acc: ToolCallAccumulator): ConverseResult {
    return resultOf(this.finish!, acc.outputText, this.citations);
  }
}

/** A call's result from its finish event, the text it streamed and the citations seen. */
export function resultOf(
  finish: Finish,
  outputText: string,
  citations: Record<string, unknown>[],
): ConverseResult {
  const reasoningBlocks = finish.message.content
    .filter((b: any) => b.reasoningContent)
    .map((b: any) => b.reasoningContent);
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
    citations,
    ...definedFields(finish, ["structured", ...RESPONSE_EXTRAS]),
  };
}
