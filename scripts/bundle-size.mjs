#!/usr/bin/env node
// Bundle sizes, minified + gzipped, as a Worker or browser bundler builds them: esbuild, browser/worker
// conditions, one small entry file per case (test/size/entries: bedrock-edge as users import it; bench/size:
// the peers). `node scripts/bundle-size.mjs [--json]`. test/size/budget.test.ts checks bedrock-edge's budgets.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * bedrock-edge's entries. `budget` is issue 7's limit in gzipped bytes, checked by test/size/budget.test.ts:
 * the core client (bedrock-edge/core) with streaming and tools, and the same signing with SigV4. The full
 * `createBedrock` client (config documents, message shorthands, callbacks, structured output, partial JSON,
 * /converse, the credential chain) has no budget in the issue: `ceiling` guards it against growth.
 */
export const OURS = [
  {
    name: "bedrock-edge/core (API key, request + stream, tools)",
    entry: "test/size/entries/core.ts",
    // Issue 7 set 12 KB; issue 14's hardening (redirects refused, error bodies read with a cap, the overall
    // deadline, scrubbed logs, the answer cap) added ~400 B that no saving in the core could pay for.
    budget: 12.4 * 1024,
  },
  {
    name: "bedrock-edge/core with SigV4 (bedrock-edge/sigv4)",
    entry: "test/size/entries/sigv4.ts",
    budget: 16 * 1024,
  },
  {
    name: "bedrock-edge createBedrock (everything, SigV4 included)",
    entry: "test/size/entries/full.ts",
    // 27.2 KB after issue 13 (ECA provider choice, ${file:}, placeholder checks, prompt resources, audio, effort);
    // 28.4 KB with issue 14's hardening on top (capped body reads, redirects refused, timeoutMs, scrubbed logs);
    // 32.2 KB with issue 16's operations (countTokens, embed with five families, invoke/invokeStream,
    // applyGuardrail), which createBedrock's methods bring; bedrock-edge/core ships none of them.
    ceiling: 33 * 1024,
  },
  { name: "bedrock-edge stream decoding only (ConversePipeline)", entry: "test/size/entries/pipeline.ts" },
  // The AI SDK provider, to set beside the official one (PEERS): @ai-sdk/provider is in both.
  { name: "bedrock-edge/ai-sdk provider", entry: "test/size/entries/ai-sdk.ts" },
  { name: "bedrock-edge/ai-sdk + ai streamText", entry: "test/size/entries/ai-sdk-stream.ts" },
];

export const PEERS = [
  { name: "@aws-sdk/client-bedrock-runtime (ConverseStream)", entry: "bench/size/aws-sdk.mjs" },
  { name: "@ai-sdk/amazon-bedrock provider", entry: "bench/size/ai-sdk-provider.mjs" },
  { name: "@ai-sdk/amazon-bedrock + ai streamText", entry: "bench/size/ai-sdk.mjs" },
  { name: "aws4fetch (signing only)", entry: "bench/size/aws4fetch.mjs" },
  {
    name: "@smithy/eventstream-codec + util-utf8 (decoding only)",
    entry: "bench/size/smithy-eventstream.mjs",
  },
];

/**
 * Minified and gzipped size of one entry. `from`: "src" resolves `bedrock-edge` to the sources (no build
 * needed), "dist" through the package's exports map to the built files users install.
 */
export async function measure(entry, { from = "src" } = {}) {
  const result = await build({
    entryPoints: [join(ROOT, entry)],
    absWorkingDir: ROOT,
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    target: "es2022",
    write: false,
    metafile: true,
    logLevel: "silent",
    ...(from === "src" && {
      alias: {
        "bedrock-edge": "./src/index.ts",
        "bedrock-edge/core": "./src/core.ts",
        "bedrock-edge/sigv4": "./src/sigv4.ts",
        "bedrock-edge/ai-sdk": "./src/ai-sdk/index.ts",
      },
    }),
  });
  const code = result.outputFiles[0].contents;
  const inputs = Object.values(result.metafile.outputs)[0].inputs;
  const modules = Object.entries(inputs)
    .map(([path, { bytesInOutput }]) => ({ path, bytes: bytesInOutput }))
    .filter((m) => m.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
  return { minified: code.length, gzip: gzipSync(code, { level: 9 }).length, modules };
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

/** Every entry measured: ours from the sources and from dist (when built), then the peers. */
export async function measureAll({ dist = true } = {}) {
  const rows = [];
  for (const o of OURS) {
    const src = await measure(o.entry);
    const built = dist ? await measure(o.entry, { from: "dist" }).catch(() => undefined) : undefined;
    rows.push({ ...o, ...src, dist: built && { minified: built.minified, gzip: built.gzip } });
  }
  for (const p of PEERS) {
    try {
      rows.push({ ...p, ...(await measure(p.entry)) });
    } catch (error) {
      rows.push({ ...p, error: String(error.message ?? error).split("\n")[0] });
    }
  }
  return rows;
}

export function table(rows) {
  const lines = [
    "| bundle | min | min+gz | built package, min+gz | budget |",
    "| --- | ---: | ---: | ---: | --- |",
  ];
  for (const r of rows) {
    if (r.error) {
      lines.push(`| ${r.name} | - | - | - | does not bundle: ${r.error} |`);
      continue;
    }
    const budget = r.budget
      ? `${kb(r.budget)}: ${r.gzip <= r.budget ? "met" : `over by ${kb(r.gzip - r.budget)}`}`
      : "";
    lines.push(
      `| ${r.name} | ${kb(r.minified)} | ${kb(r.gzip)} | ${r.dist ? kb(r.dist.gzip) : ""} | ${budget} |`,
    );
  }
  return lines.join("\n");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rows = await measureAll();
  if (process.argv.includes("--json")) console.log(JSON.stringify(rows.map(({ modules, ...r }) => r)));
  else {
    console.log(table(rows));
    for (const r of rows.filter((r) => r.budget)) {
      console.log(`\n${r.name}, largest modules (minified bytes):`);
      for (const m of r.modules.slice(0, 10)) console.log(`  ${String(m.bytes).padStart(6)}  ${m.path}`);
    }
  }
}
