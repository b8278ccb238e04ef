#!/usr/bin/env node
// The package as published: publint (package.json against the packed files), @arethetypeswrong/cli
// (`attw --pack`: types resolve for node10, node16 from CJS and ESM, and bundler, for every subpath), and the
// dry runs of `npm publish` and `deno publish` (JSR).
// Run after `npm run build`. Prints one line per check and a RESULT line for scripts/test-all.mjs.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { publint } from "publint";
import { formatMessage } from "publint/utils";

// The package directory: this repo, or another one given as an argument (to try the checks on a broken copy).
const ROOT = process.argv[2] ?? join(import.meta.dirname, "..");
const ATTW = join(import.meta.dirname, "..", "node_modules", ".bin", "attw");
const exec = promisify(execFile);
const results = [];

function record(name, ok, detail = "") {
  results.push(ok);
  console.log(`  ${ok ? "\u2713" : "\u2717"} ${name}`);
  if (detail) console.log(`      ${detail.split("\n").join("\n      ")}`);
}

console.log("Package: publint, attw --pack, npm and deno publish --dry-run");

try {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  const { messages } = await publint({ pkgDir: ROOT, level: "suggestion", pack: "npm" });
  const lines = messages.map((m) => `${m.type}: ${formatMessage(m, pkg) ?? m.code}`);
  // Errors and warnings fail; suggestions are shown.
  record(
    `publint (${messages.length === 0 ? "all good" : `${messages.length} message(s)`})`,
    !messages.some((m) => m.type === "error" || m.type === "warning"),
    lines.join("\n"),
  );
} catch (error) {
  record("publint could not run", false, String(error?.stack ?? error));
}

try {
  // attw exits 1 when it finds problems; the JSON says which.
  const { stdout } = await exec(ATTW, ["--pack", ".", "--format", "json"], {
    cwd: ROOT,
    maxBuffer: 64 << 20,
  }).catch((error) => ({ stdout: error.stdout ?? "" }));
  const { analysis } = JSON.parse(stdout);
  const list = analysis.problems ?? [];
  for (const [subpath, entry] of Object.entries(analysis.entrypoints)) {
    const kinds = Object.keys(entry.resolutions);
    const mine = list.filter((p) => p.entrypoint === subpath);
    const failed = kinds.filter((k) => !entry.resolutions[k].resolution && subpath !== "./package.json");
    const detail = [
      ...failed.map((k) => `${k}: resolution failed`),
      ...mine.map((p) => `${p.resolutionKind}: ${p.kind}`),
    ];
    const name = subpath === "." ? "bedrock-edge" : `bedrock-edge/${subpath.slice(2)}`;
    record(`attw ${name}: ${kinds.join(", ")}`, detail.length === 0, detail.join("\n"));
  }
  // File-level problems (e.g. FalseESM: .d.ts types for a .cjs file) belong to no single subpath.
  const files = list.filter((p) => p.entrypoint === undefined);
  record(
    "attw: every types file matches its JavaScript's module kind (ESM/CJS)",
    files.length === 0,
    files.map((p) => `${p.kind}: ${p.typesFileName ?? ""} for ${p.implementationFileName ?? ""}`).join("\n"),
  );
} catch (error) {
  record("attw --pack could not run", false, String(error?.stack ?? error));
}

// Both registries' own dry runs: npm (the tarball as it would be published) and JSR (`deno publish`: the
// TypeScript source, its slow-type check included; --allow-dirty because a working tree may hold uncommitted
// files, never --allow-slow-types).
const DENO = join(import.meta.dirname, "..", "node_modules", ".bin", "deno");
for (const [name, cmd, args, done] of [
  ["npm publish --dry-run", "npm", ["publish", "--dry-run", "--offline"], /^\+ bedrock-edge@/m],
  [
    "deno publish --dry-run (JSR, no slow types)",
    DENO,
    ["publish", "--dry-run", "--allow-dirty"],
    /Dry run complete/,
  ],
]) {
  try {
    const { stdout, stderr } = await exec(cmd, args, {
      cwd: ROOT,
      maxBuffer: 64 << 20,
      env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    });
    const out = `${stdout}${stderr}`;
    record(name, done.test(out), done.test(out) ? "" : out.trim().split("\n").slice(-15).join("\n"));
  } catch (error) {
    const out = `${error.stdout ?? ""}${error.stderr ?? ""}`.trim() || String(error);
    record(name, false, out.split("\n").slice(-25).join("\n"));
  }
}

const passed = results.filter(Boolean).length;
console.log(`RESULT passed=${passed} failed=${results.length - passed}`);
process.exitCode = passed === results.length && passed > 0 ? 0 : 1;
