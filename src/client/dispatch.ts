import type { ChatEvent } from "../stream/events";
import type { Callbacks, ConverseResult } from "./options";
import type { ToolCallAccumulator } from "../stream/accumulate";

/** Routes chat events to the caller's callbacks and remembers what the result needs. */
export class Dispatcher {
  finish: Extract<ChatEvent, { type: "finish" }> | undefined;
  citations: Record<string, unknown>[] = [];

  constructor(private readonly callbacks: Callbacks) {}

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
          cb.onPrepareToolCall?.({ id: e.id, name: e.name, argumentsText: e.argumentsText });
          break;
        case "usage":
          cb.onUsageUpdated?.(e.usage);
          break;
        case "citation":
          this.citations.push(e.citation);
          break;
        case "finish":
          this.finish = e;
          break;
      }
    }
  }

  /** The result of a completed call. */
  result(acc: ToolCallAccumulator): ConverseResult {
    const finish = this.finish!;
    const reasoningBlocks = finish.message.content.filter((b: any) => b.reasoningContent).map((b: any) => b.reasoningContent);
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
      outputText: acc.outputText,
      toolsToCall: acc.toolCalls,
      stopReason: finish.stopReason,
      usage: finish.usage,
      reasoning,
      message: finish.message,
      citations: this.citations,
      ...(finish.additionalModelResponseFields !== undefined && {
        additionalModelResponseFields: finish.additionalModelResponseFields,
      }),
      ...(finish.metrics && { metrics: finish.metrics }),
      ...(finish.trace !== undefined && { trace: finish.trace }),
    };
  }
}
