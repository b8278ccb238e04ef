import type { ContentBlock, ConverseRequest, JsonValue, TokenUsage } from "../../types/index.ts";
import type { ModelReply } from "../types.ts";
import { hashId } from "../wire/hash.ts";
import { answerText } from "./answer.ts";
import { citationAnswer } from "./citations.ts";
import { inputSegments, lastUserMessage, messageText, toolNameFor, toolResults } from "./conversation.ts";
import { assessInput, guardrailTrace } from "./guardrail.ts";
import { applyLimits } from "./limits.ts";
import type { PromptCache } from "./prompt-cache.ts";
import { reasoningBlock, reasoningRequested } from "./reasoning.ts";
import { fillSchema, PromptFacts } from "./schema-fill.ts";
import { chooseTool } from "./tools.ts";

export interface BuiltinModelOptions {
  /** Words that make a guardrail (when guardrailConfig is sent) intervene. Default ["BLOCKME"]. */
  blockedWords?: readonly string[];
  /** The text a guardrail answers with when it intervenes. */
  blockedMessage?: string;
  /** Shared prompt cache (one per emulator). */
  promptCache: PromptCache;
}

export const DEFAULT_BLOCKED_MESSAGE = "Sorry, the model cannot answer this question.";

/**
 * The deterministic model: same request, same reply. Answers the last user message; calls an offered
 * tool when the prompt asks for what it provides; answers from tool results; reasons, cites documents,
 * produces structured JSON, honours maxTokens/stopSequences, guardrails and prompt caching.
 */
export function builtinReply(
  request: ConverseRequest,
  modelId: string,
  options: BuiltinModelOptions,
): ModelReply {
  const segments = inputSegments(request);
  const cache = options.promptCache.account(modelId, segments);
  const inputTokens = cache?.inputTokens ?? segments.reduce((sum, s) => sum + s.tokens, 0);
  const cacheUsage = cache
    ? {
        cacheReadInputTokens: cache.cacheReadInputTokens,
        cacheWriteInputTokens: cache.cacheWriteInputTokens,
        ...(cache.cacheDetails ? { cacheDetails: cache.cacheDetails } : {}),
      }
    : {};
  const last = lastUserMessage(request);
  const prompt = messageText(last);
  const guardrail = request.guardrailConfig;
  const traceOn = guardrail?.trace === "enabled" || guardrail?.trace === "enabled_full";

  if (guardrail) {
    const verdict = assessInput(request, options.blockedWords ?? ["BLOCKME"]);
    if (verdict.blockedWord !== undefined) {
      const text = options.blockedMessage ?? DEFAULT_BLOCKED_MESSAGE;
      return {
        content: [{ text }],
        stopReason: "guardrail_intervened",
        usage: { inputTokens, outputTokens: 0, ...cacheUsage },
        trace: traceOn ? { guardrail: guardrailTrace(guardrail, verdict, 0) } : undefined,
      };
    }
  }

  const content = generate(request, modelId, prompt);
  const limited = applyLimits(
    content,
    request.inferenceConfig?.maxTokens,
    request.inferenceConfig?.stopSequences,
  );
  const usage: Partial<TokenUsage> = { inputTokens, ...cacheUsage };
  const wantsStopSequence = request.additionalModelResponseFieldPaths?.includes("/stop_sequence");
  const outputChars = limited.content.reduce((n, b) => n + (b.text?.length ?? 0), 0);
  return {
    content: limited.content,
    stopReason: limited.stopReason ?? (limited.content.some((b) => b.toolUse) ? "tool_use" : "end_turn"),
    usage,
    additionalModelResponseFields:
      wantsStopSequence && limited.stopSequence ? { stop_sequence: limited.stopSequence } : undefined,
    trace:
      guardrail && traceOn
        ? { guardrail: guardrailTrace(guardrail, assessInput(request, []), outputChars) }
        : undefined,
  };
}

/** What the model says, before limits: optional reasoning, then one answer block (or text + tool call). */
function generate(request: ConverseRequest, modelId: string, prompt: string): ContentBlock[] {
  const content: ContentBlock[] = [];
  if (reasoningRequested(request)) content.push({ reasoningContent: reasoningBlock(prompt) });
  const results = toolResults(lastUserMessage(request));
  if (results.length > 0) return [...content, { text: toolResultAnswer(request, results) }];

  const tool = chooseTool(prompt, request.toolConfig);
  if (tool) {
    const choice = request.toolConfig?.toolChoice;
    if (!choice?.any && !choice?.tool)
      content.push({ text: `I'll use the ${tool.name} tool to answer that.` });
    const input = fillSchema(tool.inputSchema.json, new PromptFacts(prompt)) as JsonValue;
    const seed = `${modelId}\u0000${JSON.stringify(request.messages)}\u0000${tool.name}`;
    return [...content, { toolUse: { toolUseId: `tooluse_${hashId(seed, 22)}`, name: tool.name, input } }];
  }
  const schema = request.outputConfig?.textFormat?.structure?.jsonSchema?.schema;
  if (schema !== undefined) {
    const json = fillSchema(JSON.parse(schema), new PromptFacts(prompt), { allProperties: true });
    return [...content, { text: JSON.stringify(json) }];
  }
  const citation = citationAnswer(request, prompt);
  if (citation) return [...content, { citationsContent: citation }];
  return [...content, { text: answerText(prompt) }];
}

function toolResultAnswer(request: ConverseRequest, results: ReturnType<typeof toolResults>): string {
  return results
    .map((result) => {
      const name = toolNameFor(request, result.toolUseId);
      const value = result.content
        .map((c) =>
          c.text !== undefined
            ? c.text
            : c.json !== undefined
              ? JSON.stringify(c.json)
              : "(non-text content)",
        )
        .join(" ")
        .trim();
      return result.status === "error"
        ? `The ${name} tool reported an error: ${value}`
        : `The ${name} tool returned: ${value}`;
    })
    .join("\n");
}
