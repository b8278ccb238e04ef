// MessageAccumulator on its own: Converse events in, chat events out, the assistant message built as received.
import { describe, expect, it } from "vitest";
import { BedrockError, EventPayloadError, ResponseTooLargeError } from "../../src/errors";
import { MAX_ANSWER_CHARS, MessageAccumulator, ToolCallAccumulator } from "../../src/stream/accumulate";
import { LazyPartialJson } from "../../src/stream/partial-json";
import type { ChatEvent, ConverseEvent } from "../../src/types/events";

const usage = { inputTokens: 3, outputTokens: 5, totalTokens: 8 };

function run(events: ConverseEvent[]): { out: ChatEvent[]; error?: BedrockError; acc: MessageAccumulator } {
  const acc = new MessageAccumulator();
  const out: ChatEvent[] = [];
  try {
    for (const event of events) acc.push(event, out);
    acc.end(out);
    return { out, acc };
  } catch (error) {
    return { out, acc, error: error as BedrockError };
  }
}

const toolTurn: ConverseEvent[] = [
  { type: "messageStart", role: "assistant" },
  { type: "contentBlockDelta", contentBlockIndex: 0, delta: { text: "Let me " } },
  { type: "contentBlockDelta", contentBlockIndex: 0, delta: { text: "check." } },
  { type: "contentBlockStop", contentBlockIndex: 0 },
  {
    type: "contentBlockStart",
    contentBlockIndex: 1,
    start: { toolUse: { toolUseId: "t1", name: "weather" } },
  },
  { type: "contentBlockDelta", contentBlockIndex: 1, delta: { toolUse: { input: '{"city":' } } },
  { type: "contentBlockDelta", contentBlockIndex: 1, delta: { toolUse: { input: '"Paris"}' } } },
  { type: "contentBlockStop", contentBlockIndex: 1 },
  { type: "messageStop", stopReason: "tool_use" },
  { type: "metadata", usage },
];

describe("MessageAccumulator", () => {
  it("builds the whole assistant message: text and a tool call whose input is parsed once it stops", () => {
    const { out, error, acc } = run(toolTurn);
    expect(error).toBeUndefined();
    expect(acc.outputText).toBe("Let me check.");
    const call = out.find((e) => e.type === "tool-call");
    expect(call).toMatchObject({ id: "t1", name: "weather", arguments: { city: "Paris" } });
    const finish = out.at(-1);
    expect(finish?.type).toBe("finish");
    expect(finish).toMatchObject({
      stopReason: "tool_use",
      usage,
      message: {
        role: "assistant",
        content: [
          { text: "Let me check." },
          { toolUse: { toolUseId: "t1", name: "weather", input: { city: "Paris" } } },
        ],
      },
    });
  });

  it("a stream that ends before messageStop is an IncompleteStreamError, and no finish", () => {
    const { out, error } = run(toolTurn.slice(0, 4));
    expect(error?.name).toBe("IncompleteStreamError");
    expect(error?.message).toMatch(/before messageStop/);
    expect(out.map((e) => e.type)).not.toContain("finish");
  });

  it("messageStop without its metadata is incomplete too (the rule lives here, not in the pipeline)", () => {
    const { out, error } = run(toolTurn.slice(0, -1));
    expect(error).toBeInstanceOf(BedrockError);
    expect(error?.name).toBe("IncompleteStreamError");
    expect(error?.message).toMatch(/after messageStop but before its metadata/);
    expect(out.map((e) => e.type)).not.toContain("finish");
  });

  it("keeps its first name as an alias", () => {
    expect(ToolCallAccumulator).toBe(MessageAccumulator);
  });
});

// Written against the survivors of `npm run test:mutation -- src/stream/accumulate.ts`.
describe("MessageAccumulator: events, message and limits", () => {
  /** The events a whole turn gives: messageStart, the content events, messageStop and metadata around them. */
  function turn(content: ConverseEvent[], messageStop: object = {}, metadata: object = {}) {
    return run([
      { type: "messageStart", role: "assistant" },
      ...content,
      { type: "messageStop", stopReason: "end_turn", ...messageStop },
      { type: "metadata", usage, ...metadata },
    ]);
  }
  /** The events between message-start and usage (the content's own events). */
  const contentEvents = (out: ChatEvent[]) =>
    out.slice(
      1,
      out.findIndex((e) => e.type === "usage"),
    );
  const finishOf = (out: ChatEvent[]) => out.at(-1) as Extract<ChatEvent, { type: "finish" }>;
  const delta = (index: number, d: Record<string, unknown>): ConverseEvent => ({
    type: "contentBlockDelta",
    contentBlockIndex: index,
    delta: d,
  });
  const stop = (index: number): ConverseEvent => ({ type: "contentBlockStop", contentBlockIndex: index });
  const start = (index: number, s: Record<string, unknown>): ConverseEvent => ({
    type: "contentBlockStart",
    contentBlockIndex: index,
    start: s,
  });

  it("with a partialJson parser, a tool-call-delta carries the input parsed so far", () => {
    const acc = new MessageAccumulator({ partialJson: LazyPartialJson });
    const out: ChatEvent[] = [];
    acc.push(start(0, { toolUse: { toolUseId: "t1", name: "weather" } }), out);
    acc.push(delta(0, { toolUse: { input: '{"city":"Pa' } }), out);
    expect(out[1]).toMatchObject({
      type: "tool-call-delta",
      index: 0,
      id: "t1",
      argumentsText: '{"city":"Pa',
    });
    expect((out[1] as { partial?: unknown }).partial).toEqual({ city: "Pa" });
  });

  it("contentBlockStop ends its block at once: the tool call comes before the usage, not at the end", () => {
    const { out } = run(toolTurn);
    expect(out.map((e) => e.type)).toEqual([
      "message-start",
      "text",
      "text",
      "block-end",
      "tool-call-start",
      "tool-call-delta",
      "tool-call-delta",
      "tool-call",
      "block-end",
      "usage",
      "finish",
    ]);
  });

  it("a second end() emits nothing", () => {
    const { out, acc } = run(toolTurn);
    const more: ChatEvent[] = [];
    acc.end(more);
    expect(more).toEqual([]);
    expect(out.filter((e) => e.type === "finish")).toHaveLength(1);
  });

  it("a block the model left open is ended before finish: its tool call is offered", () => {
    const { out, error } = turn(
      [
        start(0, { toolUse: { toolUseId: "t1", name: "weather" } }),
        delta(0, { toolUse: { input: '{"city":"Paris"}' } }),
      ],
      { stopReason: "tool_use" },
    );
    expect(error).toBeUndefined();
    const call = {
      id: "t1",
      name: "weather",
      arguments: { city: "Paris" },
      argumentsText: '{"city":"Paris"}',
    };
    expect(out.slice(-3)).toEqual([
      { type: "tool-call", index: 0, ...call },
      {
        type: "block-end",
        index: 0,
        block: { toolUse: { toolUseId: "t1", name: "weather", input: { city: "Paris" } } },
      },
      expect.objectContaining({ type: "finish", toolCalls: [call] }),
    ]);
  });

  it("finish carries additionalModelResponseFields (messageStop) and metrics and trace (metadata)", () => {
    const { out } = turn(
      [delta(0, { text: "Hi" }), stop(0)],
      { additionalModelResponseFields: { stop_sequence: null } },
      { metrics: { latencyMs: 412 }, trace: { guardrail: {} } },
    );
    expect(finishOf(out)).toStrictEqual({
      type: "finish",
      stopReason: "end_turn",
      usage,
      message: { role: "assistant", content: [{ text: "Hi" }] },
      toolCalls: [],
      additionalModelResponseFields: { stop_sequence: null },
      metrics: { latencyMs: 412 },
      trace: { guardrail: {} },
    });
  });

  it("the message's blocks are in contentBlockIndex order, whatever order they arrive in", () => {
    const { out } = turn([
      delta(2, { text: "c" }),
      delta(0, { text: "a" }),
      delta(1, { text: "b" }),
      stop(2),
      stop(0),
      stop(1),
    ]);
    expect(finishOf(out).message.content).toEqual([{ text: "a" }, { text: "b" }, { text: "c" }]);
  });

  it("text blocks that interleave: outputText is the text in stream order, each block keeps its own", () => {
    const pieces = Array.from({ length: 600 }, (_, k) => `${k % 7}`);
    const { out, acc } = turn([...pieces.map((text, k) => delta(k % 2, { text })), stop(0), stop(1)]);
    expect(acc.outputText).toBe(pieces.join(""));
    expect(finishOf(out).message.content).toEqual([
      { text: pieces.filter((_, k) => k % 2 === 0).join("") },
      { text: pieces.filter((_, k) => k % 2 === 1).join("") },
    ]);
  });

  it("a toolUse delta with no toolUse start is an EventPayloadError naming the block", () => {
    const { error } = turn([delta(3, { toolUse: { input: "{}" } })]);
    expect(error).toBeInstanceOf(EventPayloadError);
    expect((error as EventPayloadError).eventType).toBe("contentBlockDelta");
    expect(error?.message).toBe(
      "contentBlockDelta event: toolUse delta for block 3 without a toolUse contentBlockStart",
    );
  });

  it("a toolUse delta whose input is not a string is an EventPayloadError", () => {
    const { error } = turn([
      start(1, { toolUse: { toolUseId: "t1", name: "weather" } }),
      delta(1, { toolUse: { input: { city: "Paris" } } }),
    ]);
    expect(error).toBeInstanceOf(EventPayloadError);
    expect((error as EventPayloadError).eventType).toBe("contentBlockDelta");
    expect(error?.message).toBe("contentBlockDelta event: toolUse.input for block 1 must be a string");
  });

  it("signed reasoning: one reasoning-start, a reasoning event per delta, then the whole text and signature", () => {
    const { out } = turn([
      delta(0, { reasoningContent: { text: "Let" } }),
      delta(0, { reasoningContent: { text: " me" } }),
      delta(0, { reasoningContent: { signature: "c2ln" } }),
      stop(0),
    ]);
    expect(contentEvents(out)).toStrictEqual([
      { type: "reasoning-start", index: 0 },
      { type: "reasoning", index: 0, text: "Let" },
      { type: "reasoning", index: 0, text: " me" },
      { type: "reasoning", index: 0, signature: "c2ln" },
      { type: "reasoning-end", index: 0, text: "Let me", signature: "c2ln" },
      {
        type: "block-end",
        index: 0,
        block: { reasoningContent: { reasoningText: { text: "Let me", signature: "c2ln" } } },
      },
    ]);
  });

  it("reasoning without a signature has no signature field, in its events or in the message", () => {
    const { out } = turn([delta(0, { reasoningContent: { text: "Hmm" } }), stop(0)]);
    expect(contentEvents(out)).toStrictEqual([
      { type: "reasoning-start", index: 0 },
      { type: "reasoning", index: 0, text: "Hmm" },
      { type: "reasoning-end", index: 0, text: "Hmm" },
      { type: "block-end", index: 0, block: { reasoningContent: { reasoningText: { text: "Hmm" } } } },
    ]);
  });

  it("redacted reasoning: each piece as it comes, then one redactedContent blob in the message", () => {
    const { out } = turn([
      delta(0, { reasoningContent: { redactedContent: "QUJD" } }),
      delta(0, { reasoningContent: { redactedContent: "REVG" } }),
      stop(0),
    ]);
    expect(contentEvents(out)).toStrictEqual([
      { type: "reasoning-start", index: 0 },
      { type: "reasoning", index: 0, redacted: "QUJD" },
      { type: "reasoning", index: 0, redacted: "REVG" },
      { type: "reasoning-end", index: 0, text: "", redacted: ["QUJD", "REVG"] },
      { type: "block-end", index: 0, block: { reasoningContent: { redactedContent: "QUJDREVG" } } },
    ]);
  });

  it("a tool's type is kept in the message; a server tool's call is not offered to the caller", () => {
    const { out } = turn(
      [
        start(0, { toolUse: { toolUseId: "s1", name: "nova_code_interpreter", type: "server_tool_use" } }),
        delta(0, { toolUse: { input: '{"snippet":"1+1"}' } }),
        stop(0),
        start(1, { toolUse: { toolUseId: "t1", name: "weather" } }),
        delta(1, { toolUse: { input: "{}" } }),
        stop(1),
      ],
      { stopReason: "tool_use" },
    );
    const finish = finishOf(out);
    expect(finish.message.content).toStrictEqual([
      {
        toolUse: {
          toolUseId: "s1",
          name: "nova_code_interpreter",
          input: { snippet: "1+1" },
          type: "server_tool_use",
        },
      },
      { toolUse: { toolUseId: "t1", name: "weather", input: {} } },
    ]);
    expect(finish.toolCalls).toStrictEqual([
      { id: "t1", name: "weather", arguments: {}, argumentsText: "{}" },
    ]);
  });

  it("tool input of only whitespace is a call with no arguments, not an invalid one", () => {
    const { out } = turn([
      start(0, { toolUse: { toolUseId: "t1", name: "now" } }),
      delta(0, { toolUse: { input: " \n" } }),
      stop(0),
    ]);
    expect(finishOf(out).toolCalls).toStrictEqual([
      { id: "t1", name: "now", arguments: {}, argumentsText: " \n" },
    ]);
  });

  it("a citation with no text is a citationsContent block with empty content", () => {
    const citation = { location: { documentChar: { documentIndex: 0, start: 0, end: 4 } } };
    const { out } = turn([delta(0, { citation }), stop(0)]);
    expect(finishOf(out).message.content).toEqual([
      { citationsContent: { content: [], citations: [citation] } },
    ]);
  });

  it("a server tool's result: the toolResult lists of its deltas joined after its start's fields", () => {
    const { out } = turn([
      start(1, { toolResult: { status: "success", toolUseId: "s1", type: "nova_code_interpreter_result" } }),
      delta(1, { toolResult: [{ json: { stdOut: "2" } }] }),
      delta(1, { toolResult: [{ text: "done" }] }),
      delta(1, { toolResult: { json: "not a list" } }),
      stop(1),
    ]);
    expect(finishOf(out).message.content).toEqual([
      {
        toolResult: {
          status: "success",
          toolUseId: "s1",
          type: "nova_code_interpreter_result",
          content: [{ json: { stdOut: "2" } }, { text: "done" }],
        },
      },
    ]);
  });

  it("a block kind it does not know keeps its start's fields and its deltas as received", () => {
    const { out } = turn([
      start(0, { future: { id: "f1" } }),
      delta(0, { future: { part: 1 } }),
      delta(0, { future: { part: 2 } }),
      stop(0),
      start(1, { future: { id: "f2" } }),
      stop(1),
      delta(2, { future: { part: 3 } }),
      stop(2),
    ]);
    expect(finishOf(out).message.content).toStrictEqual([
      { future: { id: "f1", deltas: [{ future: { part: 1 } }, { future: { part: 2 } }] } },
      { future: { id: "f2" } },
      { deltas: [{ future: { part: 3 } }] },
    ]);
  });

  it("an answer may stream exactly MAX_ANSWER_CHARS characters; one more is a ResponseTooLargeError", () => {
    const acc = new MessageAccumulator();
    const out: ChatEvent[] = [];
    acc.push(delta(0, { text: "x".repeat(MAX_ANSWER_CHARS - 1) }), out);
    acc.push(delta(1, { reasoningContent: { text: "y" } }), out);
    const error = (() => {
      try {
        acc.push(delta(2, { text: "z" }), out);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect((error as Error).message).toBe("The answer passed 67108864 characters");
  });
});
