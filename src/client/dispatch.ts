import { type JsonSchema, parseStructured, requestedSchema } from "../request/structured";
import type { ToolCallAccumulator } from "../stream/accumulate";
import type { ChatEvent } from "../stream/events";
import type { Callbacks, ConverseResult } from "./options";

/** Routes chat events to the caller's callbacks and remembers what the result needs. */
export class Dispatcher {
  finish: Extract<ChatEvent, { type: "finish" }> | undefined;
  citations: Record<string, unknown>[] = [];

  private readonly schema: JsonSchema | undefined;

  constructor(private readonly callbacks: Callbacks & Parameters<typeof requestedSchema>[0]) {
    this.schema = requestedSchema(callbacks);
  }

  dispatch(events: ChatEvent[]): void {
    const cb = this.callbacks;
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      cb.onEvent?.(e);
      switch (e.type) {
        case "text":
          cb.onMessageReceived?.({ type: "text", text: e.text });
          break;
        case "reasoning-start":
          cb.onReason?.({ status: "started", text: "" });
          break;
        case "reasoning":
          cb.onReason?.({
            status: "thinking",
            text: e.text ?? "",
            ...(e.signature !== undefined && { signature: e.signature }),
            ...(e.redacted !== undefined && { redacted: e.redacted }),
          });
          break;
        case "reasoning-end":
          cb.onReason?.({
            status: "finished",
            text: e.text,
            ...(e.signature !== undefined && { signature: e.signature }),
            ...(e.redacted !== undefined && { redacted: e.redacted }),
          });
          break;
        case "tool-call-delta":
          cb.onPrepareToolCall?.(e); // the event itself: id, name, argumentsText and the lazy `partial`
          break;
        case "usage":
          cb.onUsageUpdated?.(e.usage);
          break;
        case "citation":
          this.citations.push(e.citation);
          break;
        case "finish":
          this.finish = e;
          // Checked before the caller sees the finish: a mismatch is a StructuredOutputError, never silent.
          if (this.schema && e.stopReason !== "tool_use")
            e.structured = parseStructured(answerText(e), this.schema, e.stopReason);
          if (e.toolCalls.length) cb.onToolsCalled?.(e.toolCalls);
          break;
      }
    }
  }

  /** The result of a completed call. */
  result(acc: ToolCallAccumulator): ConverseResult {
    return resultOf(this.finish!, acc.outputText, this.citations);
  }
}

/** A call's result from its finish event, the text it streamed and the citations seen. */
export function resultOf(
  finish: Extract<ChatEvent, { type: "finish" }>,
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
    ...(finish.structured !== undefined && { structured: finish.structured }),
    ...(finish.additionalModelResponseFields !== undefined && {
      additionalModelResponseFields: finish.additionalModelResponseFields,
    }),
    ...(finish.metrics && { metrics: finish.metrics }),
    ...(finish.trace !== undefined && { trace: finish.trace }),
    ...(finish.performanceConfig !== undefined && { performanceConfig: finish.performanceConfig }),
    ...(finish.serviceTier !== undefined && { serviceTier: finish.serviceTier }),
  };
}

/** The answer's text: its text blocks (and cited text) joined. */
function answerText(finish: Extract<ChatEvent, { type: "finish" }>): string {
  let text = "";
  for (const block of finish.message.content as Record<string, any>[]) {
    if (typeof block.text === "string") text += block.text;
    else if (block.citationsContent)
      for (const c of block.citationsContent.content ?? []) text += c.text ?? "";
  }
  return text;
}
