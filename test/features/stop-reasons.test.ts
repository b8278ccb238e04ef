import { describe, expect, it } from "vitest";
import type { ModelReply } from "../../src/emulator";
import type { ToolCall } from "../../src/types/events";
import { emulator } from "./helpers";

const STOP_REASONS = [
  "end_turn",
  "tool_use",
  "max_tokens",
  "stop_sequence",
  "guardrail_intervened",
  "content_filtered",
  "malformed_model_output",
  "malformed_tool_use",
  "model_context_window_exceeded",
] as const;

// The emulator's custom model answers what the prompt names: "stop:<reason>" or "tool-and-end".
const emu = await emulator({
  model: (request): ModelReply => {
    const prompt = (request.messages.at(-1)!.content[0] as { text: string }).text;
    if (prompt === "tool-and-end") {
      return {
        content: [
          { text: "Looking it up." },
          { toolUse: { toolUseId: "tooluse_a", name: "lookup", input: { q: "x" } } },
          { toolUse: { toolUseId: "tooluse_b", name: "ping", input: {} } },
        ],
        stopReason: "end_turn",
      };
    }
    return {
      content: [{ text: `stopped: ${prompt}` }],
      stopReason: prompt.slice(5) as ModelReply["stopReason"],
    };
  },
});
const tools = [
  { name: "lookup", inputSchema: { type: "object", properties: { q: { type: "string" } } } },
  { name: "ping" },
];

describe("stop reasons are surfaced as the service sends them", () => {
  for (const stream of [true, false]) {
    it(`every stop reason of the service model (${stream ? "stream" : "/converse"})`, async () => {
      for (const reason of STOP_REASONS) {
        const result = await emu.client().request([{ role: "user", content: `stop:${reason}` }], { stream });
        expect(result.stopReason).toBe(reason);
        expect(result.outputText).toBe(`stopped: stop:${reason}`);
      }
      // A reason this SDK has never heard of is passed on, not rejected.
      const future = await emu
        .client()
        .request([{ role: "user", content: "stop:some_future_reason" }], { stream });
      expect(future.stopReason).toBe("some_future_reason");
    });

    it(`tool calls with stopReason end_turn are still reported (${stream ? "stream" : "/converse"})`, async () => {
      const called: ToolCall[][] = [];
      const result = await emu.client().request([{ role: "user", content: "tool-and-end" }], {
        stream,
        tools,
        onToolsCalled: (calls) => called.push(calls),
      });
      expect(result.stopReason).toBe("end_turn");
      const expected = [
        { id: "tooluse_a", name: "lookup", arguments: { q: "x" } },
        { id: "tooluse_b", name: "ping", arguments: {} },
      ];
      expect(
        result.toolsToCall.map(({ id, name, arguments: a, invalid }) => ({
          id,
          name,
          arguments: a,
          invalid,
        })),
      ).toEqual(expected.map((c) => ({ ...c, invalid: undefined })));
      expect(called).toEqual([result.toolsToCall]);
      expect(result.outputText).toBe("Looking it up.");
    });
  }
});
