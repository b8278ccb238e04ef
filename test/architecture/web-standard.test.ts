import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const SRC = join(ROOT, "src");
// The only places allowed to use Node APIs: the CLI and the Node adapter.
const NODE_ONLY = [join(SRC, "cli"), join(SRC, "node")];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("the core is web-standard", () => {
  it("no source outside src/cli and src/node imports node: modules or uses process / Buffer", () => {
    const offenders: string[] = [];
    for (const file of files(SRC)) {
      if (NODE_ONLY.some((d) => file.startsWith(d))) continue;
      const code = readFileSync(file, "utf8")
        .replace(/\/\/.*$/gm, "")
        .replace(/\/\*[\s\S]*?\*\//g, "");
      if (/from\s+["'](node:|fs|path|http|https|net|crypto|buffer|stream)["']/.test(code))
        offenders.push(`${relative(ROOT, file)}: node import`);
      if (/\bBuffer\./.test(code)) offenders.push(`${relative(ROOT, file)}: Buffer`);
      if (/(?<![.?])\bprocess\.(env|exit|argv|stdout|stderr|version)/.test(code))
        offenders.push(`${relative(ROOT, file)}: process`);
    }
    expect(offenders).toEqual([]);
  });

  for (const entry of ["src/index.ts", "src/emulator/index.ts", "src/proxy/index.ts"]) {
    it(`${entry} bundles for the browser and worker conditions with nothing Node-only`, async () => {
      for (const conditions of [["browser"], ["worker", "browser"]]) {
        const result = await build({
          entryPoints: [join(ROOT, entry)],
          bundle: true,
          write: false,
          format: "esm",
          platform: "browser",
          conditions,
          logLevel: "silent",
          metafile: true,
        });
        const inputs = Object.keys(result.metafile.inputs);
        expect(
          inputs.filter((i) => i.startsWith("node:") || /node_modules\/(buffer|process|util)\//.test(i)),
        ).toEqual([]);
        const code = result.outputFiles[0].text;
        expect(code).not.toMatch(/require\(["']node:|from ["']node:/);
      }
    });
  }
});
