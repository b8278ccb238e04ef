// The generated ConverseStream bodies the benchmark serves: several shapes, each about 5 MB, encoded with
// @smithy/eventstream-codec (the AWS SDK's own encoder, independent of the code under test).
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const PAD = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const WORDS =
  "the of and to in is that for it as with was on be by this are or from at an which not have but".split(" ");

/** Frames of one response, built the way Bedrock sends them (padding `p` of varying length included). */
function frames() {
  const list = [];
  let n = 0;
  const event = (type, payload) => {
    payload.p = PAD.slice(0, (n++ * 7) % 50);
    const headers = {
      ":event-type": { type: "string", value: type },
      ":content-type": { type: "string", value: "application/json" },
      ":message-type": { type: "string", value: "event" },
    };
    list.push(codec.encode({ headers, body: fromUtf8(JSON.stringify(payload)) }));
  };
  return { list, event };
}

const tokens = (i, count) => {
  let s = "";
  for (let k = 0; k < count; k++) s += ` ${WORDS[(i * 7 + k * 3) % WORDS.length]}`;
  return s;
};

function toolCall(event, index, id, fragments, fragment) {
  // `input: {}` is not in Bedrock's recordings; it is here because @ai-sdk/amazon-bedrock 3.0.x, with zod >= 4.4
  // (npm's pick today), rejects a tool start without it. Every contender reads the same bytes.
  event("contentBlockStart", {
    contentBlockIndex: index,
    start: { toolUse: { toolUseId: id, name: "write_file", input: {} } },
  });
  event("contentBlockDelta", {
    contentBlockIndex: index,
    delta: { toolUse: { input: '{"path":"src/file.ts","content":"' } },
  });
  for (let i = 0; i < fragments; i++) {
    event("contentBlockDelta", { contentBlockIndex: index, delta: { toolUse: { input: fragment(i) } } });
  }
  event("contentBlockDelta", { contentBlockIndex: index, delta: { toolUse: { input: '"}' } } });
  event("contentBlockStop", { contentBlockIndex: index });
}

function finish(event, stopReason) {
  event("messageStop", { stopReason });
  event("metadata", {
    usage: { inputTokens: 10, outputTokens: 1000, totalTokens: 1010 },
    metrics: { latencyMs: 1 },
  });
}

export const SHAPES = {
  /** The reference body: 20,000 text deltas, then 4 tool calls of 500 input fragments (22,012 frames). */
  mixed() {
    const { list, event } = frames();
    event("messageStart", { role: "assistant" });
    for (let i = 0; i < 20000; i++) {
      event("contentBlockDelta", {
        contentBlockIndex: 0,
        delta: { text: `word ${i} lorem ipsum dolor sit amet ` },
      });
    }
    event("contentBlockStop", { contentBlockIndex: 0 });
    for (let t = 1; t <= 4; t++)
      toolCall(event, t, `tool${t}`, 498, (i) => `line ${i} of the file with some text\\n`);
    finish(event, "tool_use");
    return list;
  },
  /** Many small text deltas, as Bedrock streams prose: one to four tokens each. */
  text() {
    const { list, event } = frames();
    event("messageStart", { role: "assistant" });
    for (let i = 0; i < 27000; i++) {
      event("contentBlockDelta", {
        contentBlockIndex: 0,
        delta: { text: tokens(i, 1 + (i % 4)) + (i % 50 === 49 ? "\n\n" : "") },
      });
    }
    event("contentBlockStop", { contentBlockIndex: 0 });
    finish(event, "end_turn");
    return list;
  },
  /** A few huge tool inputs: 3 calls writing ~0.8 MB files each, in 200-character fragments with escapes. */
  tools() {
    const { list, event } = frames();
    event("messageStart", { role: "assistant" });
    event("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "Writing the files." } });
    event("contentBlockStop", { contentBlockIndex: 0 });
    const line = (i) => `export const value${i} = \\"${tokens(i, 3).trim()}\\";\\n`;
    const fragment = (i) => {
      let s = "";
      for (let k = 0; s.length < 200; k++) s += line(i * 8 + k);
      return s;
    };
    for (let t = 1; t <= 3; t++) toolCall(event, t, `tooluse_${t}`, 4000, fragment);
    finish(event, "tool_use");
    return list;
  },
  /** Reasoning-heavy: 22,000 reasoning deltas and a signature, then a short answer. */
  reasoning() {
    const { list, event } = frames();
    event("messageStart", { role: "assistant" });
    for (let i = 0; i < 22000; i++) {
      event("contentBlockDelta", {
        contentBlockIndex: 0,
        delta: { reasoningContent: { text: tokens(i, 2 + (i % 5)) } },
      });
    }
    event("contentBlockDelta", {
      contentBlockIndex: 0,
      delta: { reasoningContent: { signature: "EqQBCkYIBRgCKkDk".repeat(20) } },
    });
    event("contentBlockStop", { contentBlockIndex: 0 });
    for (let i = 0; i < 2000; i++)
      event("contentBlockDelta", { contentBlockIndex: 1, delta: { text: tokens(i, 2) } });
    event("contentBlockStop", { contentBlockIndex: 1 });
    finish(event, "end_turn");
    return list;
  },
};

/** One shape's body as a single buffer, with its frame count and the largest frame. */
export function body(shape) {
  const list = SHAPES[shape]();
  const total = list.reduce((n, f) => n + f.length, 0);
  const bytes = new Uint8Array(total);
  let at = 0;
  let largest = 0;
  for (const f of list) {
    bytes.set(f, at);
    at += f.length;
    largest = Math.max(largest, f.length);
  }
  return { bytes, frames: list.length, largest };
}

/**
 * A long text stream made on the fly (for the memory-flatness check): about `megabytes` of text-delta frames,
 * never held whole, yielded in chunks of at most `chunkSize` bytes.
 */
export function* longText(megabytes, chunkSize = 16384) {
  const { list, event } = frames();
  event("messageStart", { role: "assistant" });
  const head = concat(list.splice(0));
  for (let i = 0; i < 512; i++)
    event("contentBlockDelta", { contentBlockIndex: 0, delta: { text: tokens(i, 1 + (i % 4)) } });
  const block = concat(list.splice(0));
  event("contentBlockStop", { contentBlockIndex: 0 });
  finish(event, "end_turn");
  const tail = concat(list.splice(0));
  yield head;
  for (let sent = 0; sent + block.length <= megabytes * 1024 * 1024; sent += block.length) {
    for (let i = 0; i < block.length; i += chunkSize) yield block.subarray(i, i + chunkSize);
  }
  yield tail;
}

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
