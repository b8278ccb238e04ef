// Two stream shapes no recorded capture has, through every way a stream is consumed: the composable chain
// (pipeThrough x3), the fused pipeline (fast path and reference path), stream() and request() over HTTP, and the
// emulator serving the same bytes over HTTP.
// - An event type AWS may add later is delivered as `{type: "unknown", eventType, payload}`, in its place.
// - Two tool blocks open at once, their input deltas interleaved: each call gets its own arguments.
import { describe, expect, it } from "vitest";
import type { ConverseResult } from "../../src/client/options";
import { ConversePipeline } from "../../src/stream/pipeline";
import {
  ConverseEventStream,
  EventStreamDecoderStream,
  ToolCallAccumulatorStream,
} from "../../src/stream/web-streams";
import type { ChatEvent } from "../../src/types/events";
import { clientFor, emulator, replayStream } from "../features/helpers";
import { concat, prng, randomCuts, splitAt } from "../helpers/bytes";
import { eventFrame } from "../helpers/frames";

const text = (index: number, t: string) =>
  eventFrame("contentBlockDelta", { contentBlockIndex: index, delta: { text: t } });
const toolStart = (index: number, toolUseId: string) =>
  eventFrame("contentBlockStart", {
    contentBlockIndex: index,
    start: { toolUse: { toolUseId, name: "get_weather" } },
  });
const toolInput = (index: number, input: string) =>
  eventFrame("contentBlockDelta", { contentBlockIndex: index, delta: { toolUse: { input } } });
const stop = (index: number) => eventFrame("contentBlockStop", { contentBlockIndex: index });
const end = (stopReason: string) => [
  eventFrame("messageStop", { stopReason }),
  eventFrame("metadata", {
    usage: { inputTokens: 12, outputTokens: 34, totalTokens: 46 },
    metrics: { latencyMs: 5 },
  }),
];

/** Text, an event type this SDK does not know, more text, another unknown one before the end. */
const WITH_UNKNOWN = concat(
  eventFrame("messageStart", { role: "assistant" }),
  text(0, "Hello"),
  eventFrame("futureInsight", { contentBlockIndex: 0, insight: { level: 2, tags: ["a", "b"] } }),
  text(0, " world"),
  stop(0),
  eventFrame("auditRecord", { id: "rec-7" }),
  ...end("end_turn"),
);

/** Text, then two get_weather calls open at once whose input fragments alternate. */
const INTERLEAVED = concat(
  eventFrame("messageStart", { role: "assistant" }),
  text(0, "Checking both cities."),
  stop(0),
  toolStart(1, "tooluse_paris"),
  toolStart(2, "tooluse_oslo"),
  toolInput(1, '{"city":'),
  toolInput(2, '{"city":"Os'),
  toolInput(1, '"Paris",'),
  toolInput(2, 'lo","units":"metric"}'),
  toolInput(1, '"units":"imperial"}'),
  stop(2),
  stop(1),
  ...end("tool_use"),
);

const server = await emulator({
  recordings: { unknown: WITH_UNKNOWN, interleaved: INTERLEAVED },
  chunkSize: 61,
});
const RECORDING = new Map([
  [WITH_UNKNOWN, "unknown"],
  [INTERLEAVED, "interleaved"],
]);
const messages = [{ role: "user" as const, content: "Weather in Paris and Oslo?" }];

/** The body cut at a few seeded places (frames split anywhere, several per chunk). */
const chunks = (bytes: Uint8Array) => splitAt(bytes, randomCuts(bytes.length, prng(bytes.length), 9));

async function collect<T>(stream: ReadableStream<T> | AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const e of stream as AsyncIterable<T>) out.push(e);
  return out;
}

function viaPipeline(bytes: Uint8Array, reference: boolean): ChatEvent[] {
  const pipeline = new ConversePipeline();
  // A Converse-event observer turns the fast path off: every frame goes through parseFrame.
  if (reference) pipeline.onConverseEvent = () => {};
  const events = chunks(bytes).flatMap((c) => pipeline.feed(c));
  events.push(...pipeline.end());
  if (pipeline.error) throw pipeline.error;
  return events;
}

async function viaRequest(url: string, model: string) {
  const events: ChatEvent[] = [];
  const result = await clientFor(url, model).request(messages, {
    model: "m",
    onEvent: (e) => events.push(e),
  });
  return { events, result };
}

type Path = (bytes: Uint8Array) => Promise<{ events: ChatEvent[]; result?: ConverseResult }>;
const PATHS: [string, Path][] = [
  [
    "composable chain (pipeThrough)",
    async (bytes) => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const c of chunks(bytes)) controller.enqueue(c);
          controller.close();
        },
      });
      const events = body
        .pipeThrough(new EventStreamDecoderStream())
        .pipeThrough(new ConverseEventStream())
        .pipeThrough(new ToolCallAccumulatorStream());
      return { events: await collect(events) };
    },
  ],
  ["fused pipeline, fast path", async (bytes) => ({ events: viaPipeline(bytes, false) })],
  ["fused pipeline, reference path", async (bytes) => ({ events: viaPipeline(bytes, true) })],
  [
    "stream() over HTTP",
    async (bytes) => {
      const upstream = await replayStream(bytes);
      return { events: await collect(clientFor(upstream.url).stream(messages, { model: "m" })) };
    },
  ],
  ["request() over HTTP", async (bytes) => viaRequest((await replayStream(bytes)).url, "any-model")],
  [
    "emulator over HTTP, stream()",
    async (bytes) => {
      const client = clientFor(server.url, `replay.${RECORDING.get(bytes)}`);
      return { events: await collect(client.stream(messages, { model: "m" })) };
    },
  ],
  [
    "emulator over HTTP, request()",
    async (bytes) => viaRequest(server.url, `replay.${RECORDING.get(bytes)}`),
  ],
];

const finishOf = (events: ChatEvent[]) =>
  events.find((e): e is Extract<ChatEvent, { type: "finish" }> => e.type === "finish")!;

describe.each(PATHS)("%s", (_, path) => {
  it("delivers unknown event types as {type: 'unknown', eventType, payload}, in order", async () => {
    const { events, result } = await path(WITH_UNKNOWN);
    const seen = events
      .filter((e) => e.type === "text" || e.type === "unknown")
      .map((e) => (e.type === "text" ? e.text : e));
    expect(seen).toEqual([
      "Hello",
      {
        type: "unknown",
        eventType: "futureInsight",
        payload: { contentBlockIndex: 0, insight: { level: 2, tags: ["a", "b"] } },
      },
      " world",
      { type: "unknown", eventType: "auditRecord", payload: { id: "rec-7" } },
    ]);
    // They pass through without disturbing the answer.
    expect(events.at(-1)).toMatchObject({ type: "finish", stopReason: "end_turn" });
    expect(finishOf(events).message.content).toEqual([{ text: "Hello world" }]);
    if (result) expect(result.outputText).toBe("Hello world");
  });

  it("gives each of two interleaved tool calls its own arguments", async () => {
    const { events, result } = await path(INTERLEAVED);
    // Every fragment is announced for the call it belongs to.
    expect(
      events.filter((e) => e.type === "tool-call-delta").map((e) => [e.index, e.id, e.argumentsText]),
    ).toEqual([
      [1, "tooluse_paris", '{"city":'],
      [2, "tooluse_oslo", '{"city":"Os'],
      [1, "tooluse_paris", '"Paris",'],
      [2, "tooluse_oslo", 'lo","units":"metric"}'],
      [1, "tooluse_paris", '"units":"imperial"}'],
    ]);
    const finish = finishOf(events);
    expect(finish.stopReason).toBe("tool_use");
    const calls = Object.fromEntries(finish.toolCalls.map((c) => [c.id, c]));
    expect(Object.keys(calls).sort()).toEqual(["tooluse_oslo", "tooluse_paris"]);
    expect(calls.tooluse_paris).toMatchObject({
      name: "get_weather",
      arguments: { city: "Paris", units: "imperial" },
      argumentsText: '{"city":"Paris","units":"imperial"}',
    });
    expect(calls.tooluse_oslo).toMatchObject({
      name: "get_weather",
      arguments: { city: "Oslo", units: "metric" },
      argumentsText: '{"city":"Oslo","units":"metric"}',
    });
    // The assistant turn to send back keeps each input with its own toolUseId, blocks in index order.
    expect(finish.message.content).toEqual([
      { text: "Checking both cities." },
      {
        toolUse: {
          toolUseId: "tooluse_paris",
          name: "get_weather",
          input: { city: "Paris", units: "imperial" },
        },
      },
      {
        toolUse: { toolUseId: "tooluse_oslo", name: "get_weather", input: { city: "Oslo", units: "metric" } },
      },
    ]);
    if (result) expect(result.toolsToCall).toEqual(finish.toolCalls);
  });
});
