import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator } from "../../src/emulator";
import { serve } from "../../src/node";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "..", "..");
const DIR = join(ROOT, ".readme-snippets");

/** Every ```js block of the README, in order. */
function snippets(): { line: number; code: string }[] {
  const text = readFileSync(join(ROOT, "README.md"), "utf8");
  const out: { line: number; code: string }[] = [];
  const re = /^```js\n([\s\S]*?)^```$/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push({ line: text.slice(0, m.index).split("\n").length, code: m[1] });
  }
  return out;
}

let server: Awaited<ReturnType<typeof serve>>;
beforeAll(async () => {
  if (!existsSync(join(ROOT, "dist", "index.js")))
    await run("npm", ["run", "build", "--silent"], { cwd: ROOT });
  server = await serve(createEmulator());
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR);
}, 120_000);
afterAll(async () => {
  await server?.close();
  rmSync(DIR, { recursive: true, force: true });
});

describe("every JavaScript snippet in the README runs", () => {
  const all = snippets();
  it("finds the snippets", () => {
    expect(all.length).toBeGreaterThanOrEqual(5);
  });
  for (const [i, s] of all.entries()) {
    it(`README.md line ${s.line}`, async () => {
      // Inside the package folder, so `import "bedrock-edge"` resolves to the built package like a user's would.
      const file = join(DIR, `snippet-${i}.mjs`);
      writeFileSync(file, s.code);
      const { stdout } = await run(
        process.execPath,
        ["--import", join(import.meta.dirname, "reroute-fetch.mjs"), file],
        {
          cwd: ROOT,
          timeout: 30_000,
          env: {
            ...process.env,
            BEDROCK_API_KEY: "readme-demo-key",
            BEDROCK_EDGE_EMULATOR_URL: server.url,
            NO_COLOR: "1",
          },
        },
      );
      expect(stdout.length).toBeGreaterThan(0);
    });
  }
});
