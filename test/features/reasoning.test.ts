import { describe, expect, it } from "vitest";
import type { ReasonUpdate } from "../../src/client/options";
import { RequestError } from "../../src/errors";
import { buildConverseBody } from "../../src/request/body";
import type { ChatEvent } from "../../src/types/events";
import { capture } from "../helpers/fixtures";
import { clientFor, emulator, pairs, replayConverse, replayStream } from "./helpers";

/** The reasoning deltas of a capture, per content block, as AWS sent them. */
function recordedReasoning(name: string) {
  const blocks = new Map<number, { text: string; signature: string; redacted: string[] }>();
  for (const frame of capture(name).frames) {
    const p = JSON.parse(frame.payload);
    const r = p.delta?.reasoningContent;
    if (!r) continue;
    const b = blocks.get(p.contentBlockIndex) ?? { text: "", signature: "", redacted: [] };
    b.text += r.text ?? "";
    b.signature += r.signature ?? "";
    if (r.redactedContent !== undefined) b.redacted.push(r.redactedContent);
    blocks.set(p.contentBlockIndex, b);
  }
  return [...blocks.values()];
}

describe("reasoning round-trips exactly as received (recorded Claude captures)", () => {
  it("streamed thinking: text and signature go back byte-identical in the next request", async () => {
    const cap = capture("test_bedrock_model_thinking_part_stream");
    const [want] = recordedReasoning(cap.name);
    expect(want.signature.length).toBeGreaterThan(100);
    const server = await replayStream(cap.bytes, capture("test_bedrock_model_stream").bytes);
    const client = clientFor(server.url);
    const updates: ReasonUpdate[] = [];
    const history = [{ role: "user" as const, content: "Hello" }];
    const result = await client.request(history, {
      reasoning: { budgetTokens: 1024 },
      onReason: (u) => updates.push(u),
    });

    expect(JSON.parse(server.received[0].body).additionalModelRequestFields).toEqual({
      thinking: { type: "enabled", budget_tokens: 1024 },
    });
    expect(result.reasoning).toEqual({ text: want.text, signature: want.signature });
    expect(updates[0]).toEqual({ status: "started", text: "" });
    expect(updates.at(-1)).toEqual({ status: "finished", text: want.text, signature: want.signature });
    expect(
      updates
        .filter((u) => u.status === "thinking")
        .map((u) => u.text)
        .join(""),
    ).toBe(want.text);

    // The next turn: the assistant message as received, then a new user message, over the wire.
    await client.request([...history, result.message, { role: "user", content: "And again?" }], {
      reasoning: { budgetTokens: 1024 },
    });
    const sent = JSON.parse(server.received[1].body);
    expect(sent.messages[1]).toEqual({
      role: "assistant",
      content: [
        { reasoningContent: { reasoningText: { text: want.text, signature: want.signature } } },
        { text: result.outputText },
      ],
    });
    // Byte-identical: the exact JSON string of the signature appears in the body sent.
    expect(server.received[1].body).toContain(JSON.stringify(want.signature));
  });

  it("redacted thinking: each redactedContent block goes back on its own, unchanged", async () => {
    const cap = capture("test_bedrock_model_thinking_part_redacted_stream");
    const want = recordedReasoning(cap.name);
    expect(want).toHaveLength(2);
    const server = await replayStream(cap.bytes);
    const client = clientFor(server.url);
    const history = [{ role: "user" as const, content: "ANTHROPIC_MAGIC_STRING_TRIGGER_REDACTED_THINKING" }];
    const result = await client.request(history, { reasoning: { budgetTokens: 1024 } });
    expect(result.reasoning?.redacted).toEqual(want.map((b) => b.redacted.join("")));

    const body = buildConverseBody(
      [...history, result.message, { role: "user", content: "What was that?" }],
      {
        reasoning: { budgetTokens: 1024 },
      },
    );
    const assistant = body.messages[1] as { content: Record<string, any>[] };
    expect(assistant.content.slice(0, 2)).toEqual(
      want.map((b) => ({ reasoningContent: { redactedContent: b.redacted.join("") } })),
    );
    expect(assistant.content[2]).toEqual({ text: result.outputText });
  });

  it("/converse with a tool call: the second request equals what the recorded client sent to AWS", async () => {
    const recorded = pairs("test_bedrock_anthropic_tool_with_thinking.json");
    const server = await replayConverse(recorded);
    const client = clientFor(server.url);
    const question = [{ role: "user" as const, content: "What is the largest city in the user country?" }];
    const tools = [
      {
        name: "get_user_country",
        inputSchema: { additionalProperties: false, properties: {}, type: "object" },
      },
    ];
    const first = await client.request(question, { stream: false, tools, reasoning: { budgetTokens: 1024 } });
    expect(first.stopReason).toBe("tool_use");
    // A tool with no parameters, called with `{}`: a valid call, not an invalid one.
    expect(first.toolsToCall).toEqual([
      { id: "tooluse_W9DaUFg4Tj2cRPpndqxWSg", name: "get_user_country", arguments: {}, argumentsText: "{}" },
    ]);
    const call = first.toolsToCall[0];
    const second = await client.request(
      [
        ...question,
        first.message,
        { role: "tool", tool_call_id: call.id, content: "Mexico", status: "success" },
      ],
      { stream: false, tools, reasoning: { budgetTokens: 1024 } },
    );
    const want = JSON.parse(recorded[1].request.body);
    const sent = JSON.parse(server.received[1].body);
    expect(sent.messages).toEqual(want.messages);
    expect(sent.additionalModelRequestFields).toEqual(want.additionalModelRequestFields);
    expect(second.outputText).toContain("Mexico City");
  });

  it("/converse redacted thinking: the follow-up request equals the recorded one", async () => {
    const recorded = pairs("test_bedrock_model_thinking_part_redacted.json");
    const server = await replayConverse(recorded);
    const client = clientFor(server.url);
    const first = JSON.parse(recorded[0].request.body).messages;
    const result = await client.request(first, { stream: false, reasoning: { budgetTokens: 1024 } });
    await client.request([...first, result.message, { role: "user", content: "What was that?" }], {
      stream: false,
      reasoning: { budgetTokens: 1024 },
    });
    expect(JSON.parse(server.received[1].body).messages).toEqual(
      JSON.parse(recorded[1].request.body).messages,
    );
  });
});

describe("reasoning option per model family", () => {
  const fields = (reasoning: unknown) =>
    buildConverseBody([{ role: "user", content: "hi" }], { reasoning } as any).additionalModelRequestFields;

  it("maps Claude budgets and adaptive, Nova 2 and gpt-oss efforts to each family's own field", () => {
    expect(fields({ budgetTokens: 2048 })).toEqual({ thinking: { type: "enabled", budget_tokens: 2048 } });
    expect(fields("adaptive")).toEqual({ thinking: { type: "adaptive" } });
    expect(fields({ effort: "medium", format: "nova" })).toEqual({
      reasoningConfig: { type: "enabled", maxReasoningEffort: "medium" },
    });
    expect(fields({ effort: "high", format: "openai" })).toEqual({ reasoning_effort: "high" });
    // room for the answer on top of the thinking budget
    expect(
      buildConverseBody([{ role: "user", content: "hi" }], { reasoning: { budgetTokens: 4000 } })
        .inferenceConfig,
    ).toEqual({
      maxTokens: 5024,
    });
  });

  it("says what is wrong with a reasoning option, and where", () => {
    const cases: [unknown, string][] = [
      [{ effort: "extreme" }, "options.reasoning.effort"],
      [{ effort: "extreme", format: "nova" }, "options.reasoning.effort"],
      [{ budgetTokens: 1000, format: "openai" }, "options.reasoning.effort"],
      [{ budgetTokens: 1000, effort: "low", format: "nova" }, "options.reasoning.budgetTokens"],
      [{ budgetTokens: -5 }, "options.reasoning"],
      [{ format: "llama", effort: "low" }, "options.reasoning.format"],
      [{ budget: 100 }, "options.reasoning.budget"],
    ];
    for (const [reasoning, path] of cases) {
      const error = (() => {
        try {
          fields(reasoning);
        } catch (e) {
          return e as RequestError;
        }
      })();
      expect(error, JSON.stringify(reasoning)).toBeInstanceOf(RequestError);
      expect(error!.path).toBe(path);
    }
  });
});

describe("reasoning against the emulator", async () => {
  const emu = await emulator();

  it("streams reasoning events (Nova 2 effort) and sends the reasoning back on the next turn", async () => {
    const client = emu.client("us.amazon.nova-2-lite-v1:0");
    const events: ChatEvent[] = [];
    for await (const e of client.stream([{ role: "user", content: "Why is the sky blue?" }], {
      reasoning: { effort: "low", format: "nova" },
    })) {
      events.push(e);
    }
    expect(emu.seen.at(-1)!.body!.additionalModelRequestFields).toEqual({
      reasoningConfig: { type: "enabled", maxReasoningEffort: "low" },
    });
    const types = events.map((e) => e.type);
    expect(types.indexOf("reasoning-start")).toBeLessThan(types.indexOf("reasoning-end"));
    expect(types.indexOf("reasoning-end")).toBeLessThan(types.indexOf("text"));
    const end = events.find((e) => e.type === "reasoning-end") as Extract<
      ChatEvent,
      { type: "reasoning-end" }
    >;
    const finish = events.at(-1) as Extract<ChatEvent, { type: "finish" }>;
    expect(finish.message.content[0]).toEqual({
      reasoningContent: { reasoningText: { text: end.text, signature: end.signature } },
    });

    const next = await client.request(
      [
        { role: "user", content: "Why is the sky blue?" },
        finish.message,
        { role: "user", content: "Thanks" },
      ],
      { reasoning: { effort: "low", format: "nova" } },
    );
    expect(emu.seen.at(-1)!.status).toBe(200);
    expect(emu.seen.at(-1)!.body!.messages[1].content[0]).toEqual(finish.message.content[0]);
    expect(next.reasoning?.signature).toBeTruthy();
  });
});
