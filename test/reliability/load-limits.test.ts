import { describe, expect, it } from "vitest";
import { createBedrock } from "../../src/client/create";
import { createEmulator } from "../../src/emulator";
import { serve } from "../../src/node";
import { createSessionToken } from "../../src/proxy";

// The limits load test in reduced size (the full one, 300 streams from 30 callers, runs with `npm run test:load`):
// three proxy processes (the built dist/) sharing a real redis-server in front of the emulator.

interface LimitsLoad {
  admitted: number;
  throttled: number;
  quotaExceeded: number;
  onUsageTokens: number;
  emulatorTokens: number;
  problems: string[];
}
const script: string = "../../scripts/load-limits.mjs";
const { runLimitsLoad, describeLimitsLoad } = (await import(script)) as {
  runLimitsLoad: (options: Record<string, unknown>) => Promise<LimitsLoad>;
  describeLimitsLoad: (r: LimitsLoad) => string;
};

describe("limits under load: three proxy processes sharing Redis", () => {
  it("admitted streams complete in order, refused ones get the right error, onUsage matches the emulator", async () => {
    const r = await runLimitsLoad({
      lib: { createBedrock, createEmulator, serve, createSessionToken },
      streams: 66,
      callers: 11,
      probes: 40,
    });
    console.log(describeLimitsLoad(r));
    expect(r.problems).toEqual([]);
    expect(r.admitted).toBeGreaterThan(0);
    expect(r.quotaExceeded).toBeGreaterThan(0);
    expect(r.admitted + r.throttled + r.quotaExceeded).toBe(66);
    expect(r.onUsageTokens).toBe(r.emulatorTokens);
  }, 90_000);
});
