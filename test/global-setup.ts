// vitest globalSetup: what the suite needs from the built package, made once before any test file loads, so a
// fresh clone's `npx vitest run` (or `npm run test:node`) passes without `npm test` having run first:
//  - dist/ (`npm run build`) when it is missing or incomplete. A dist/ older than src/ is not rebuilt (that
//    would add a build to every single-file run); a warning says so, because tests of the built package would
//    run the old build.
//  - test/runtimes/prepare.mjs (the packed package staged for the runtimes, the embedded captures) when its
//    output is missing or older than dist/.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
// @ts-expect-error plain JS helper without types
import { prepare } from "./runtimes/prepare.mjs";

const ROOT = join(import.meta.dirname, "..");
const BUILT = ["index.js", "index.cjs", "core.js", "emulator.js", "proxy.js", "node.js", "cli/main.js"].map(
  (f) => join(ROOT, "dist", f),
);
const STAGED = [
  join(ROOT, "test", "runtimes", "consumer", "node_modules", "bedrock-edge"),
  join(ROOT, "test", "runtimes", "generated", "captures.js"),
];

const mtime = (path: string) => (existsSync(path) ? statSync(path).mtimeMs : -1);

/** The most recently modified file under `dir`, and its time. */
function newest(dir: string): { path: string; ms: number } {
  let best = { path: dir, ms: -1 };
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const ms = statSync(path).mtimeMs;
    if (ms > best.ms) best = { path, ms };
  }
  return best;
}

export default function setup(): void {
  if (BUILT.some((f) => !existsSync(f))) {
    console.log("globalSetup: dist/ is missing: npm run build");
    execFileSync("npm", ["run", "build", "--silent"], { cwd: ROOT, stdio: "inherit" });
  } else {
    const changed = newest(join(ROOT, "src"));
    if (changed.ms > mtime(BUILT[0]))
      console.warn(
        `globalSetup: ${changed.path.slice(ROOT.length + 1)} is newer than dist/: tests of the built package run ` +
          "the previous build (npm run build, or npm test, which builds first)",
      );
  }
  const built = Math.max(...BUILT.map(mtime));
  if (STAGED.some((f) => mtime(f) < built)) prepare({ quiet: true });
}
