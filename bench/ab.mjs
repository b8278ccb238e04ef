#!/usr/bin/env node
// A/B of two builds of bedrock-edge in one process (a restructuring or an optimisation against the code before
// it): the fused pipeline, request() and stream() on every bench shape, alternating A and B each round so both
// see the same machine load. Medians and the B/A ratio per contender and shape.
//
//   node bench/ab.mjs <dist A> <dist B> [--rounds N]
//   e.g. git worktree add /tmp/before <rev> && (cd /tmp/before && npm ci && npm run build)
//        node bench/ab.mjs /tmp/before/dist dist
import { spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { SHAPES } from "./streams.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const [distA, distB] = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const roundsAt = process.argv.indexOf("--rounds");
const rounds = roundsAt > 0 ? Number(process.argv[roundsAt + 1]) : 21;
if (!distA || !distB) {
  console.error("usage: node bench/ab.mjs <dist A> <dist B> [--rounds N]");
  process.exit(2);
}

const server = spawn(process.execPath, [join(HERE, "server.mjs")], { stdio: ["ignore", "pipe", "inherit"] });
process.on("exit", () => server.kill());
const url = await new Promise((done) => {
  let out = "";
  server.stdout.on("data", (d) => {
    out += d;
    const m = /http:\/\/[\w.:[\]-]+/.exec(out);
    if (m) done(m[0]);
  });
});

const MESSAGES = [{ role: "user", content: "Write the files." }];
async function contenders(dist) {
  const { ConversePipeline, createBedrock } = await import(
    pathToFileURL(join(resolve(dist), "index.js")).href
  );
  const client = createBedrock(
    { key: "bench", url: `${url}/model`, modelIdPrefix: "none", maxRetries: 0 },
    { env: {} },
  );
  const post = (shape) =>
    fetch(`${url}/model/bench.${shape}/converse-stream`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer bench" },
      body: "{}",
    });
  return {
    async pipeline(shape) {
      const reader = (await post(shape)).body.getReader();
      const pipeline = new ConversePipeline();
      let events = 0;
      for (let r = await reader.read(); !r.done; r = await reader.read())
        events += pipeline.feed(r.value).length;
      events += pipeline.end().length;
      if (pipeline.error) throw pipeline.error;
      return events;
    },
    request: async (shape) => (await client.request(MESSAGES, { model: `bench.${shape}` })).outputText.length,
    async stream(shape) {
      let n = 0;
      for await (const _ of client.stream(MESSAGES, { model: `bench.${shape}` })) n++;
      return n;
    },
  };
}

const sides = { A: await contenders(distA), B: await contenders(distB) };
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(`A = ${distA}, B = ${distB}, Node ${process.versions.node}, ${rounds} alternating rounds\n`);
console.log("| shape | contender | A median ms | B median ms | B/A |");
console.log("| --- | --- | ---: | ---: | ---: |");
for (const shape of Object.keys(SHAPES)) {
  for (const name of ["pipeline", "request", "stream"]) {
    const ms = { A: [], B: [] };
    for (const side of ["A", "B"]) for (let w = 0; w < 3; w++) await sides[side][name](shape); // warm-up
    for (let r = 0; r < rounds; r++) {
      for (const side of r % 2 ? ["B", "A"] : ["A", "B"]) {
        const t = performance.now();
        await sides[side][name](shape);
        ms[side].push(performance.now() - t);
      }
    }
    const a = median(ms.A);
    const b = median(ms.B);
    console.log(`| ${shape} | ${name} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(b / a).toFixed(3)} |`);
  }
}
server.kill();
process.exit(0);
