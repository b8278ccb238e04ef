// The admission and settlement rules, on one caller's state. memoryStore and the Durable Object run this code;
// redisStore runs the same rules as a Lua script (redis-store.ts), so all three stores agree.
//
// Admission reserves a request's worst case (input estimate + output cap) against the minute and day windows
// and the concurrency count, atomically; settlement replaces the reservation with the tokens Bedrock reported.
// A reservation whose proxy never settles it (the instance died) expires and is charged in full.

import type { CallerLimits } from "./limits.ts";

export interface BudgetState {
  /** Minute window number (ms / 60,000), its admitted requests, settled tokens and held reservations. */
  m: number;
  mr: number;
  mt: number;
  mh: number;
  /** Day window number (ms / 86,400,000), its settled tokens and held reservations. */
  d: number;
  dt: number;
  dh: number;
  /** Reservations in flight: id -> [tokens, minute window, day window, expires at (ms)]. */
  f: Record<string, [number, number, number, number]>;
}

export interface Admission {
  /** A fresh id for this reservation (settle names it). */
  id: string;
  /** The proxy's clock (ms since the epoch): windows follow the proxy's time, not the store's. */
  now: number;
  /** Tokens reserved: the input estimate plus the output cap. */
  tokens: number;
  limits: CallerLimits;
  /** When an unsettled reservation expires and is charged in full. */
  ttlMs: number;
}

export type LimitName = "requestsPerMinute" | "tokensPerMinute" | "tokensPerDay" | "concurrentRequests";

export type AdmitResult =
  | { ok: true }
  | {
      ok: false;
      limit: LimitName;
      /** When a retry can succeed, in ms from now. */
      retryAfterMs: number;
      /** tokensPerDay only: true when settled usage alone leaves no room (wait for the reset, not for others). */
      spent?: boolean;
    };

const MINUTE = 60_000;
const DAY = 86_400_000;

export const emptyState = (): BudgetState => ({ m: 0, mr: 0, mt: 0, mh: 0, d: 0, dt: 0, dh: 0, f: {} });

export function settleState(s: BudgetState, id: string, tokens: number): boolean {
  const held = s.f[id];
  if (!held) return false;
  delete s.f[id];
  const [reserved, minute, day] = held;
  if (minute === s.m) {
    s.mh -= reserved;
    s.mt += tokens;
  }
  if (day === s.d) {
    s.dh -= reserved;
    s.dt += tokens;
  }
  return true;
}

export function admitState(s: BudgetState, a: Admission): AdmitResult {
  const { now, tokens, limits: l } = a;
  for (const [id, held] of Object.entries(s.f)) if (held[3] <= now) settleState(s, id, held[0]);
  const minute = Math.floor(now / MINUTE);
  const day = Math.floor(now / DAY);
  if (minute !== s.m) Object.assign(s, { m: minute, mr: 0, mt: 0, mh: 0 });
  if (day !== s.d) Object.assign(s, { d: day, dt: 0, dh: 0 });
  const toMinuteEnd = (minute + 1) * MINUTE - now;
  const running = Object.keys(s.f).length;
  if (l.concurrentRequests !== undefined && running >= l.concurrentRequests)
    return { ok: false, limit: "concurrentRequests", retryAfterMs: 1000 };
  if (l.requestsPerMinute !== undefined && s.mr + 1 > l.requestsPerMinute)
    return { ok: false, limit: "requestsPerMinute", retryAfterMs: toMinuteEnd };
  if (l.tokensPerDay !== undefined) {
    if (s.dt + tokens > l.tokensPerDay)
      return { ok: false, limit: "tokensPerDay", retryAfterMs: (day + 1) * DAY - now, spent: true };
    if (s.dt + s.dh + tokens > l.tokensPerDay)
      return { ok: false, limit: "tokensPerDay", retryAfterMs: 1000 };
  }
  if (l.tokensPerMinute !== undefined && s.mt + s.mh + tokens > l.tokensPerMinute)
    return { ok: false, limit: "tokensPerMinute", retryAfterMs: running > 0 ? 1000 : toMinuteEnd };
  s.mr += 1;
  s.mh += tokens;
  s.dh += tokens;
  s.f[a.id] = [tokens, minute, day, now + a.ttlMs];
  return { ok: true };
}
