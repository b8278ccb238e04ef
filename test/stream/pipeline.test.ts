import { describe, expect, it, vi } from "vitest";
import { BedrockError } from "../../src/errors";
import { ToolCallAccumulator } from "../../src/stream/accumulate";
import { ConversePipeline } from "../../src/stream/pipeline";
import {
  ConverseEventStream,
  EventStreamDecoderStream,
  ToolCallAccumulatorStream,
} from "../../src/stream/web-streams";
import type { ChatEvent } from "../../src/types/events";
import { capture, captures, concat, prng, randomCuts, splitAt } from "../helpers/fixtures";
import { eventFrame } from "../helpers/frames";
import { BYTE_STEP } from "../helpers/mutation";

function run(chunks: Uint8Array[]): { events: ChatEvent[]; error: unknown; pipeline: ConversePipeline } {
  const pipeline = new ConversePipeline();
  const events: ChatEvent[] = [];
  for (const c of chunks) events.push(...pipeline.feed(c));
  events.push(...pipeline.end());
  return { events, error: pipeline.error, pipeline };
}

/** What the recorded frames say, computed from the decoded JSON independently of the SDK. */
function expectedFromFrames(cap: ReturnType<typeof captures>[number]) {
  let text = "";
  const tools = new Map<number, { id: string; name: string; type?: string; input: string }>();
  let stopReason: string | undefined;
  let usage: unknown;
  let reasoning = "";
  let signature = "";
  for (const f of cap.frames) {
    const type = f.headers.find((h) => h.name === ":event-type")?.value;
    const p = JSON.parse(f.payload);
    if (type === "contentBlockStart" && p.start.toolUse) {
      tools.set(p.contentBlockIndex, {
        id: p.start.toolUse.toolUseId,
        name: p.start.toolUse.name,
        type: p.start.toolUse.type,
        input: "",
      });
    }
    if (type === "contentBlockDelta") {
      if (typeof p.delta.text === "string") text += p.delta.text;
      if (p.delta.toolUse) tools.get(p.contentBlockIndex)!.input += p.delta.toolUse.input;
      if (p.delta.reasoningContent?.text) reasoning += p.delta.reasoningContent.text;
      if (p.delta.reasoningContent?.signature) signature += p.delta.reasoningContent.signature;
    }
    if (type === "messageStop") stopReason = p.stopReason;
    if (type === "metadata") usage = p.usage;
  }
  const toolCalls = [...tools.values()]
    .filter((t) => t.type !== "server_tool_use")
    .map((t) => ({ id: t.id, name: t.name, arguments: t.input.trim() ? JSON.parse(t.input) : {} }));
  return { text, toolCalls, stopReason, usage, reasoning, signature };
}

describe("pipeline over every recorded capture", () => {
  for (const cap of captures()) {
    it(`${cap.name}: text, tool calls, reasoning, stop reason and usage match the recording`, () => {
      const { events, error, pipeline } = run([cap.bytes]);
      expect(error).toBeUndefined();
      const want = expectedFromFrames(cap);
      const acc = pipeline.accumulator;
      expect(acc.outputText).toBe(want.text);
      expect(
        events
          .filter((e) => e.type === "text")
          .map((e: any) => e.text)
          .join(""),
      ).toBe(want.text);
      expect(acc.toolCalls.map(({ id, name, arguments: a }) => ({ id, name, arguments: a }))).toEqual(
        want.toolCalls,
      );
      expect(acc.stopReason).toBe(want.stopReason);
      expect(acc.usage).toEqual(want.usage);
      const finish = events.at(-1) as Extract<ChatEvent, { type: "finish" }>;
      expect(finish.type).toBe("finish");
      expect(finish.stopReason).toBe(want.stopReason);
      const reasoningBlock = finish.message.content.find(
        (b: any) => b.reasoningContent?.reasoningText,
      ) as any;
      if (want.reasoning) {
        expect(reasoningBlock.reasoningContent.reasoningText).toEqual({
          text: want.reasoning,
          ...(want.signature && { signature: want.signature }),
        });
      }
      // No frame is dropped: every frame is accounted for in the chat events.
      expect(events.length).toBeGreaterThan(0);
    });

    it(`${cap.name}: any chunking gives the identical chat event sequence`, () => {
      const want = JSON.stringify(run([cap.bytes]).events);
      let bad = 0;
      for (let k = 1; k < cap.bytes.length; k += BYTE_STEP) {
        if (JSON.stringify(run([cap.bytes.subarray(0, k), cap.bytes.subarray(k)]).events) !== want) bad++;
      }
      const random = prng(7 + cap.bytes.length);
      for (let r = 0; r < 30; r++) {
        const chunks = splitAt(
          cap.bytes,
          randomCuts(cap.bytes.length, random, 1 + Math.floor(random() * 60)),
        );
        if (JSON.stringify(run(chunks).events) !== want) bad++;
      }
      expect(bad).toBe(0);
    });
  }
});

describe("pipeline semantics", () => {
  it("keeps the redacted reasoning blocks exactly as received", () => {
    const cap = capture("test_bedrock_model_thinking_part_redacted_stream");
    const { events } = run([cap.bytes]);
    const redacted = cap.frames
      .map((f) => JSON.parse(f.payload))
      .filter((p) => p.delta?.reasoningContent?.redactedContent)
      .map((p) => p.delta.reasoningContent.redactedContent);
    const finish = events.at(-1) as any;
    const blocks = finish.message.content
      .filter((b: any) => b.reasoningContent)
      .map((b: any) => b.reasoningContent.redactedContent);
    expect(blocks).toEqual(redacted);
  });

  it("keeps citations with their locations in the message", () => {
    const cap = capture("test_bedrock_document_citations_live_stream");
    const { events } = run([cap.bytes]);
    const citations = events.filter((e) => e.type === "citation");
    expect(citations).toHaveLength(1);
    const finish = events.at(-1) as any;
    expect(finish.message.content[0].citationsContent.citations[0].location.documentChar).toEqual({
      documentIndex: 0,
      end: 47,
      start: 0,
    });
    expect(finish.message.content[0].citationsContent.content[0].text).toBe(
      "The return window is thirty days from purchase.",
    );
  });

  it("server-side tool use and its result are kept but not offered to the caller to run", () => {
    const cap = capture("test_bedrock_model_code_execution_tool_stream");
    const { events, pipeline } = run([cap.bytes]);
    expect(pipeline.accumulator.toolCalls.map((t) => t.name)).toEqual(["final_result"]);
    const finish = events.at(-1) as any;
    expect(finish.message.content[1].toolResult.content[0].json.stdOut).toBe("7006652");
  });

  it("an exception frame mid-stream delivers the events before it, then a typed error", () => {
    const exception = capture("vercel_model-stream-error-exception");
    const real = capture("test_bedrock_model_stream");
    // Three real frames (messageStart and two text deltas), then the exception frame, all in ONE chunk.
    const head = real.bytes.subarray(0, real.frames[3].offset);
    const { events, error } = run([new Uint8Array([...head, ...exception.bytes])]);
    expect(error).toBeInstanceOf(BedrockError);
    expect((error as BedrockError).name).toBe("ModelStreamErrorException");
    expect((error as BedrockError).message).toContain("Model Stream Error");
    expect((error as any).originalStatusCode).toBe(
      JSON.parse(exception.frames[0].payload).originalStatusCode,
    );
    const texts = real.frames.slice(1, 3).map((f) => JSON.parse(f.payload).delta.text);
    expect(events.map((e) => e.type)).toEqual(["message-start", "text", "text"]);
    expect(events.filter((e) => e.type === "text").map((e: any) => e.text)).toEqual(texts);
  });

  it("a stream that ends without messageStop is an error, not a finish", () => {
    const cap = capture("test_bedrock_model_stream");
    const stopAt = cap.frames.find((f) => f.headers[0].value === "messageStop")!.offset;
    const { events, error } = run([cap.bytes.subarray(0, stopAt)]);
    expect((error as BedrockError).name).toBe("IncompleteStreamError");
    expect(events.some((e) => e.type === "finish")).toBe(false);
  });

  it("outputText is the text in the order it streamed, also when text blocks interleave", () => {
    const text = (acc: ToolCallAccumulator, index: number, t: string, out: ChatEvent[]) =>
      acc.push({ type: "contentBlockDelta", contentBlockIndex: index, delta: { text: t } }, out);
    const sequential = new ToolCallAccumulator();
    const interleaved = new ToolCallAccumulator();
    const out: ChatEvent[] = [];
    for (const [i, t] of [
      [0, "a"],
      [0, "b"],
      [2, "c"],
      [2, "d"],
    ] as const)
      text(sequential, i, t, out);
    expect(sequential.outputText).toBe("abcd");
    for (const [i, t] of [
      [0, "a"],
      [1, "b"],
      [0, "c"],
      [2, "d"],
      [1, "e"],
    ] as const) {
      text(interleaved, i, t, out);
      if (t === "c") expect(interleaved.outputText).toBe("abc");
    }
    expect(interleaved.outputText).toBe("abcde");
    // Each block keeps its own text either way.
    expect(interleaved.message().content).toEqual([{ text: "ac" }, { text: "be" }, { text: "d" }]);
  });

  it("a stream cut after messageStop, before its metadata (usage), is an error, not a finish", () => {
    for (const cap of captures()) {
      const metadata = cap.frames.find((f) => f.headers[0].value === "metadata");
      if (!metadata) continue;
      const { events, error } = run([cap.bytes.subarray(0, metadata.offset)]);
      expect((error as BedrockError).name, cap.name).toBe("IncompleteStreamError");
      expect((error as BedrockError).message).toMatch(/before its metadata event/);
      expect(events.some((e) => e.type === "finish")).toBe(false);
    }
  });

  it("invalid tool input yields a tool call flagged invalid with its raw text and the stream goes on", () => {
    const p = new ConversePipeline();
    const events: ChatEvent[] = [];
    const acc = p.accumulator;
    for (const e of [
      { type: "messageStart", role: "assistant" },
      { type: "contentBlockStart", contentBlockIndex: 0, start: { toolUse: { toolUseId: "t1", name: "f" } } },
      { type: "contentBlockDelta", contentBlockIndex: 0, delta: { toolUse: { input: '{"a": ' } } },
      { type: "contentBlockStop", contentBlockIndex: 0 },
      { type: "contentBlockStart", contentBlockIndex: 1, start: { toolUse: { toolUseId: "t2", name: "g" } } },
      { type: "contentBlockStop", contentBlockIndex: 1 },
      { type: "messageStop", stopReason: "tool_use" },
      { type: "metadata", usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 } },
    ] as const) {
      acc.push(e as any, events);
    }
    acc.end(events);
    expect(acc.toolCalls[0]).toMatchObject({
      id: "t1",
      name: "f",
      arguments: {},
      argumentsText: '{"a": ',
    });
    expect(acc.toolCalls[0].invalid?.message).toBeTruthy();
    expect(acc.toolCalls[1]).toEqual({ id: "t2", name: "g", arguments: {}, argumentsText: "" });
    expect(events.at(-1)!.type).toBe("finish");
  });

  it("the three TransformStreams chained with pipeThrough give the same events as the fused pipeline", async () => {
    for (const cap of captures()) {
      const body = new Response(cap.bytes).body!;
      const events: ChatEvent[] = [];
      const readable = body
        .pipeThrough(new EventStreamDecoderStream())
        .pipeThrough(new ConverseEventStream())
        .pipeThrough(new ToolCallAccumulatorStream());
      for await (const e of readable as any) events.push(e);
      expect(JSON.stringify(events)).toBe(JSON.stringify(run([cap.bytes]).events));
    }
  });
});

// Written against the survivors of `npm run test:mutation -- src/stream/pipeline.ts`: how the fused pipeline
// schedules the stages (which frames take the fast path, what the debug hook sees).
describe("pipeline scheduling", () => {
  const textStream = (deltas: string[]) =>
    concat(
      eventFrame("messageStart", { role: "assistant" }),
      ...deltas.map((text) =>
        eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text }, p: "abc" }),
      ),
      eventFrame("contentBlockStop", { contentBlockIndex: 0 }),
      eventFrame("messageStop", { stopReason: "end_turn" }),
      eventFrame("metadata", { usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 }, metrics: {} }),
    );

  it("reads delta frames in place: JSON.parse runs once per other frame only (the fast path bench/ measures)", () => {
    const deltas = Array.from({ length: 40 }, (_, i) => `word${i} `);
    const bytes = textStream(deltas);
    const parse = vi.spyOn(JSON, "parse");
    try {
      // Two chunks, cut inside a delta frame: the fast path holds across a frame carried between chunks.
      const { events, error } = run(splitAt(bytes, [Math.floor(bytes.length / 2)]));
      expect(error).toBeUndefined();
      expect(events.filter((e) => e.type === "text").map((e: any) => e.text)).toEqual(deltas);
      expect(parse).toHaveBeenCalledTimes(4); // messageStart, contentBlockStop, messageStop, metadata
    } finally {
      parse.mockRestore();
    }
  });

  it("holds no reference to a chunk once feed returns (not until the next chunk)", () => {
    const chunk = textStream(["a", "b"]).slice();
    const pipeline = new ConversePipeline();
    expect(pipeline.feed(chunk).length).toBeGreaterThan(0);
    const frames = pipeline.decoder.frames;
    expect(frames.some((slot) => slot === chunk || slot?.buffer === chunk.buffer)).toBe(false);
  });

  it("gives the debug hook every frame as a Converse event, deltas included, in order", () => {
    const cap = captures().find((c) => c.name.includes("tool")) ?? captures()[0]!;
    const pipeline = new ConversePipeline();
    const seen: string[] = [];
    pipeline.onConverseEvent = (e) => seen.push(e.type);
    const events = [...pipeline.feed(cap.bytes), ...pipeline.end()];
    expect(pipeline.error).toBeUndefined();
    expect(seen).toEqual(cap.frames.map((f) => f.headers.find((h) => h.name === ":event-type")?.value));
    expect(JSON.stringify(events)).toBe(JSON.stringify(run([cap.bytes]).events));
  });

  it("does not read a frame of another event type as a delta, though its payload looks like one", () => {
    const lookalike = { contentBlockIndex: 0, delta: { text: "not text" }, p: "abc" };
    const bytes = concat(
      eventFrame("messageStart", { role: "assistant" }),
      eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "text" }, p: "abc" }),
      eventFrame("contentBlockDeltaV2", lookalike),
      eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: " more" }, p: "abc" }),
      eventFrame("contentBlockStop", { contentBlockIndex: 0 }),
      eventFrame("messageStop", { stopReason: "end_turn" }),
      eventFrame("metadata", { usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 }, metrics: {} }),
    );
    const { events, error, pipeline } = run([bytes]);
    expect(error).toBeUndefined();
    expect(pipeline.accumulator.outputText).toBe("text more");
    expect(events.slice(1, 4)).toEqual([
      { type: "text", index: 0, text: "text" },
      {
        type: "unknown",
        eventType: "contentBlockDeltaV2",
        payload: { contentBlockIndex: 0, delta: { text: "not text" } },
      },
      { type: "text", index: 0, text: " more" },
    ]);
  });
});
