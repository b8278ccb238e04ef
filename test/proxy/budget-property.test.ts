import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createEmulator } from "../../src/emulator";
import { createProxy, type LimitStore, memoryStore, type UsageRecord } from "../../src/proxy";
import { HAIKU, UPSTREAM_KEY } from "./setup";

// Property: whatever the interleaving of concurrent calls, failures and disconnects from several callers through
// three proxy instances sharing one store, no caller's settled usage passes its daily budget, and every
// reservation made is settled exactly once. fast-check's scheduler orders the store's operations (where races
// would hide); the proxies are real, in front of the real emulator (called in-process: no sockets, so it runs in
// seconds).

const CALLERS = ["alice", "bob"];
// One worst case (~580 tokens) fits in the budget at a time, while a few calls' actual usage (~135 each) does not.
const BUDGET = 600;
const CAP = 200;

type Kind = "complete" | "upstream-error" | "cut-stream" | "disconnect" | "json";

/** The shared store, with every admit and settle released in an order the scheduler picks; records ids. */
function scheduledStore(s: fc.Scheduler, inner: LimitStore) {
  const admitted = new Map<string, number>();
  const settled = new Map<string, number>();
  const store: LimitStore = {
    async admit(subject, admission) {
      const result = await s.schedule(inner.admit(subject, admission), `admit ${subject}`);
      if (result.ok) admitted.set(admission.id, 0);
      return result;
    },
    async settle(subject, id, tokens, now) {
      await s.schedule(Promise.resolve(), `settle ${subject}`);
      settled.set(id, (settled.get(id) ?? 0) + 1);
      return inner.settle(subject, id, tokens, now);
    },
  };
  return { store, admitted, settled };
}

const call = fc.record({
  caller: fc.integer({ min: 0, max: CALLERS.length - 1 }),
  proxy: fc.integer({ min: 0, max: 2 }),
  kind: fc.constantFrom<Kind>("complete", "complete", "json", "upstream-error", "cut-stream", "disconnect"),
  words: fc.integer({ min: 20, max: 60 }),
  maxTokens: fc.option(fc.integer({ min: 100, max: 400 }), { nil: undefined }),
});

describe("budgets under concurrency (property)", () => {
  it("never lets a caller's settled usage exceed its budget, and settles every reservation once", async () => {
    const emulator = createEmulator();
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.array(call, { minLength: 6, maxLength: 16 }), async (s, calls) => {
        const { store, admitted, settled } = scheduledStore(s, memoryStore());
        const usage: UsageRecord[] = [];
        const proxies = [0, 1, 2].map(() =>
          createProxy({
            sessions: undefined,
            authorize: (request) => ({ subject: request.headers.get("x-caller")! }),
            upstreamKey: UPSTREAM_KEY,
            upstream: "http://emulator.test",
            fetch: (request) => emulator.fetch(request),
            store,
            limits: { tokensPerDay: BUDGET, maxTokensPerRequest: CAP, concurrentRequests: 10 },
            onUsage: (r) => void usage.push(r),
          }),
        );
        const run = async (c: fc.Infer<typeof call>) => {
          const model = {
            complete: HAIKU,
            json: HAIKU,
            "upstream-error": "fault.throttle",
            "cut-stream": "fault.reset;after=3",
            disconnect: HAIKU,
          }[c.kind];
          const op = c.kind === "json" ? "converse" : "converse-stream";
          const response = await proxies[c.proxy].fetch(
            new Request(`http://proxy.test/model/us-east-1.${model}/${op}`, {
              method: "POST",
              headers: { "x-caller": CALLERS[c.caller], "content-type": "application/json" },
              body: JSON.stringify({
                messages: [{ role: "user", content: [{ text: "word ".repeat(c.words) }] }],
                ...(c.maxTokens === undefined ? {} : { inferenceConfig: { maxTokens: c.maxTokens } }),
              }),
            }),
          );
          if (c.kind === "disconnect" && response.body) {
            const reader = response.body.getReader();
            await reader.read();
            await reader.cancel();
          } else await response.arrayBuffer().catch(() => {});
          return response.status;
        };
        await s.waitFor(Promise.all(calls.map(run)));
        // onUsage runs after the settle it follows: wait until every admitted call has reported.
        await s.waitFor(
          (async () => {
            for (let i = 0; i < 200 && usage.length < admitted.size; i++)
              await new Promise((r) => setTimeout(r, 1));
          })(),
        );
        await s.waitIdle();
        for (const caller of CALLERS) {
          const spent = usage.filter((u) => u.subject === caller).reduce((sum, u) => sum + u.charged, 0);
          expect(spent, `${caller} spent ${spent} of ${BUDGET}\n${s.report()}`).toBeLessThanOrEqual(BUDGET);
        }
        for (const id of admitted.keys()) expect(settled.get(id), `reservation ${id} settled once`).toBe(1);
      }),
      { numRuns: 30 },
    );
  }, 60_000);
});
