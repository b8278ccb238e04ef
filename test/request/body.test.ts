import { describe, expect, it } from "vitest";
import { RequestError } from "../../src/errors";
import { buildConverseBody } from "../../src/request/body";
import { normalizeMessages } from "../../src/request/messages";

describe("messages", () => {
  it("simple form: system to `system`, user/assistant to content blocks", () => {
    const n = normalizeMessages([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hi" },
      { role: "assistant", content: "Hello" },
      { role: "user", content: "Weather?" },
    ]);
    expect(n.system).toEqual([{ text: "Be brief." }]);
    expect(n.messages).toEqual([
      { role: "user", content: [{ text: "Hi" }] },
      { role: "assistant", content: [{ text: "Hello" }] },
      { role: "user", content: [{ text: "Weather?" }] },
    ]);
  });

  it("merges consecutive same-role turns", () => {
    const n = normalizeMessages([
      { role: "user", content: "a" },
      { role: "user", content: [{ text: "b" }] },
    ]);
    expect(n.messages).toEqual([{ role: "user", content: [{ text: "a" }, { text: "b" }] }]);
  });

  it("OpenAI-style tool calls and tool results become toolUse / toolResult in the right turns", () => {
    const n = normalizeMessages([
      { role: "user", content: "Weather in Paris and Rome?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "c1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
          { id: "c2", type: "function", function: { name: "get_weather", arguments: '{"city":"Rome"}' } },
        ],
      },
      { role: "tool", tool_call_id: "c1", content: "18C" },
      { role: "tool", tool_call_id: "c2", content: { temp: 22 } },
      { role: "user", content: "Thanks" },
    ]);
    expect(n.messages).toEqual([
      { role: "user", content: [{ text: "Weather in Paris and Rome?" }] },
      {
        role: "assistant",
        content: [
          { toolUse: { toolUseId: "c1", name: "get_weather", input: { city: "Paris" } } },
          { toolUse: { toolUseId: "c2", name: "get_weather", input: { city: "Rome" } } },
        ],
      },
      {
        role: "user",
        content: [
          { toolResult: { toolUseId: "c1", content: [{ text: "18C" }] } },
          { toolResult: { toolUseId: "c2", content: [{ json: { temp: 22 } }] } },
          { text: "Thanks" },
        ],
      },
    ]);
  });

  it("keeps Bedrock-native blocks, reasoning included, exactly", () => {
    const reasoning = { reasoningContent: { reasoningText: { text: "think", signature: "sig==" } } };
    const n = normalizeMessages([
      { role: "user", content: "q" },
      { role: "assistant", content: [reasoning, { toolUse: { toolUseId: "t", name: "f", input: {} } }] },
      {
        role: "user",
        content: [{ toolResult: { toolUseId: "t", content: [{ text: "r" }], status: "success" } }],
      },
    ]);
    expect(n.messages[1].content[0]).toBe(reasoning);
  });

  it("typed errors say where the input is wrong", () => {
    expect(() => normalizeMessages([{ role: "bot", content: "x" } as any])).toThrow(
      "messages[0].role: unknown role",
    );
    expect(() => normalizeMessages([{ role: "tool", content: "x" } as any])).toThrow(
      "messages[0].tool_call_id",
    );
    expect(() =>
      normalizeMessages([
        { role: "assistant", tool_calls: [{ id: "a", function: { name: "f", arguments: "{bad" } }] },
      ]),
    ).toThrow("messages[0].tool_calls[0].function.arguments: arguments are not valid JSON");
  });
});

describe("buildConverseBody", () => {
  const user = [{ role: "user" as const, content: "hi" }];

  it("defaults maxTokens to 1024 and never puts stream in the body", () => {
    const body = buildConverseBody(user, { stream: true });
    expect(body).toEqual({
      messages: [{ role: "user", content: [{ text: "hi" }] }],
      inferenceConfig: { maxTokens: 1024 },
    });
  });

  it("maps temperature, top_p/topP, max_tokens/maxTokens and stopSequences to inferenceConfig", () => {
    const body = buildConverseBody(user, {
      temperature: 0.2,
      top_p: 0.9,
      max_tokens: 50,
      stopSequences: ["END"],
    });
    expect(body.inferenceConfig).toEqual({
      temperature: 0.2,
      topP: 0.9,
      maxTokens: 50,
      stopSequences: ["END"],
    });
  });

  it("sends top_k only when given, in additionalModelRequestFields", () => {
    expect(buildConverseBody(user, {}).additionalModelRequestFields).toBeUndefined();
    expect(buildConverseBody(user, { topK: 40 }).additionalModelRequestFields).toEqual({ top_k: 40 });
  });

  it("extraPayload gives defaults, options override, native keys deep-merge", () => {
    const body = buildConverseBody(
      user,
      { temperature: 0.1, additionalModelRequestFields: { b: 2 }, requestMetadata: { team: "x" } },
      {
        temperature: 0.7,
        top_k: 200,
        stream: false,
        additionalModelRequestFields: { a: 1 },
        guardrailConfig: { guardrailIdentifier: "g", guardrailVersion: "1" },
      },
    );
    expect(body.inferenceConfig).toEqual({ maxTokens: 1024, temperature: 0.1 });
    expect(body.additionalModelRequestFields).toEqual({ top_k: 200, a: 1, b: 2 });
    expect(body.guardrailConfig).toEqual({ guardrailIdentifier: "g", guardrailVersion: "1" });
    expect(body.requestMetadata).toEqual({ team: "x" });
    expect(body.stream).toBeUndefined();
  });

  it("tools in both forms become toolSpec; toolChoice maps to Bedrock's", () => {
    const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
    const body = buildConverseBody(user, {
      tools: [
        { name: "get_weather", description: "Weather for a city", inputSchema: schema },
        { type: "function", function: { name: "get_time", parameters: schema } },
        { name: "no_args" },
      ],
      toolChoice: { tool: "get_weather" },
    });
    expect(body.toolConfig).toEqual({
      tools: [
        {
          toolSpec: { name: "get_weather", description: "Weather for a city", inputSchema: { json: schema } },
        },
        { toolSpec: { name: "get_time", inputSchema: { json: schema } } },
        { toolSpec: { name: "no_args", inputSchema: { json: { type: "object", properties: {} } } } },
      ],
      toolChoice: { tool: { name: "get_weather" } },
    });
    expect(
      buildConverseBody(user, { tools: [{ name: "a" }], toolChoice: "any" }).toolConfig?.toolChoice,
    ).toEqual({ any: {} });
    expect(
      buildConverseBody(user, { tools: [{ name: "a" }], toolChoice: "auto" }).toolConfig?.toolChoice,
    ).toEqual({ auto: {} });
  });

  it("an unknown key is an error that lists the allowed keys, wherever it comes from", () => {
    expect(() => buildConverseBody(user, { temprature: 1 } as any)).toThrow(
      /options\.temprature: unknown option \(allowed: .*temperature/,
    );
    expect(() => buildConverseBody(user, {}, { foo: 1 })).toThrow(/extraPayload\.foo: unknown option/);
    expect(() => buildConverseBody(user, { temperature: "hot" } as any)).toThrow(RequestError);
  });

  it("reasoning budget goes to thinking and leaves room for the answer", () => {
    const body = buildConverseBody(user, { reasoning: { budgetTokens: 2048 } });
    expect(body.additionalModelRequestFields).toEqual({ thinking: { type: "enabled", budget_tokens: 2048 } });
    expect(body.inferenceConfig.maxTokens).toBe(3072);
  });
});
