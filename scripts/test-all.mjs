#!/usr/bin/env node
// `npm test` (after `npm run build`): every runtime in turn, each with its own header and pass count, then a
// summary table and the line `N passed, M failed`. A runtime that cannot start is a failure, never a skip; the
// only skip is Chromium when it is not installed (and not under CI=true), announced in one line.
// `--node-lines` (`npm run test:matrix`, `.ci/run`) runs every step marked `perNodeLine` once per supported Node
// line (pinned binaries from scripts/node-lines.mjs, installed on first use) and the other steps once, on the
// reference line; without it everything runs once on the Node that runs this script.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { junitCounts } from "./junit.mjs";
import { nodeLines } from "./node-lines.mjs";

const ROOT = join(import.meta.dirname, "..");
const BIN = join(ROOT, "node_modules", ".bin");
const ARTIFACTS = join(ROOT, "test-artifacts");
const STEP_TIMEOUT_MS = 10 * 60_000;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal colour codes is the point
const ANSI = /\x1b\[[0-9;]*m/g;

const version = (cmd, args, pattern) => {
  const out = spawnSync(cmd, args, { encoding: "utf8" });
  if (out.error || out.status !== 0) return "not found";
  return pattern.exec(out.stdout)?.[1] ?? out.stdout.trim().split("\n")[0];
};
const pkgVersion = (name) =>
  JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8")).version;
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const versions = {
  node: process.version.slice(1),
  deno: version(join(BIN, "deno"), ["--version"], /^deno (\S+)/),
  bun: version(join(BIN, "bun"), ["--version"], /^(\S+)/),
  workerd: `${pkgVersion("workerd")} (miniflare ${pkgVersion("miniflare")})`,
  chromium: version(CHROMIUM, ["--version"], /Chromium (\S+)/),
};

/** Parsers turn a step's output into counts; undefined means the output held no result at all. */
const fromResultLine = (out) => {
  if (/^RESULT skipped$/m.test(out)) return { passed: 0, failed: 0, skipped: true };
  const m = /^RESULT passed=(\d+) failed=(\d+)$/m.exec(out);
  return m ? { passed: Number(m[1]), failed: Number(m[2]) } : undefined;
};

const VITEST_JSON = join(ARTIFACTS, "vitest.json");
// Deno and Bun report through their JUnit reporters (scripts/junit.mjs reads them), beside their usual output.
const DENO_JUNIT = join(ARTIFACTS, "deno.junit.xml");
const BUN_JUNIT = join(ARTIFACTS, "bun.junit.xml");

// A step whose `cmd` is process.execPath runs on Node; `perNodeLine` steps run once per line under --node-lines.
const STEPS = [
  {
    name: "Node",
    what: "vitest: the whole suite, the shared cases against the built package included",
    version: versions.node,
    perNodeLine: true,
    cmd: process.execPath,
    args: [
      join(BIN, "vitest"),
      "run",
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${VITEST_JSON}`,
    ],
    parse: () => {
      const report = JSON.parse(readFileSync(VITEST_JSON, "utf8"));
      const skipped = report.numPendingTests + report.numTodoTests;
      // A file that fails to load has no tests but is a failure.
      const brokenFiles = report.testResults.filter(
        (f) => f.status === "failed" && f.assertionResults.length === 0,
      );
      return {
        passed: report.numPassedTests,
        failed: report.numFailedTests + brokenFiles.length,
        ...(skipped && { note: `${skipped} skipped` }),
      };
    },
  },
  {
    name: "Deno",
    what: "deno test: the shared cases, examples/deno, the package by path and as npm:bedrock-edge",
    version: versions.deno,
    cmd: join(BIN, "deno"),
    args: [
      "test",
      "--no-check",
      "--allow-net",
      "--allow-read",
      "--allow-env",
      "--allow-run",
      `--junit-path=${DENO_JUNIT}`,
      "test/runtimes/deno/",
    ],
    env: { NO_COLOR: "1" },
    parse: () => junitCounts(DENO_JUNIT, { stepsOf: true }),
  },
  {
    name: "Bun",
    what: "bun test: the shared cases, examples/bun, the packed package",
    version: versions.bun,
    cmd: join(BIN, "bun"),
    args: [
      "test",
      "--timeout",
      "30000",
      "--reporter=junit",
      `--reporter-outfile=${BUN_JUNIT}`,
      "test/runtimes/bun/",
    ],
    env: { NO_COLOR: "1" },
    parse: () => junitCounts(BUN_JUNIT),
  },
  {
    name: "workerd",
    what: "miniflare: the shared cases in a Worker, examples/worker, examples/proxy-worker",
    version: versions.workerd,
    perNodeLine: true,
    cmd: process.execPath,
    args: ["test/runtimes/workerd/run.mjs"],
    parse: fromResultLine,
  },
  {
    name: "Chromium",
    what: "playwright-core: examples/browser through the proxy, the shared cases in a page",
    version: versions.chromium,
    cmd: process.execPath,
    args: ["test/runtimes/browser/run.mjs"],
    parse: fromResultLine,
  },
  {
    name: "Consumer",
    what: "the packed tarball installed into a fresh project: tsc 5.9/7 strict, deno check, Node/Bun/Deno/workerd runs",
    version: `typescript ${pkgVersion("typescript")} + ${pkgVersion("typescript-7")}`,
    cmd: process.execPath,
    args: ["test/runtimes/consumer/run.mjs"],
    parse: fromResultLine,
  },
  {
    name: "Package",
    what: "publint, attw --pack, npm publish --dry-run, deno publish --dry-run (JSR)",
    version: `publint ${pkgVersion("publint")}, attw ${pkgVersion("@arethetypeswrong/cli")}`,
    cmd: process.execPath,
    args: ["scripts/check-package.mjs"],
    parse: fromResultLine,
  },
];

function header(text) {
  const line = "\u2501".repeat(Math.max(8, 100 - text.length));
  console.log(`\n\u2501\u2501 ${text} ${line}`);
}

/** Runs a command, echoing its output as it comes, and resolves with the exit code and the output. */
function run(step) {
  return new Promise((resolve) => {
    let out = "";
    const child = spawn(step.cmd, step.args, {
      cwd: ROOT,
      env: { ...process.env, ...step.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const timer = setTimeout(() => {
      out += `\n(killed after ${STEP_TIMEOUT_MS / 1000} s)\n`;
      child.kill("SIGKILL");
    }, STEP_TIMEOUT_MS);
    const tee = (stream) => (chunk) => {
      out += chunk;
      stream.write(chunk);
    };
    child.stdout.on("data", tee(process.stdout));
    child.stderr.on("data", tee(process.stderr));
    child.on("error", (error) => {
      out += `\n${error.message}\n`;
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 1 : 0), out: out.replace(ANSI, "") });
    });
  });
}

// `--only=deno,bun` runs just those steps (for a quick re-run; `npm test` runs them all).
const only = process.argv
  .find((a) => a.startsWith("--only="))
  ?.slice(7)
  .toLowerCase()
  .split(",");
const chosen = only ? STEPS.filter((s) => only.includes(s.name.toLowerCase())) : STEPS;
if (only && chosen.length !== only.length) {
  console.error(
    `--only: unknown step in ${only.join(",")}; steps: ${STEPS.map((s) => s.name.toLowerCase()).join(", ")}`,
  );
  process.exit(2);
}

const lines = process.argv.includes("--node-lines") ? nodeLines() : undefined;
/** A step as it runs on one Node binary: Node-hosted commands get that binary, the row says which line. */
const onNode = (step, line) => ({
  ...step,
  name: step.perNodeLine ? `${step.name} ${line.line}` : step.name,
  cmd: step.cmd === process.execPath ? line.binary : step.cmd,
  version:
    step.name === "Node"
      ? line.version
      : step.perNodeLine
        ? `${step.version}, host Node ${line.version}`
        : step.version,
});
const selected = lines
  ? chosen.flatMap((step) =>
      step.perNodeLine ? lines.map((l) => onNode(step, l)) : [onNode(step, lines[0])],
    )
  : chosen;

header("Tested versions");
for (const [name, v] of Object.entries(versions)) console.log(`  ${name.padEnd(9)} ${v}`);
if (lines)
  for (const l of lines) console.log(`  node ${l.line.padEnd(4)} ${l.version} (${l.note}) ${l.binary}`);

const rows = [];
header("Prepare: pack the built package, embed the recorded captures");
const prepare = spawnSync(process.execPath, ["test/runtimes/prepare.mjs"], { cwd: ROOT, stdio: "inherit" });
if (prepare.status !== 0)
  rows.push({ name: "Prepare", version: "", passed: 0, failed: 1, ms: 0, status: "could not run" });

for (const report of [VITEST_JSON, DENO_JUNIT, BUN_JUNIT]) rmSync(report, { force: true });
mkdirSync(ARTIFACTS, { recursive: true });
for (const step of prepare.status === 0 ? selected : []) {
  header(`${step.name} ${step.version} - ${step.what}`);
  const started = Date.now();
  const { code, out } = await run(step);
  let counts;
  try {
    counts = step.parse(out);
  } catch {
    counts = undefined;
  }
  const ms = Date.now() - started;
  let status;
  if (!counts) {
    counts = { passed: 0, failed: 1 };
    status = `could not start or report (exit ${code})`;
  } else if (counts.skipped) {
    status = "skipped (not installed)";
  } else if (code !== 0 && counts.failed === 0) {
    counts = { ...counts, failed: 1 };
    status = `exit ${code} without a failing test`;
  } else {
    status = counts.failed ? "FAILED" : "ok";
    if (counts.note) status += `, ${counts.note}`;
  }
  if (!counts.skipped && counts.passed === 0 && counts.failed === 0) {
    counts = { passed: 0, failed: 1 };
    status = "ran no tests";
  }
  console.log(
    `\n${step.name}: ${counts.passed} passed, ${counts.failed} failed (${(ms / 1000).toFixed(1)} s)`,
  );
  rows.push({ name: step.name, version: step.version, ...counts, ms, status });
}

header("Summary");
const table = [["runtime", "version", "passed", "failed", "time", "status"]].concat(
  rows.map((r) => [
    r.name,
    r.version,
    String(r.passed),
    String(r.failed),
    `${(r.ms / 1000).toFixed(1)} s`,
    r.status,
  ]),
);
const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
for (const [i, row] of table.entries()) {
  console.log(`  ${row.map((cell, j) => cell.padEnd(widths[j])).join("  ")}`.trimEnd());
  if (i === 0) console.log(`  ${widths.map((w) => "-".repeat(w)).join("  ")}`);
}
const passed = rows.reduce((n, r) => n + r.passed, 0);
const failed = rows.reduce((n, r) => n + r.failed, 0);
const runStarted = Number(process.env.BEDROCK_EDGE_RUN_STARTED_MS);
if (runStarted)
  console.log(`\n  whole run (from .ci/run's start): ${((Date.now() - runStarted) / 60_000).toFixed(1)} min`);
console.log("");
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
