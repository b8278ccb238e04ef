// MessageAccumulator on its own: Converse events in, chat events out, the assistant message built as received.
import { describe, expect, it } from "vitest";
import { BedrockError } from "../../src/errors";
import { MessageAccumulator, ToolCallAccumulator } from "../../src/stream/accumulate";
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
