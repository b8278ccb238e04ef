import { hash53 } from "../wire/hash.ts";
import type { InputSegment } from "./conversation.ts";

// Prompt caching as Bedrock reports it: the input up to the last cache point is the cacheable prefix.
// The first request with a given prefix writes it (cacheWriteInputTokens), later identical prefixes
// within the TTL read it (cacheReadInputTokens). Keyed by a hash of model id + prefix; bounded in size.

const TTL_MS = { "5m": 5 * 60_000, "1h": 60 * 60_000 } as const;
const MAX_ENTRIES = 512;

export interface CacheUsage {
  inputTokens: number;
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
  /** Present when writing: the tokens written per TTL, as TokenUsage.cacheDetails. */
  cacheDetails?: { ttl: "5m" | "1h"; inputTokens: number }[];
}

export class PromptCache {
  private readonly entries = new Map<number, number>(); // prefix hash -> expiry time (ms)

  /** Splits the input tokens into uncached / read / written; undefined when there is no cache point. */
  account(modelId: string, segments: InputSegment[], now = Date.now()): CacheUsage | undefined {
    let last = -1;
    segments.forEach((s, i) => {
      if (s.cachePoint) last = i;
    });
    if (last < 0) return undefined;
    const prefix = segments.slice(0, last);
    const prefixTokens = prefix.reduce((sum, s) => sum + s.tokens, 0);
    const total = segments.reduce((sum, s) => sum + s.tokens, 0);
    const ttl = segments[last].cachePoint?.ttl === "1h" ? "1h" : "5m";
    const key = hash53(`${modelId}\u0000${prefix.map((s) => s.key).join("\u0000")}`);
    const expiry = this.entries.get(key);
    const hit = expiry !== undefined && expiry > now;
    this.entries.delete(key); // re-insert below: Map order doubles as least-recently-used order
    this.entries.set(key, Math.max(expiry ?? 0, now + TTL_MS[ttl]));
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as number);
    return {
      inputTokens: total - prefixTokens,
      cacheReadInputTokens: hit ? prefixTokens : 0,
      cacheWriteInputTokens: hit ? 0 : prefixTokens,
      cacheDetails: hit || prefixTokens === 0 ? undefined : [{ ttl, inputTokens: prefixTokens }],
    };
  }

  clear(): void {
    this.entries.clear();
  }
}
