// One runtime's throughput run: every contender on every shape, alternating, after a checked warm-up. Run by
// run.mjs as `node|deno run -A|bun bench/throughput.mjs <server url> <rounds> [shapes] [contenders]`; prints
// one JSON line: { runtime, version, results: { [shape]: { [contender]: { ms: [...], error? } } } }.
import {
  aiFloorConsumer,
  aiSdkConsumer,
  aiSdkModelConsumer,
  awsSdkConsumer,
  consumers,
  edgeAiSdkConsumer,
  edgeModelConsumer,
} from "./consumers.mjs";

const args = globalThis.Deno ? Deno.args : process.argv.slice(2);
const [url, roundsArg = "15", shapesArg = "mixed,text,tools,reasoning", onlyArg = ""] = args;
const rounds = Number(roundsArg);
const shapes = shapesArg.split(",");
const runtime = globalThis.Deno ? "deno" : globalThis.Bun ? "bun" : "node";
const version = globalThis.Deno ? Deno.version.deno : globalThis.Bun ? Bun.version : process.versions.node;

const contenders = consumers(url);
const errors = {};
for (const [name, load] of [
  ["@aws-sdk/client-bedrock-runtime", awsSdkConsumer],
  ["@ai-sdk/amazon-bedrock + ai", aiSdkConsumer],
  ["bedrock-edge/ai-sdk + ai", edgeAiSdkConsumer],
  ["ai streamText floor (replayed parts)", aiFloorConsumer],
  ["@ai-sdk/amazon-bedrock doStream", aiSdkModelConsumer],
  ["bedrock-edge/ai-sdk doStream", edgeModelConsumer],
]) {
  try {
    contenders[name] = await load(url);
  } catch (error) {
    errors[name] = `does not load: ${error?.message ?? error}`;
  }
}
if (onlyArg)
  for (const name of Object.keys(contenders)) if (!onlyArg.split(",").includes(name)) delete contenders[name];

const results = {};
for (const shape of shapes) {
  results[shape] = {};
  // Checked warm-up: every contender must see the same content, else its timing means nothing.
  let reference;
  for (const [name, run] of Object.entries(contenders)) {
    const entry = { ms: [] };
    results[shape][name] = entry;
    if (errors[name]) {
      entry.error = errors[name];
      continue;
    }
    try {
      const summary = await run(shape, true);
      if (name !== "raw fetch") {
        reference ??= JSON.stringify(summary);
        if (JSON.stringify(summary) !== reference)
          entry.error = `read different content: ${JSON.stringify(summary)} vs ${reference}`;
      }
      for (let w = 0; w < 3 && !entry.error; w++) await run(shape, false);
    } catch (error) {
      entry.error = `fails: ${String(error?.message ?? error)
        .split("\n")[0]
        .slice(0, 160)}`;
    }
  }
  const live = Object.keys(contenders).filter((n) => !results[shape][n].error);
  for (let r = 0; r < rounds; r++) {
    // Rotate the order each round so no contender always runs right after the same one.
    for (let k = 0; k < live.length; k++) {
      const name = live[(k + r) % live.length];
      const t = performance.now();
      await contenders[name](shape, false);
      results[shape][name].ms.push(performance.now() - t);
    }
  }
}
console.log(JSON.stringify({ runtime, version, results }));
if (globalThis.Deno) Deno.exit(0);
else process.exit(0);
