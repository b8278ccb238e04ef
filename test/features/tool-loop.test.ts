import { describe, expect, it } from "vitest";
import type { ModelReply } from "../../src/emulator";
import { RequestError } from "../../src/errors";
import { runTools, streamTools } from "../../src/tools/loop";
import type { StepResult, ToolLoopEvent } from "../../src/tools/types";
import type { ToolCall } from "../../src/types/events";
import { clientFor, emulator, pairs, replayConverse } from "./helpers";

const weatherTool = {
  description: "Get the current weather for a city",
  inputSchema: {
    type: "object",
    properties: { city: { type: "string", description: "The city name" } },
    required: ["city"],
  },
};
const ask = [{ role: "user" as const, content: "What is the weather in Paris?" }];

describe("runTools against the emulator's built-in model", async () => {
  const emu = await emulator();

  it("calls get_weather, sends the result back, answers from it; usage summed over the steps", async () => {
    const inputs: unknown[] = [];
    const events: [string, number][] = [];
    const finished: StepResult[] = [];
    const result = await runTools(emu.client(), ask, {
      tools: {
        get_weather: {
          ...weatherTool,
          execute: async (input: { city: string }, ctx) => {
            inputs.push({ input, step: ctx.step, id: ctx.id });
            return { city: input.city, forecast: "sunny", celsius: 22 };
          },
        },
      },
      onStepEvent: (e, step) => events.push([e.type, step]),
      onStepFinish: (s) => finished.push(s),
    });
    expect(inputs).toEqual([
      { input: { city: "Paris" }, step: 1, id: result.steps[0].result.toolsToCall[0].id },
    ]);
    expect(result.steps).toHaveLength(2);
    expect(finished).toEqual(result.steps);
    expect(result.steps[0].result.stopReason).toBe("tool_use");
    expect(result.steps[0].toolResults.map(({ name, status, output }) => ({ name, status, output }))).toEqual(
      [{ name: "get_weather", status: "success", output: { city: "Paris", forecast: "sunny", celsius: 22 } }],
    );
    expect(result.stopReason).toBe("end_turn");
    expect(result.outputText).toContain('"forecast":"sunny"');
    expect(result.toolsToCall).toEqual([]);
    // Every event reached onStepEvent with its step; each step ends with its own finish.
    expect(events.filter(([t]) => t === "finish")).toEqual([
      ["finish", 1],
      ["finish", 2],
    ]);
    expect(events.some(([t, s]) => t === "tool-call" && s === 1)).toBe(true);
    const [u1, u2] = result.steps.map((s) => s.result.usage!);
    expect(result.usage).toEqual({
      inputTokens: u1.inputTokens + u2.inputTokens,
      outputTokens: u1.outputTokens + u2.outputTokens,
      totalTokens: u1.totalTokens + u2.totalTokens,
    });
    // The history is ready to continue: user, assistant (toolUse), user (toolResult), assistant (answer).
    expect(result.messages.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
    const toolResult = (result.messages[2].content as any[])[0].toolResult;
    expect(toolResult).toEqual({
      toolUseId: result.steps[0].result.toolsToCall[0].id,
      content: [{ json: { city: "Paris", forecast: "sunny", celsius: 22 } }],
      status: "success",
    });
    expect(emu.seen.at(-1)!.body!.messages).toHaveLength(3);
  });

  it("a thrown error goes back as status error with its message, and the model answers from it", async () => {
    const result = await runTools(emu.client(), ask, {
      tools: {
        get_weather: {
          ...weatherTool,
          execute: () => {
            throw new Error("weather service unreachable");
          },
        },
      },
    });
    const record = result.steps[0].toolResults[0];
    expect(record.status).toBe("error");
    expect(record.block.toolResult.content).toEqual([{ text: "weather service unreachable" }]);
    expect(result.outputText).toContain("reported an error: weather service unreachable");
  });

  it("a tool without execute stops the loop with the calls to run; the caller continues the loop", async () => {
    const first = await runTools(emu.client(), ask, { tools: { get_weather: weatherTool } });
    expect(first.steps).toHaveLength(1);
    expect(first.stopReason).toBe("tool_use");
    expect(first.toolsToCall.map((c) => [c.name, c.arguments])).toEqual([["get_weather", { city: "Paris" }]]);
    const call = first.toolsToCall[0];
    const second = await runTools(
      emu.client(),
      [...first.messages, { role: "tool", tool_call_id: call.id, content: "Rain, 11C" }],
      { tools: { get_weather: weatherTool } },
    );
    expect(second.outputText).toContain("Rain, 11C");
    expect(second.toolsToCall).toEqual([]);
  });

  it("onToolsCalled runs calls itself: its outputs go back, execute is not called", async () => {
    const seen: [ToolCall[], number][] = [];
    const result = await runTools(emu.client(), ask, {
      tools: {
        get_weather: {
          ...weatherTool,
          execute: () => {
            throw new Error("must not run");
          },
        },
      },
      onToolsCalled: (calls, step) => {
        seen.push([calls, step]);
        return calls.map((c) => ({ id: c.id, output: "Fog, 9C" }));
      },
    });
    expect(seen).toHaveLength(1);
    expect(seen[0][1]).toBe(1);
    expect(result.steps[0].toolResults[0]).toMatchObject({ status: "success", output: "Fog, 9C" });
    expect(result.outputText).toContain("Fog, 9C");
  });

  it("streamTools streams every step's events with their step, the tool results, and the end", async () => {
    const events: ToolLoopEvent[] = [];
    for await (const e of streamTools(emu.client(), ask, {
      tools: { get_weather: { ...weatherTool, execute: ({ city }) => `Clear skies over ${city}` } },
    })) {
      events.push(e);
    }
    const kinds = events.map((e) => `${e.type}@${"step" in e ? e.step : "-"}`);
    expect(kinds[0]).toBe("message-start@1");
    expect(kinds).toContain("tool-call-delta@1");
    expect(kinds.indexOf("tool-result@1")).toBeGreaterThan(kinds.indexOf("finish@1"));
    expect(kinds.indexOf("step-finish@1")).toBeLessThan(kinds.indexOf("message-start@2"));
    expect(kinds.slice(-3)).toEqual(["finish@2", "step-finish@2", "loop-finish@-"]);
    const text = events.filter((e) => e.type === "text" && e.step === 2).map((e) => (e as any).text);
    expect(text.join("")).toContain("Clear skies over Paris");
    const end = events.at(-1) as Extract<ToolLoopEvent, { type: "loop-finish" }>;
    expect(end.result.outputText).toBe(text.join(""));
  });

  it("breaking out of streamTools stops the loop: no tool runs, no further request", async () => {
    const before = emu.seen.length;
    let ran = false;
    for await (const e of streamTools(emu.client(), ask, {
      tools: {
        get_weather: {
          ...weatherTool,
          execute: () => {
            ran = true;
          },
        },
      },
    })) {
      if (e.type === "tool-call-start") break;
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(ran).toBe(false);
    expect(emu.seen.length - before).toBe(1);
  });

  it("bad loop options are typed errors", async () => {
    await expect(runTools(emu.client(), ask, { tools: [] as any })).rejects.toThrow(RequestError);
    await expect(runTools(emu.client(), ask, { tools: {}, maxSteps: 0 })).rejects.toThrow(/maxSteps/);
    await expect(runTools(emu.client(), ask, { tools: { t: { execute: "no" as any } } })).rejects.toThrow(
      /tools\.t\.execute/,
    );
  });
});

describe("runTools with a model that calls several tools at once", async () => {
  // Two calls per turn until results arrive, then a summary of the results; forever calls with "loop"; a call
  // whose input does not match the tool's schema with "bad".
  const emu = await emulator({
    model: (request): ModelReply => {
      const last = request.messages.at(-1)!;
      const results = last.content.flatMap((b) => (b.toolResult ? [b.toolResult] : []));
      const prompt = (request.messages[0].content[0] as { text: string }).text;
      if (results.length && prompt !== "loop") {
        return {
          content: [
            { text: results.map((r) => `${r.status ?? "success"}:${JSON.stringify(r.content)}`).join(" | ") },
          ],
        };
      }
      const n = request.messages.length;
      if (prompt === "bad")
        return { content: [{ toolUse: { toolUseId: "tooluse_bad", name: "slow", input: { ms: "soon" } } }] };
      return {
        content: [
          { toolUse: { toolUseId: `tooluse_a${n}`, name: "slow", input: { ms: 40 } } },
          { toolUse: { toolUseId: `tooluse_b${n}`, name: "fast", input: {} } },
        ],
      };
    },
  });

  it("runs a step's calls in parallel and answers each in call order", async () => {
    const log: string[] = [];
    let release!: () => void;
    const fastStarted = new Promise<void>((r) => (release = r));
    const result = await runTools(emu.client(), [{ role: "user", content: "go" }], {
      tools: {
        slow: {
          inputSchema: { type: "object", properties: { ms: { type: "integer" } } },
          execute: async ({ ms }) => {
            log.push("slow start");
            await fastStarted; // would deadlock if the calls ran one after the other
            await new Promise((r) => setTimeout(r, ms));
            log.push("slow end");
            return "slow done";
          },
        },
        fast: {
          execute: async () => {
            log.push("fast start");
            release();
            throw new TypeError("fast broke");
          },
        },
      },
    });
    expect(log).toEqual(["slow start", "fast start", "slow end"]);
    expect(result.steps[0].toolResults.map((r) => [r.name, r.status])).toEqual([
      ["slow", "success"],
      ["fast", "error"],
    ]);
    expect(result.outputText).toBe('success:[{"text":"slow done"}] | error:[{"text":"fast broke"}]');
  });

  it("input that does not match the tool's schema is refused without running the tool", async () => {
    let ran = false;
    const result = await runTools(emu.client(), [{ role: "user", content: "bad" }], {
      tools: {
        slow: {
          inputSchema: { type: "object", properties: { ms: { type: "integer" } }, required: ["ms"] },
          execute: () => {
            ran = true;
          },
        },
      },
    });
    expect(ran).toBe(false);
    expect(result.steps[0].toolResults[0].status).toBe("error");
    expect(result.outputText).toBe(
      'error:[{"text":"Invalid input for slow: $.ms: expected integer, got string."}]',
    );
  });

  it("stops at maxSteps with the last calls left to run", async () => {
    const before = emu.seen.length;
    let runs = 0;
    const tools = { slow: { execute: () => runs++ }, fast: { execute: () => runs++ } };
    const result = await runTools(emu.client(), [{ role: "user", content: "loop" }], { tools, maxSteps: 3 });
    expect(emu.seen.length - before).toBe(3);
    expect(result.steps).toHaveLength(3);
    expect(runs).toBe(4); // two steps ran their two calls; the last step's calls are returned, not run
    expect(result.stopReason).toBe("tool_use");
    expect(result.toolsToCall.map((c) => c.name)).toEqual(["slow", "fast"]);
    expect(result.messages.at(-1)!.role).toBe("assistant");
  });
});

describe("runTools on recorded Claude traffic", () => {
  it("the second request is the one the recorded client sent to AWS; the answer is the recorded one", async () => {
    const recorded = pairs("TestToolChoiceAuto.test_auto_with_function_tools_uses_tool.json");
    const server = await replayConverse(recorded);
    const client = clientFor(server.url, "us.anthropic.claude-sonnet-4-5-20250929-v1:0");
    const result = await runTools(client, [{ role: "user", content: "What's the weather in Paris?" }], {
      stream: false,
      toolChoice: "auto",
      tools: {
        get_weather: {
          description: "Get the current weather for a city.",
          inputSchema: {
            additionalProperties: false,
            properties: { city: { type: "string" } },
            required: ["city"],
            type: "object",
          },
          execute: ({ city }) => `Sunny, 22C in ${city}`,
        },
      },
    });
    const want = JSON.parse(recorded[1].request.body);
    const sent = JSON.parse(server.received[1].body);
    // The assistant turn goes back exactly as AWS sent it (with `type: "tool_use"`, which botocore dropped).
    expect(sent.messages[1].content[0].toolUse).toEqual({
      ...want.messages[1].content[0].toolUse,
      type: "tool_use",
    });
    sent.messages[1].content[0].toolUse.type = undefined;
    expect(JSON.parse(JSON.stringify(sent.messages))).toEqual(want.messages);
    expect(sent.toolConfig).toEqual(want.toolConfig);
    const usages = recorded.map((p) => (p.response.body as any).usage);
    expect(result.outputText).toBe((recorded[1].response.body as any).output.message.content[0].text);
    expect(result.usage).toEqual({
      inputTokens: usages[0].inputTokens + usages[1].inputTokens,
      outputTokens: usages[0].outputTokens + usages[1].outputTokens,
      totalTokens: usages[0].totalTokens + usages[1].totalTokens,
      cacheReadInputTokens: 0,
      cacheWriteInputTokens: 0,
    });
  });
});
