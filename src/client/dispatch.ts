import { type JsonSchema, parseStructured, requestedSchema } from "../request/structured.ts";
import type { ChatEvent } from "../types/events.ts";
import type { Callbacks } from "./options.ts";

/** Routes chat events to the caller's callbacks, and checks structured output at the finish. */
export class Dispatcher {
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
          // The event itself: id, name, argumentsText and the lazy `partial` (createBedrock always sets it up).
          cb.onPrepareToolCall?.(e as typeof e & { partial: unknown });
          break;
        case "usage":
          cb.onUsageUpdated?.(e.usage);
          break;
        case "finish":
          // Checked before the caller sees the finish: a mismatch is a StructuredOutputError, never silent.
          if (this.schema && e.stopReason !== "tool_use")
            e.structured = parseStructured(answerText(e), this.schema, e.stopReason);
          if (e.toolCalls.length) cb.onToolsCalled?.(e.toolCalls);
          break;
      }
    }
  }
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
