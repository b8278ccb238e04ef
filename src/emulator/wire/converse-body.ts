import type { FinalReply } from "../model/reply.ts";
import { wireUsage } from "../model/reply.ts";

/** The /converse response body (keys are sorted when serialised, as Bedrock does). */
export function converseBody(reply: FinalReply, latencyMs: number): Record<string, unknown> {
  return {
    output: { message: { role: "assistant", content: reply.content } },
    stopReason: reply.stopReason,
    usage: wireUsage(reply.usage),
    metrics: { latencyMs },
    additionalModelResponseFields: reply.additionalModelResponseFields,
    trace: reply.trace,
  };
}
