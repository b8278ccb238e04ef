import type { ContentBlock, StopReason } from "../../types/index.ts";
import { countTokens, truncateTokens } from "./tokens.ts";

// inferenceConfig.stopSequences and maxTokens applied to generated content, in order: text stops before
// the first stop sequence; output stops after maxTokens tokens (a tool call that does not fit entirely
// is dropped, as its input would be unusable).

export interface Limited {
  content: ContentBlock[];
  stopReason?: Extract<StopReason, "max_tokens" | "stop_sequence">;
  stopSequence?: string;
}

export function applyLimits(
  content: ContentBlock[],
  maxTokens?: number,
  stopSequences: readonly string[] = [],
): Limited {
  let budget = maxTokens ?? Number.POSITIVE_INFINITY;
  const out: ContentBlock[] = [];
  for (const block of content) {
    if (block.text !== undefined) {
      const stop = firstStop(block.text, stopSequences);
      const text = stop ? block.text.slice(0, stop.index) : block.text;
      const cut = truncateTokens(text, budget);
      if (cut.text !== "" || !cut.cut) out.push({ text: cut.text });
      if (cut.cut) return { content: out, stopReason: "max_tokens" };
      if (stop) return { content: out, stopReason: "stop_sequence", stopSequence: stop.sequence };
      budget -= countTokens(text);
    } else if (block.reasoningContent?.reasoningText) {
      const { text, signature } = block.reasoningContent.reasoningText;
      const cut = truncateTokens(text, budget);
      out.push({ reasoningContent: { reasoningText: { text: cut.text, signature } } });
      if (cut.cut) return { content: out, stopReason: "max_tokens" };
      budget -= countTokens(text);
    } else if (block.citationsContent) {
      const text = (block.citationsContent.content ?? []).map((c) => c.text ?? "").join("");
      const cut = truncateTokens(text, budget);
      out.push({ citationsContent: { ...block.citationsContent, content: [{ text: cut.text }] } });
      if (cut.cut) return { content: out, stopReason: "max_tokens" };
      budget -= countTokens(text);
    } else if (block.toolUse) {
      const cost = countTokens(JSON.stringify(block.toolUse.input));
      if (cost > budget) return { content: out, stopReason: "max_tokens" };
      out.push(block);
      budget -= cost;
    } else {
      out.push(block);
    }
  }
  return { content: out };
}

function firstStop(
  text: string,
  sequences: readonly string[],
): { index: number; sequence: string } | undefined {
  let found: { index: number; sequence: string } | undefined;
  for (const sequence of sequences) {
    const index = text.indexOf(sequence);
    if (index >= 0 && (!found || index < found.index)) found = { index, sequence };
  }
  return found;
}
