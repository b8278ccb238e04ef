// Retry-After and the wait between attempts (src/client/retry.ts), beyond test/reliability/retry.test.ts:
// written against the survivors of `npm run test:mutation -- src/client/retry.ts`.
import { getEventListeners } from "node:events";
import { afterEach, describe, expect, it, vi } from "vitest";
import { retryAfterMs, sleep } from "../../src/client/retry";

const now = Date.parse("2025-01-01T00:00:00Z");

describe("Retry-After: only delta-seconds or an HTTP-date count, anything else leaves the backoff alone", () => {
  it("takes fractional seconds with more than one decimal", () => {
    expect(retryAfterMs("1.25", now)).toBe(1250);
  });

  it("refuses seconds followed by other text (not NaN, which would retry at once)", () => {
    expect(retryAfterMs("5 seconds", now)).toBeUndefined();
    expect(retryAfterMs("5s", now)).toBeUndefined();
  });

  it("refuses dates without the day name an HTTP-date starts with (Date.parse would take them)", () => {
    // "06 Nov 2030 ..." parses in JavaScript: taken, it would park the caller for the 20 s cap.
    expect(retryAfterMs("06 Nov 2030 08:49:37 GMT", now)).toBeUndefined();
    expect(retryAfterMs("x 2030", now)).toBeUndefined();
    expect(retryAfterMs("Sun, 06 Nov 2030 08:49:37 GMT", now)).toBeGreaterThan(0);
  });
});

describe("sleep between attempts", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("leaves no listener on the caller's signal once it has waited (a signal reused across calls does not leak)", async () => {
    const controller = new AbortController();
    for (let i = 0; i < 3; i++) await sleep(1, controller.signal);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("an abort rejects with the signal's reason and leaves no timer behind to hold the process open", async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const waiting = sleep(20_000, controller.signal);
    expect(vi.getTimerCount()).toBe(1);
    const reason = new Error("stop");
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("an already aborted signal rejects at once", async () => {
    const reason = new Error("gone");
    await expect(sleep(10_000, AbortSignal.abort(reason))).rejects.toBe(reason);
  });
});
