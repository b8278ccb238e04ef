// Admission for one call: the output cap applied to the request body, the worst case reserved in the store,
// and a ticket that settles the reservation to what Bedrock reported (once, whatever happens).

import type { LimitName } from "./budget.ts";
import type { ProxyErrorType } from "./errors.ts";
import type { CallerLimits } from "./limits.ts";
import type { NormalizedOptions } from "./options.ts";

export interface Ticket {
  /** Tokens reserved (0 when the call is not metered). */
  reserved: number;
  /** Settles the reservation to `tokens` (0 releases it). Runs once; errors are reported to `onError`. */
  settle(tokens: number): Promise<void>;
}

export type Refusal = { type: ProxyErrorType; message: string; retryAfterSeconds?: number };

const encoder = new TextEncoder();
/** Output-length fields of the model families' native requests (max_tokens, maxTokenCount, max_gen_len...). */
const OUTPUT_LIMIT_KEY =
  /^(max_?(new_)?tokens?(_to_sample)?|max_?token_?count|max_?gen_?len|max_?length|num_?predict)$/i;
const decoder = new TextDecoder();

/** The body with the output cap applied, and the output tokens it may ask for; or why it is refused. */
export function capOutput(
  body: Uint8Array<ArrayBuffer>,
  cap: number | undefined,
  over: "clamp" | "refuse",
): { body: Uint8Array<ArrayBuffer>; maxTokens: number } | Refusal {
  if (cap === undefined) return { body, maxTokens: 0 };
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(decoder.decode(body));
  } catch {
    return { type: "ValidationException", message: "The request body is not valid JSON." };
  }
  if (!json || typeof json !== "object" || Array.isArray(json))
    return { type: "ValidationException", message: "The request body must be a JSON object." };
  // A model-specific output limit would get past the cap the reservation counts on.
  const extra = json.additionalModelRequestFields;
  if (extra && typeof extra === "object") {
    const key = Object.keys(extra).find((k) => OUTPUT_LIMIT_KEY.test(k));
    if (key !== undefined) {
      return {
        type: "ValidationException",
        message: `additionalModelRequestFields.${key.slice(0, 40)} is not accepted by this proxy: set inferenceConfig.maxTokens (at most ${cap}).`,
      };
    }
  }
  const config = (json.inferenceConfig ?? {}) as Record<string, unknown>;
  if (typeof config !== "object" || Array.isArray(config))
    return { type: "ValidationException", message: "inferenceConfig must be an object." };
  const asked = config.maxTokens;
  if (asked !== undefined && (!Number.isSafeInteger(asked) || (asked as number) < 1))
    return { type: "ValidationException", message: "inferenceConfig.maxTokens must be a positive integer." };
  if (asked !== undefined && (asked as number) <= cap) return { body, maxTokens: asked as number };
  if (asked !== undefined && over === "refuse") {
    return {
      type: "ValidationException",
      message: `inferenceConfig.maxTokens is ${asked}; this proxy allows at most ${cap} per request.`,
    };
  }
  json.inferenceConfig = { ...config, maxTokens: cap };
  return { body: encoder.encode(JSON.stringify(json)) as Uint8Array<ArrayBuffer>, maxTokens: cap };
}

/** Where InvokeModel's native bodies put the output limit: Anthropic, Mistral, Cohere, Llama, Titan, Nova. */
const NATIVE_OUTPUT_LIMITS: readonly (readonly string[])[] = [
  ["max_tokens"],
  ["max_tokens_to_sample"],
  ["max_gen_len"],
  ["textGenerationConfig", "maxTokenCount"],
  ["inferenceConfig", "max_new_tokens"],
];

/**
 * InvokeModel: the output limits of the model families' native bodies, clamped to the cap (or refused). A body
 * with none of them is forwarded as is (the model's own default applies; its usage is still settled in full).
 */
export function capNativeOutput(
  body: Uint8Array<ArrayBuffer>,
  cap: number | undefined,
  over: "clamp" | "refuse",
): { body: Uint8Array<ArrayBuffer>; maxTokens: number } | Refusal {
  if (cap === undefined) return { body, maxTokens: 0 };
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(decoder.decode(body));
  } catch {
    // Not JSON (an InvokeModel body may be anything the model takes): the cap is reserved, nothing rewritten.
    return { body, maxTokens: cap };
  }
  if (!json || typeof json !== "object" || Array.isArray(json)) return { body, maxTokens: cap };
  let changed = false;
  for (const path of NATIVE_OUTPUT_LIMITS) {
    let holder: Record<string, unknown> = json;
    for (const key of path.slice(0, -1)) {
      const next = holder[key];
      if (!next || typeof next !== "object") break;
      holder = next as Record<string, unknown>;
    }
    const key = path[path.length - 1];
    const asked = holder[key];
    if (typeof asked !== "number" || asked <= cap) continue;
    if (over === "refuse") {
      return {
        type: "ValidationException",
        message: `${path.join(".")} is ${asked}; this proxy allows at most ${cap} per request.`,
      };
    }
    holder[key] = cap;
    changed = true;
  }
  return {
    body: changed ? (encoder.encode(JSON.stringify(json)) as Uint8Array<ArrayBuffer>) : body,
    maxTokens: cap,
  };
}

const REFUSALS: Record<LimitName, string> = {
  requestsPerMinute: "Too many requests per minute for this caller",
  tokensPerMinute: "Too many tokens per minute for this caller",
  concurrentRequests: "Too many requests at once for this caller",
  tokensPerDay: "This caller's daily token budget is held by requests still running",
};

/** Rejects with a timeout error after `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the store did not answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Reserves `tokens` for `subject` under `limits`: a ticket, or the refusal to answer with. A store that fails
 * or does not answer refuses with 503 (or, with failOpen, admits unmetered), reported through `onStoreError`.
 */
export async function admit(
  o: NormalizedOptions,
  subject: string,
  limits: CallerLimits,
  tokens: number,
  onStoreError: (stage: "admit" | "settle", error: unknown) => void,
): Promise<Ticket | Refusal> {
  const id = crypto.randomUUID();
  const now = Date.now();
  let result: Awaited<ReturnType<typeof o.store.admit>>;
  try {
    // A reservation nobody settles (the instance died) is charged in full after the longest a call may run.
    result = await within(
      o.store.admit(subject, { id, now, tokens, limits, ttlMs: 15 * 60_000 }),
      o.storeTimeoutMs,
    );
  } catch (error) {
    onStoreError("admit", error);
    if (o.failOpen) return { reserved: 0, settle: async () => {} };
    return {
      type: "ServiceUnavailableException",
      message: "The proxy's usage store is unavailable, so the call was not admitted: try again shortly.",
      retryAfterSeconds: 1,
    };
  }
  if (!result.ok) {
    const retryAfterSeconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
    if (result.limit === "tokensPerDay" && result.spent) {
      const reset = new Date(now + result.retryAfterMs).toISOString().replace(/\.\d+Z$/, "Z");
      return {
        type: "ServiceQuotaExceededException",
        message: `This caller's daily token budget (${limits.tokensPerDay}) has no room for this request (up to ${tokens} tokens) until ${reset} (UTC midnight, when it resets).`,
        retryAfterSeconds,
      };
    }
    return {
      type: "ThrottlingException",
      message: `${REFUSALS[result.limit]}: retry in ${retryAfterSeconds} s.`,
      retryAfterSeconds,
    };
  }
  let settled = false;
  return {
    reserved: tokens,
    async settle(used) {
      if (settled) return;
      settled = true;
      try {
        await within(o.store.settle(subject, id, used, Date.now()), o.storeTimeoutMs);
      } catch (error) {
        onStoreError("settle", error);
      }
    },
  };
}

export const isRefusal = (x: Ticket | Refusal): x is Refusal => "type" in x;
