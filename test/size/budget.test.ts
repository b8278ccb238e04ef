// Bundle budgets (issue 7): what a Worker or browser app ships when it imports bedrock-edge, minified and
// gzipped by esbuild with the browser/worker conditions. Sizes are stable, so they are tested; timings are not
// (the benchmark reports those). Entries: test/size/entries; measuring: scripts/bundle-size.mjs.
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without types
import { measure, OURS } from "../../scripts/bundle-size.mjs";

interface Measured {
  minified: number;
  gzip: number;
  modules: { path: string; bytes: number }[];
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

describe("bundle budgets (min+gz, esbuild, browser/worker conditions)", () => {
  for (const { name, entry, budget, ceiling } of OURS as { name: string; entry: string; budget?: number; ceiling?: number }[]) {
    if (!ceiling) continue;
    // The budget (`budget`) is not met yet; the test holds today's size so it can only shrink.
    it(`${name}: at most ${kb(ceiling)} (issue budget ${kb(budget ?? 0)}, not met yet)`, async () => {
      const size: Measured = await measure(entry);
      const largest = size.modules
        .slice(0, 8)
        .map((m) => `${m.path} ${m.bytes}`)
        .join(", ");
      expect(
        size.gzip,
        `${kb(size.gzip)} gzipped (${kb(size.minified)} minified); largest modules: ${largest}`,
      ).toBeLessThanOrEqual(ceiling);
    });
  }

  it("the stream decoder ships no Node built-ins and no @smithy code", async () => {
    const size: Measured = await measure("test/size/entries/pipeline.ts");
    const paths = size.modules.map((m) => m.path);
    expect(paths.filter((p) => p.includes("@smithy") || p.startsWith("node:"))).toEqual([]);
    expect(paths).toContain("src/stream/decode.ts");
  });
});
