import { describe, expect, it } from "vitest";
import { createBedrock } from "../../src/client/create";
import { createEmulator } from "../../src/emulator";
import { serve } from "../../src/node";
import { createProxy } from "../../src/proxy";

// The load test in reduced size (the full 500+ runs with `npm run test:load`): concurrent streams through the
// proxy to the emulator on loopback, each checked event by event against a reference answer.

interface LoadResult {
  streams: number;
  completed: number;
  failed: number[];
  failing: number[];
  problems: string[];
  events: number;
  wallMs: number;
  eventsPerSecond: number;
  peakOpen: number;
  peakRss: number;
  peakHeap: number;
  firstEventP50: number;
  firstEventP95: number;
}
type RunLoad = (options: Record<string, unknown>) => Promise<LoadResult>;

// A plain-JS module (it also runs on its own against dist/): imported by path, typed here.
const script: string = "../../scripts/load.mjs";
const { runLoad } = (await import(script)) as { runLoad: RunLoad };
const lib = { createBedrock, createEmulator, createProxy, serve };
const STREAMS = 100;

function report(label: string, r: LoadResult) {
  console.log(
    `${label}: ${r.streams} streams, ${r.completed} ok / ${r.failed.length} failed, peak ${r.peakOpen} open, ` +
      `${r.events} events in ${(r.wallMs / 1000).toFixed(2)} s (${Math.round(r.eventsPerSecond)} events/s), ` +
      `peak RSS ${Math.round(r.peakRss / 2 ** 20)} MB, first event p50/p95 ${Math.round(r.firstEventP50)}/${Math.round(r.firstEventP95)} ms`,
  );
}

describe(`${STREAMS} concurrent streams through the proxy to the emulator`, () => {
  it("every stream receives every event, in order", async () => {
    const r = await runLoad({ lib, streams: STREAMS, timeoutMs: 25_000 });
    report("all succeed", r);
    expect(r.problems).toEqual([]);
    expect(r.completed).toBe(STREAMS);
    expect(r.events).toBeGreaterThan(STREAMS * 15);
    // They really were open at the same time.
    expect(r.peakOpen).toBeGreaterThan(STREAMS * 0.75);
  });

  it("every 5th upstream fails mid-way: exactly those callers get errors, the rest complete", async () => {
    const r = await runLoad({ lib, streams: STREAMS, failEvery: 5, timeoutMs: 25_000 });
    report("every 5th fails", r);
    expect(r.failing).toHaveLength(STREAMS / 5);
    expect(r.failed).toEqual(r.failing);
    expect(r.problems).toEqual([]);
    expect(r.completed).toBe(STREAMS - STREAMS / 5);
  });
});
