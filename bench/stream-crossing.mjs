#!/usr/bin/env node
// What one item costs to cross a Web Stream stage: the figure behind the fused ConversePipeline (the client runs
// decode -> parse -> accumulate in one call per network chunk instead of chaining three TransformStreams).
//
// Two measures, medians of alternating runs after a warm-up:
// - identity: a ReadableStream hands out ITEMS small event objects, 64 per pull (as a chunk completing many
//   frames would), read directly or through STAGES identity TransformStreams: (chained - direct) / (ITEMS x
//   STAGES) is what one item costs per stage it crosses, the mechanism alone.
// - real stages: bench/streams.mjs's "mixed" body (22,012 frames) in 16 KB chunks through the three stream
//   classes chained (EventStreamDecoderStream -> ConverseEventStream -> ToolCallAccumulatorStream) against
//   ConversePipeline fed the same chunks: (chained - fused) / frames is what chaining costs per frame (each frame
//   crosses about three stages), the figure the client's design rests on. Needs `npm run build`.
//
//   node bench/stream-crossing.mjs                 on the Node that runs it; prints one JSON line
//   node bench/stream-crossing.mjs --node-lines    on every supported line (scripts/node-lines.mjs), a table
import { spawnSync } from "node:child_process";
import {
  ConverseEventStream,
  ConversePipeline,
  EventStreamDecoderStream,
  ToolCallAccumulatorStream,
} from "bedrock-edge";
import { body } from "./streams.mjs";

const ITEMS = 20_000;
const STAGES = 3;
const RUNS = 9;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function source() {
  let n = 0;
  return new ReadableStream({
    pull(controller) {
      for (let k = 0; k < 64 && n < ITEMS; k++, n++)
        controller.enqueue({ type: "text", index: 0, text: "word " });
      if (n === ITEMS) controller.close();
    },
  });
}

async function drain(stream) {
  const reader = stream.getReader();
  let count = 0;
  for (let r = await reader.read(); !r.done; r = await reader.read()) count++;
  if (count !== ITEMS) throw new Error(`read ${count} items, expected ${ITEMS}`);
}

async function timed(stages) {
  let stream = source();
  for (let s = 0; s < stages; s++) stream = stream.pipeThrough(new TransformStream());
  const t = performance.now();
  await drain(stream);
  return performance.now() - t;
}

const mixed = body("mixed");
const CHUNKS = [];
for (let i = 0; i < mixed.bytes.length; i += 16384) CHUNKS.push(mixed.bytes.subarray(i, i + 16384));

async function realChained() {
  let i = 0;
  const bytes = new ReadableStream({
    pull(controller) {
      if (i < CHUNKS.length) controller.enqueue(CHUNKS[i++]);
      else controller.close();
    },
  });
  const events = bytes
    .pipeThrough(new EventStreamDecoderStream())
    .pipeThrough(new ConverseEventStream())
    .pipeThrough(new ToolCallAccumulatorStream());
  const t = performance.now();
  const reader = events.getReader();
  let last;
  for (let r = await reader.read(); !r.done; r = await reader.read()) last = r.value;
  if (last?.type !== "finish" || last.toolCalls.length !== 4) throw new Error("chained: wrong result");
  return performance.now() - t;
}

async function realFused() {
  const t = performance.now();
  const pipeline = new ConversePipeline();
  let last;
  // One await per chunk, as the client reads the body: the batch of events for a chunk is delivered at once.
  for (const chunk of CHUNKS) {
    const events = await Promise.resolve(pipeline.feed(chunk));
    last = events.at(-1) ?? last;
  }
  last = pipeline.end().at(-1);
  if (pipeline.error || last?.type !== "finish" || last.toolCalls.length !== 4)
    throw new Error("fused: wrong result");
  return performance.now() - t;
}

async function alternate(a, b) {
  for (let i = 0; i < 3; i++) {
    await a();
    await b();
  }
  const as = [];
  const bs = [];
  for (let i = 0; i < RUNS; i++) {
    as.push(await a());
    bs.push(await b());
  }
  return [median(as), median(bs)];
}

async function measure() {
  const [d, c] = await alternate(
    () => timed(0),
    () => timed(STAGES),
  );
  const [fused, chained] = await alternate(realFused, realChained);
  return {
    node: process.versions.node,
    items: ITEMS,
    stages: STAGES,
    directMs: +d.toFixed(2),
    chainedMs: +c.toFixed(2),
    /** Microseconds one item costs for reading it straight from a ReadableStream. */
    readUs: +((d * 1000) / ITEMS).toFixed(2),
    /** Microseconds one item costs per TransformStream it crosses. */
    perStageUs: +(((c - d) * 1000) / (ITEMS * STAGES)).toFixed(2),
    frames: mixed.frames,
    fusedMs: +fused.toFixed(2),
    chainedStagesMs: +chained.toFixed(2),
    /** Microseconds chaining the three stream classes adds per frame over the fused pipeline. */
    chainPerFrameUs: +(((chained - fused) * 1000) / mixed.frames).toFixed(2),
  };
}

if (process.argv.includes("--node-lines")) {
  const { nodeLines } = await import("../scripts/node-lines.mjs");
  const rows = [];
  for (const line of nodeLines()) {
    const r = spawnSync(line.binary, [import.meta.filename], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`Node ${line.version}: ${r.stderr}`);
    rows.push({ ...JSON.parse(r.stdout.trim().split("\n").pop()), note: line.note });
  }
  console.log(
    "| Node | identity stage, per item | three real stages chained, extra per frame | fused pipeline | chained | |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | --- |");
  for (const r of rows)
    console.log(
      `| ${r.node} | ${r.perStageUs} us | ${r.chainPerFrameUs} us | ${r.fusedMs} ms | ${r.chainedStagesMs} ms | ${r.note} |`,
    );
  console.log(JSON.stringify(rows));
} else {
  console.log(JSON.stringify(await measure()));
}
