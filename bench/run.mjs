#!/usr/bin/env node
// `npm run bench`: bedrock-edge against its peers on the same generated streams, served over loopback by a
// separate process. Throughput on Node, Deno and Bun (alternating, medians, ratios), peak memory, import time,
// bundle sizes. Prints the tables and writes bench/RESULTS.md and bench/results.json.
//
//   node bench/run.mjs [--rounds N] [--quick] [--only node,deno,bun,memory,import,size] [--node-lines]
//
// Every Node figure is taken on the Node that runs this script (`npm run bench`: the one on PATH); for the
// reference figures run it on the active LTS: `npm run build && ~/.cache/bedrock-edge/node-24.x/bin/node
// bench/run.mjs` (`node scripts/node-lines.mjs` installs the lines and prints their paths). `--node-lines` adds
// a throughput table for each other supported line, served by the same server in the same run.
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { arch, cpus, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { measureAll, table as sizeTable } from "../scripts/bundle-size.mjs";
import { nodeLines } from "../scripts/node-lines.mjs";
import { body, SHAPES } from "./streams.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..");
const BIN = join(ROOT, "node_modules", ".bin");
const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const quick = flag("quick");
const rounds = Number(option("rounds", quick ? 5 : 15));
const only = option("only", "node,deno,bun,memory,import,size").split(",");
const shapes = Object.keys(SHAPES);

const REQUEST = "bedrock-edge request";
const RAW = "raw fetch";
const AWS = "@aws-sdk/client-bedrock-runtime";
const AI = "@ai-sdk/amazon-bedrock + ai";
// The AI SDK providers at the model level (doStream read directly) and under streamText (issue 17).
const AI_MODEL = "@ai-sdk/amazon-bedrock doStream";
const EDGE_MODEL = "bedrock-edge/ai-sdk doStream";
const EDGE_AI = "bedrock-edge/ai-sdk + ai";
const PROVIDER_TARGET = 1.5;
const TARGETS = {
  node: { raw: 3, [AWS]: 5, [AI]: 20 },
  deno: { raw: 2 },
  bun: { raw: 2 },
};

const log = (...a) => console.error(...a);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length
    ? s.length % 2
      ? s[s.length >> 1]
      : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
    : Number.NaN;
};
const fixed = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : "-");

function startServer() {
  const child = spawn(process.execPath, [join(HERE, "server.mjs")], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const line = out.split("\n")[0];
      if (out.includes("\n")) resolve({ url: JSON.parse(line).url, stop: () => child.kill("SIGTERM") });
    });
    child.on("exit", (code) => reject(new Error(`bench server exited with ${code}`)));
  });
}

/** Runs a command, returns the last stdout line parsed as JSON (or the failure). */
function runJson(command, commandArgs, timeout = 1_200_000) {
  const r = spawnSync(command, commandArgs, { cwd: ROOT, encoding: "utf8", timeout, maxBuffer: 64 << 20 });
  const last = (r.stdout ?? "").trim().split("\n").pop();
  try {
    return JSON.parse(last);
  } catch {
    return {
      failed: `${command} ${commandArgs.join(" ")}: ${(r.stderr || r.error?.message || "").trim().split("\n").slice(-3).join(" ")}`,
    };
  }
}

const RUNTIMES = {
  node: [process.execPath, ["--no-warnings", join(HERE, "throughput.mjs")]],
  deno: [join(BIN, "deno"), ["run", "-A", "--quiet", join(HERE, "throughput.mjs")]],
  bun: [join(BIN, "bun"), [join(HERE, "throughput.mjs")]],
};

// --node-lines: the other supported Node lines, each as a runtime of its own ("node 22.23.5").
if (flag("node-lines"))
  for (const line of nodeLines())
    if (line.version !== process.versions.node)
      RUNTIMES[`node ${line.version}`] = [line.binary, RUNTIMES.node[1]];

function throughput(runtime, url) {
  const [command, base] = RUNTIMES[runtime];
  log(`throughput on ${runtime} (${rounds} rounds x ${shapes.length} shapes)...`);
  return runJson(command, [...base, url, String(rounds), shapes.join(",")]);
}

function memory(url) {
  const cases = [
    ...[RAW, "bedrock-edge pipeline", REQUEST, "bedrock-edge stream", AWS, AI].map((c) => [c, "mixed"]),
    ...[RAW, "bedrock-edge pipeline", REQUEST, "bedrock-edge stream"].map((c) => [c, "long-200"]),
  ];
  const rows = [];
  for (const [contender, shape] of cases) {
    log(`memory: ${contender} on ${shape}...`);
    const samples = [];
    for (let i = 0; i < (quick ? 1 : 3); i++) {
      samples.push(
        runJson(process.execPath, [
          "--no-warnings",
          "--expose-gc",
          join(HERE, "memory.mjs"),
          url,
          contender,
          shape,
        ]),
      );
    }
    const ok = samples.filter((s) => !s.failed);
    if (!ok.length) {
      rows.push({ contender, shape, failed: samples[0].failed });
      continue;
    }
    const pick = (k) => median(ok.map((s) => s[k]));
    rows.push({
      contender,
      shape,
      peakRssMB: pick("peakRssMB"),
      peakHeapGrowthMB: pick("peakHeapGrowthMB"),
      retainedMB: pick("retainedMB"),
    });
  }
  return rows;
}

/** Wall time of `node -e "import(pkg)"` minus a bare `node -e ""`, alternating, medians. */
function importTimes() {
  const packages = [
    "bedrock-edge",
    "bedrock-edge/core",
    "aws4fetch",
    "@aws-sdk/client-bedrock-runtime",
    "@ai-sdk/amazon-bedrock",
    "ai",
  ];
  const runs = quick ? 5 : 15;
  const time = (code) => {
    const t = performance.now();
    const r = spawnSync(process.execPath, ["--no-warnings", "-e", code], { cwd: ROOT });
    if (r.status !== 0) throw new Error(`${code}: ${r.stderr}`);
    return performance.now() - t;
  };
  const bare = [];
  const by = Object.fromEntries(packages.map((p) => [p, []]));
  for (let i = 0; i < runs; i++) {
    bare.push(time(""));
    for (const p of packages) by[p].push(time(`import(${JSON.stringify(p)})`));
  }
  const floor = median(bare);
  const rows = [{ name: 'bare `node -e ""`', ms: floor, added: 0 }];
  for (const p of packages) rows.push({ name: p, ms: median(by[p]), added: median(by[p]) - floor });
  // Deno and Bun: bedrock-edge only.
  for (const [runtime, command, pre] of [
    ["deno", join(BIN, "deno"), ["eval"]],
    ["bun", join(BIN, "bun"), ["-e"]],
  ]) {
    const base = [];
    const ours = [];
    for (let i = 0; i < runs; i++) {
      for (const [list, code] of [
        [base, ""],
        [ours, 'await import("bedrock-edge")'],
      ]) {
        const t = performance.now();
        const r = spawnSync(command, [...pre, code], { cwd: ROOT });
        if (r.status === 0) list.push(performance.now() - t);
      }
    }
    rows.push({ name: `bedrock-edge on ${runtime}`, ms: median(ours), added: median(ours) - median(base) });
  }
  return rows;
}

function throughputTable(result, sizes) {
  const lines = [];
  for (const shape of shapes) {
    const r = result.results?.[shape];
    if (!r) continue;
    const mb = sizes[shape].bytes / 1e6;
    const req = median(r[REQUEST]?.ms ?? []);
    lines.push(
      `\n**${shape}** (${fixed(mb, 2)} MB, ${sizes[shape].frames.toLocaleString("en-US")} frames)\n`,
      "| contender | median ms | MB/s | request is x faster | x raw fetch |",
      "| --- | ---: | ---: | ---: | ---: |",
    );
    const raw = median(r[RAW]?.ms ?? []);
    for (const [name, entry] of Object.entries(r)) {
      if (entry.error) {
        lines.push(`| ${name} | ${entry.error} | | | |`);
        continue;
      }
      const ms = median(entry.ms);
      const vs = name === REQUEST || name === RAW ? "" : `${fixed(ms / req)}x`;
      lines.push(
        `| ${name} | ${fixed(ms)} | ${fixed(mb / (ms / 1000), 0)} | ${vs} | ${name === RAW ? "1.0" : fixed(ms / raw)} |`,
      );
    }
  }
  return lines.join("\n");
}

/** The issue's throughput targets, checked on every shape. */
function verdicts(runtime, result) {
  const out = providerVerdicts(runtime, result);
  const targets = TARGETS[runtime.split(" ")[0]];
  for (const shape of shapes) {
    const r = result.results?.[shape];
    if (!r?.[REQUEST] || r[REQUEST].error) continue;
    const req = median(r[REQUEST].ms);
    for (const [peer, want] of Object.entries(targets)) {
      const name = peer === "raw" ? RAW : peer;
      if (!r[name] || r[name].error) {
        out.push({
          runtime,
          shape,
          target: peer,
          status: "not measured",
          detail: r[name]?.error ?? "missing",
        });
        continue;
      }
      const ms = median(r[name].ms);
      if (peer === "raw") {
        const ratio = req / ms;
        out.push({
          runtime,
          shape,
          target: `within ${want}x raw fetch`,
          value: `${fixed(ratio, 2)}x`,
          met: ratio <= want,
        });
      } else {
        const ratio = ms / req;
        out.push({
          runtime,
          shape,
          target: `${want}x ${peer}`,
          value: `${fixed(ratio, 1)}x`,
          met: ratio >= want,
        });
      }
    }
  }
  return out;
}

/**
 * bedrock-edge/ai-sdk against @ai-sdk/amazon-bedrock: at the model level (the provider's own cost) the target
 * is PROVIDER_TARGET x the official throughput; under streamText the AI SDK's own layer dominates, so that ratio
 * is reported with no target (the "ai streamText floor" row is that layer alone).
 */
function providerVerdicts(runtime, result) {
  const out = [];
  for (const shape of shapes) {
    const r = result.results?.[shape];
    for (const [ours, theirs, want] of [
      [EDGE_MODEL, AI_MODEL, PROVIDER_TARGET],
      [EDGE_AI, AI, undefined],
    ]) {
      if (!r?.[ours] || !r[theirs] || r[ours].error || r[theirs].error) continue;
      const ratio = median(r[theirs].ms) / median(r[ours].ms);
      out.push({
        runtime,
        shape,
        target: want ? `${want}x ${theirs}` : `vs ${theirs} (no target: the AI SDK's layer dominates)`,
        value: `${fixed(ratio, 1)}x`,
        ...(want ? { met: ratio >= want } : { detail: "" }),
      });
    }
  }
  return out;
}

function versionOf(pkg) {
  try {
    return JSON.parse(readFileSync(join(ROOT, "node_modules", pkg, "package.json"), "utf8")).version;
  } catch {
    return "?";
  }
}

const started = new Date();
const sizes = Object.fromEntries(
  shapes.map((s) => {
    const b = body(s);
    return [s, { bytes: b.bytes.length, frames: b.frames, largest: b.largest }];
  }),
);
const server = await startServer();
const report = { started: started.toISOString(), rounds, sizes, throughput: {}, verdicts: [] };
try {
  const otherLines = Object.keys(RUNTIMES).filter((r) => r.startsWith("node "));
  for (const runtime of ["node", ...otherLines, "deno", "bun"]) {
    if (!only.includes(runtime.split(" ")[0])) continue;
    const result = throughput(runtime, server.url);
    report.throughput[runtime] = result;
    if (result.failed) log(result.failed);
    else report.verdicts.push(...verdicts(runtime, result));
  }
  if (only.includes("memory")) report.memory = memory(server.url);
  if (only.includes("import")) {
    log("import times...");
    report.imports = importTimes();
  }
} finally {
  server.stop();
}
if (only.includes("size")) {
  log("bundle sizes...");
  report.bundles = (await measureAll()).map(({ modules, ...r }) => r);
}

const machine = `${cpus()[0]?.model ?? "?"} x${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GB, ${process.platform} ${arch()}`;
const versions = [
  `Node ${process.versions.node}`,
  report.throughput.deno?.version && `Deno ${report.throughput.deno.version}`,
  report.throughput.bun?.version && `Bun ${report.throughput.bun.version}`,
  `bedrock-edge ${versionOf("../")}`.replace(
    " ?",
    ` ${JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version}`,
  ),
  `@aws-sdk/client-bedrock-runtime ${versionOf("@aws-sdk/client-bedrock-runtime")}`,
  `@ai-sdk/amazon-bedrock ${versionOf("@ai-sdk/amazon-bedrock")}`,
  `ai ${versionOf("ai")}`,
  `zod ${versionOf("zod")}`,
  `aws4fetch ${versionOf("aws4fetch")}`,
  `esbuild ${versionOf("esbuild")}`,
].filter(Boolean);
const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

const md = [
  "# Benchmark results",
  "",
  `Generated by \`npm run bench\` (bench/run.mjs) on ${started.toISOString().slice(0, 16).replace("T", " ")} UTC. ` +
    "docs/performance.md explains the method and what the numbers mean.",
  "",
  `- Machine: ${machine}; load average at the end ${load} (shared machine: medians, alternating order).`,
  `- Versions: ${versions.join(", ")}.`,
  `- Streams served by a separate Node process over loopback HTTP/1.1 in 16 KB writes; ${rounds} timed rounds per contender after a checked warm-up (every contender must read the same text and tool calls).`,
  "",
  "## Targets",
  "",
  "| runtime | stream | target | measured | |",
  "| --- | --- | --- | ---: | --- |",
  ...report.verdicts.map(
    (v) =>
      `| ${v.runtime} | ${v.shape} | ${v.target} | ${v.value ?? v.status} | ${v.met === undefined ? v.detail : v.met ? "met" : "**missed**"} |`,
  ),
];
for (const [runtime, result] of Object.entries(report.throughput)) {
  // The other Node lines are keyed "node <version>" already.
  const title = runtime.includes(" ") ? runtime : `${runtime} ${result.version ?? ""}`;
  md.push("", `## Throughput on ${title}`, "");
  md.push(result.failed ? `Failed: ${result.failed}` : throughputTable(result, sizes));
}
if (report.memory) {
  md.push(
    "",
    "## Memory (Node, one call per fresh process, median of runs)",
    "",
    "Peak RSS is the whole process (Node itself is ~45 MB); heap growth is the peak of JS heap + array buffers over the idle baseline, sampled every millisecond; retained is what a full GC leaves while the result is held.",
    "",
    "| contender | stream | peak RSS MB | peak heap growth MB | retained MB |",
    "| --- | --- | ---: | ---: | ---: |",
    ...report.memory.map((m) =>
      m.failed
        ? `| ${m.contender} | ${m.shape} | failed: ${m.failed} | | |`
        : `| ${m.contender} | ${m.shape} | ${fixed(m.peakRssMB)} | ${fixed(m.peakHeapGrowthMB)} | ${fixed(m.retainedMB)} |`,
    ),
  );
}
if (report.imports) {
  md.push(
    "",
    "## Import time (cold start, median wall time of a new process)",
    "",
    "| package | ms | added to a bare start |",
    "| --- | ---: | ---: |",
    ...report.imports.map((r) => `| ${r.name} | ${fixed(r.ms)} | ${r.added ? `+${fixed(r.added)}` : ""} |`),
  );
}
if (report.bundles) {
  md.push(
    "",
    "## Bundle size (esbuild, minified, gzip -9, browser/worker conditions)",
    "",
    sizeTable(report.bundles),
  );
}
md.push("");
writeFileSync(join(HERE, "RESULTS.md"), md.join("\n"));
writeFileSync(join(HERE, "results.json"), `${JSON.stringify(report, null, 2)}\n`);
// In the repo's format (biome covers bench/), so a rerun only shows changed figures in a diff.
spawnSync(join(BIN, "biome"), ["format", "--write", join(HERE, "RESULTS.md"), join(HERE, "results.json")], {
  stdio: "ignore",
});
console.log(md.join("\n"));
process.exit(0);
