#!/usr/bin/env node
// Mutation testing of the scoped modules (stryker.config.mjs: SCOPE), with a floor per module.
//
//   npm run test:mutation                                  every scoped module, one Stryker run each
//   npm run test:mutation -- src/stream/decode.ts [...]    only these modules
//   npm run test:mutation -- --report [module...]          no run: the scores of the last reports
//   npm run test:mutation -- --accepted                    docs/testing.md's table of accepted survivors
//
// Each run is incremental: the results of the module's last run (.stryker-cache/<module>.json) are reused for
// mutants whose code and covering tests did not change. The script reads each module's JSON report
// (reports/mutation/<module>.json), prints its score and the surviving mutants, and exits 1 when a module is
// under the floor. Stryker 10 needs Node 22+: on an older Node it runs with a pinned line from
// scripts/node-lines.mjs when one is installed.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { SCOPE, slug } from "../stryker.config.mjs";
import { acceptedFor, acceptedRows } from "./mutation-equivalent.mjs";
import { NODE_LINES, nodeBinary } from "./node-lines.mjs";

export const FLOOR = 90;
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const reportOf = (module) => join(ROOT, "reports", "mutation", `${slug(module)}.json`);

/**
 * Stryker's mutation score of one file, (killed + timed out) / (killed + timed out + survived + no coverage),
 * without the ones Stryker ignored (static mutants, see stryker.config.mjs) and the survivors accepted in
 * mutation-equivalent.mjs.
 */
export function fileScore(module, mutants, source) {
  const counted = mutants.filter((m) => m.status !== "Ignored");
  const open = counted.filter((m) => m.status === "Survived" || m.status === "NoCoverage");
  const accepted = open.filter((m) => acceptedFor(module, m, source));
  const killed = counted.filter((m) => m.status === "Killed" || m.status === "Timeout").length;
  const detected = killed + open.length - accepted.length;
  return {
    killed,
    survived: open.filter((m) => m.status === "Survived").length,
    noCoverage: open.filter((m) => m.status === "NoCoverage").length,
    accepted: accepted.length,
    invalid: counted.filter((m) => m.status === "CompileError" || m.status === "RuntimeError").length,
    open: open.filter((m) => !acceptedFor(module, m, source)),
    score: detected === 0 ? 100 : (100 * killed) / detected,
  };
}

/** Stryker 10 needs Node 22+; this Node when it is, else a pinned line. */
function nodeForStryker() {
  if (Number(process.versions.node.split(".")[0]) >= 22) return process.execPath;
  const pinned = NODE_LINES.map((l) => nodeBinary(l.version)).find((b) => existsSync(b));
  if (pinned) return pinned;
  console.error(
    `Stryker needs Node 22+ (this is ${process.version}): node scripts/node-lines.mjs installs one`,
  );
  process.exit(2);
}

/** Runs Stryker on one module; returns the seconds it took. */
function runStryker(node, module) {
  const cli = join(ROOT, "node_modules", "@stryker-mutator", "core", "bin", "stryker.js");
  console.log(`\n=== ${module}`);
  const started = Date.now();
  const run = spawnSync(node, [cli, "run", "stryker.config.mjs"], {
    cwd: ROOT,
    stdio: "inherit",
    env: { ...process.env, STRYKER_MODULE: module },
  });
  const seconds = Math.round((Date.now() - started) / 1000);
  console.log(`=== ${module}: Stryker took ${Math.floor(seconds / 60)} min ${seconds % 60} s`);
  if (run.status !== 0) {
    console.error(`Stryker failed on ${module} (exit ${run.status ?? run.signal})`);
    process.exit(run.status ?? 1);
  }
  return seconds;
}

/** One module's line of the table, and its surviving mutants. */
function summary(module, seconds) {
  const path = reportOf(module);
  if (!existsSync(path)) return { module, missing: true };
  const report = JSON.parse(readFileSync(path, "utf8"));
  const file = Object.entries(report.files).find(([f]) => relative(ROOT, join(ROOT, f)) === module)?.[1];
  if (!file) return { module, missing: true };
  const score = fileScore(module, file.mutants, file.source);
  const open = score.open.map((m) =>
    `${module}:${m.location.start.line}:${m.location.start.column} ${m.status} ${m.mutatorName}: ${m.replacement ?? ""}`.replace(
      /\s+/g,
      " ",
    ),
  );
  return { module, seconds, ...score, open };
}

function main(argv) {
  if (argv.includes("--accepted")) {
    console.log(["| module | mutant | why it stays |", "| --- | --- | --- |", ...acceptedRows()].join("\n"));
    return;
  }
  const reportOnly = argv.includes("--report");
  const named = argv.filter((a) => !a.startsWith("--")).map((a) => relative(ROOT, join(process.cwd(), a)));
  const outside = named.filter((m) => !(m in SCOPE));
  if (outside.length > 0) {
    console.error(`Not in the mutation scope (stryker.config.mjs SCOPE): ${outside.join(", ")}`);
    process.exit(2);
  }
  const modules = named.length > 0 ? named : Object.keys(SCOPE);
  const node = reportOnly ? undefined : nodeForStryker();
  const rows = modules.map((module) => summary(module, node ? runStryker(node, module) : undefined));

  const width = Math.max(...rows.map((r) => r.module.length));
  console.log(`\n${"module".padEnd(width)}   score  killed survived no-cover accepted invalid   time`);
  let under = 0;
  for (const r of rows) {
    if (r.missing) {
      under++;
      console.log(`${r.module.padEnd(width)}  no report yet (run it without --report)`);
      continue;
    }
    const low = r.score < FLOOR;
    if (low) under++;
    const cells = [r.killed, r.survived, r.noCoverage, r.accepted, r.invalid].map((n, i) =>
      String(n).padStart([6, 8, 8, 8, 7][i]),
    );
    const time =
      r.seconds === undefined
        ? ""
        : `${Math.floor(r.seconds / 60)}m${String(r.seconds % 60).padStart(2, "0")}s`;
    console.log(
      `${r.module.padEnd(width)}  ${r.score.toFixed(1).padStart(5)}%  ${cells.join(" ")} ${time.padStart(6)}` +
        (low ? `  under the ${FLOOR}% floor` : ""),
    );
  }
  const open = rows.flatMap((r) => r.open ?? []);
  if (open.length > 0) console.log(`\nNot killed (${open.length}):\n${open.join("\n")}`);
  console.log(
    "\nReports: reports/mutation/<module>.html (each mutant by line, with the tests that covered it)",
  );
  if (under > 0) {
    console.error(`${under} module(s) under the ${FLOOR}% floor or without a report`);
    process.exit(1);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
