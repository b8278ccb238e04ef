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
interface Entry {
  name: string;
  entry: string;
  budget?: number;
  ceiling?: number;
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const largest = (size: Measured) =>
  size.modules
    .slice(0, 8)
    .map((m) => `${m.path} ${m.bytes}`)
    .join(", ");

describe("bundle budgets (min+gz, esbuild, browser/worker conditions)", () => {
  for (const { name, entry, budget, ceiling } of OURS as Entry[]) {
    const limit = budget ?? ceiling;
    if (!limit) continue;
    it(`${name}: at most ${kb(limit)}${budget ? " (issue 7's budget)" : " (growth guard)"}`, async () => {
      const size: Measured = await measure(entry);
      expect(
        size.gzip,
        `${kb(size.gzip)} gzipped (${kb(size.minified)} minified); largest: ${largest(size)}`,
      ).toBeLessThanOrEqual(limit);
    });
  }

  it("the core client ships none of the full client's extras", async () => {
    const paths = ((await measure("test/size/entries/core.ts")) as Measured).modules.map((m) => m.path);
    expect(paths).toContain("src/client/run.ts");
    expect(paths).toContain("src/stream/decode.ts");
    const extras = paths.filter((p) =>
      /valibot|src\/config\/|src\/auth\/(sigv4|credentials)|partial-json|structured|converse-json|client\/hints|request\/(body|messages|media)/.test(
        p,
      ),
    );
    expect(extras).toEqual([]);
  });

  it("adding SigV4 to the core brings the signer and nothing else", async () => {
    const core = new Set(
      ((await measure("test/size/entries/core.ts")) as Measured).modules.map((m) => m.path),
    );
    const signed = ((await measure("test/size/entries/sigv4.ts")) as Measured).modules.map((m) => m.path);
    expect(signed.filter((p) => !core.has(p) && !p.startsWith("test/")).sort()).toEqual([
      "src/auth/sigv4.ts",
    ]);
  });

  it("the stream decoder ships no Node built-ins and no @smithy code", async () => {
    const size: Measured = await measure("test/size/entries/pipeline.ts");
    const paths = size.modules.map((m) => m.path);
    expect(paths.filter((p) => p.includes("@smithy") || p.startsWith("node:"))).toEqual([]);
    expect(paths).toContain("src/stream/decode.ts");
  });
});
