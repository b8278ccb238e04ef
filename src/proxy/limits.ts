// Per-caller limits: what the proxy enforces for each subject, and the stricter-of merge with the limits a
// session token carries (a token can tighten the proxy's limits, never loosen them).

export interface CallerLimits {
  /** Requests admitted per minute (a fixed window per UTC minute). Over it: 429 ThrottlingException. */
  requestsPerMinute?: number;
  /** Tokens (input + output) per UTC minute, counting reservations of requests still running. */
  tokensPerMinute?: number;
  /** Tokens per UTC day; spent: 429 ServiceQuotaExceededException with Retry-After at the next UTC midnight. */
  tokensPerDay?: number;
  /** Requests running at once. */
  concurrentRequests?: number;
  /** Output tokens one request may ask for; a request that sets none gets this cap. */
  maxTokensPerRequest?: number;
}

export interface ProxyLimits extends CallerLimits {
  /** A request asking for more than maxTokensPerRequest: "clamp" it to the cap (default) or "refuse" it (400). */
  overMaxTokens?: "clamp" | "refuse";
}

export const LIMIT_KEYS = [
  "requestsPerMinute",
  "tokensPerMinute",
  "tokensPerDay",
  "concurrentRequests",
  "maxTokensPerRequest",
] as const;

/** The output cap reserved when token budgets are set but maxTokensPerRequest is not. */
export const DEFAULT_MAX_TOKENS = 4096;

/** Validates a limits object: each given key a positive integer; no other keys. */
export function checkLimits(limits: unknown, where: string): CallerLimits {
  if (!limits || typeof limits !== "object" || Array.isArray(limits))
    throw new TypeError(`${where} must be an object`);
  const out: CallerLimits = {};
  for (const [key, value] of Object.entries(limits)) {
    if (key === "overMaxTokens") continue;
    if (!(LIMIT_KEYS as readonly string[]).includes(key))
      throw new TypeError(`${where}: unknown limit "${key.slice(0, 40)}" (known: ${LIMIT_KEYS.join(", ")})`);
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || (value as number) < 1)
      throw new TypeError(`${where}.${key} must be a positive integer`);
    out[key as keyof CallerLimits] = value as number;
  }
  return out;
}

/** The stricter of the proxy's limits and a caller's own: for each key, the smaller of those set. */
export function strictest(proxy: CallerLimits, caller: CallerLimits | undefined): CallerLimits {
  const out: CallerLimits = { ...proxy };
  if (!caller) return out;
  for (const key of LIMIT_KEYS) {
    const c = caller[key];
    if (c !== undefined) out[key] = Math.min(c, proxy[key] ?? c);
  }
  return out;
}

export const meters = (l: CallerLimits) =>
  l.requestsPerMinute !== undefined ||
  l.tokensPerMinute !== undefined ||
  l.tokensPerDay !== undefined ||
  l.concurrentRequests !== undefined ||
  l.maxTokensPerRequest !== undefined;
