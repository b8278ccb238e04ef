// Retry timing as the AWS SDKs' standard mode does it: exponential backoff with full jitter, a larger base for
// throttling, a 20 s cap, and the server's Retry-After honoured up to that cap.

export const RETRY_BASE_MS = 100;
export const THROTTLING_RETRY_BASE_MS = 500;
export const MAX_RETRY_DELAY_MS = 20_000;

/** random(0, min(cap, base * 2^attempt)); attempt 0 is the first retry. */
export function backoffDelay(
  attempt: number,
  baseMs = RETRY_BASE_MS,
  capMs = MAX_RETRY_DELAY_MS,
  random = Math.random,
): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
}

/**
 * The wait before retry number `attempt` (0-based): backoff with jitter, never less than the server's
 * Retry-After (capped at 20 s, so a server cannot park the caller for an hour).
 */
export function retryDelay(
  attempt: number,
  throttled: boolean,
  retryAfterMs?: number,
  random = Math.random,
): number {
  const backoff = backoffDelay(
    attempt,
    throttled ? THROTTLING_RETRY_BASE_MS : RETRY_BASE_MS,
    MAX_RETRY_DELAY_MS,
    random,
  );
  if (retryAfterMs === undefined) return backoff;
  return Math.max(backoff, Math.min(retryAfterMs, MAX_RETRY_DELAY_MS));
}

/** `Retry-After` in seconds or as an HTTP date, in ms; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  // An HTTP date names its day and month ("Wed, 21 Oct 2015 07:28:00 GMT"); Date.parse alone takes "-3" as a year.
  if (!/^[A-Za-z]{3}/.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
