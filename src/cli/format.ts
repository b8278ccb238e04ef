import type { TokenUsage } from "../types/events.ts";

/** "41 input + 35 output = 76 tokens", plus cache reads/writes when there are any. */
export function formatUsage(usage: TokenUsage | undefined): string {
  if (!usage) return "no usage reported";
  const cache = [
    usage.cacheReadInputTokens ? `${usage.cacheReadInputTokens} cache read` : "",
    usage.cacheWriteInputTokens ? `${usage.cacheWriteInputTokens} cache write` : "",
  ].filter(Boolean);
  const extra = cache.length ? ` (${cache.join(", ")})` : "";
  return `${usage.inputTokens} input + ${usage.outputTokens} output = ${usage.totalTokens} tokens${extra}`;
}

export function addUsage(a: TokenUsage, b: TokenUsage | undefined): TokenUsage {
  if (!b) return a;
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    totalTokens: a.totalTokens + b.totalTokens,
  };
}

export function formatSeconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}
