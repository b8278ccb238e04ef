import { ConverseCommand, type Message, type Tool } from "@aws-sdk/client-bedrock-runtime";
import { describe, expect, it } from "vitest";
import { MODEL, sdkClient, startEmulator } from "./helpers";

// The official AWS SDK, over real loopback HTTP, gets from /converse exactly what the emulator meant.

const { server } = await startEmulator({ apiKeys: ["emulator-api-key"], accessKeyIds: ["AKIDEXAMPLE"] });
const client = sdkClient(server.url);

const weatherTool: Tool = {
  toolSpec: {
    name: "get_weather",
    description: "Get the current weather for a city.",
    inputSchema: {
      json: {
        type: "object",
        properties: { city: { type: "string" }, unit: { type: "string", enum: ["celsius", "fahrenheit"] } },
        required: ["city"],
      },
    },
  },
};
const calculatorTool: Tool = {
  toolSpec: {
    name: "calculator",
    description: "Evaluate an arithmetic expression.",
    inputSchema: {
      json: { type: "object", properties: { expression: { type: "string" } }, required: ["expression"] },
    },
  },
};

const ask = (text: string): Message[] => [{ role: "user", content: [{ text }] }];

describe("ConverseCommand against the emulator", () => {
  it("answers text derived from the last user message, with usage that adds up", async () => {
    const out = await client.send(
      new ConverseCommand({ modelId: MODEL, messages: ask("Tell me a story about otters") }),
    );
    const text = out.output?.message?.content?.[0].text;
    expect(out.output?.message?.role).toBe("assistant");
    expect(text).toContain("Tell me a story about otters");
    expect(out.stopReason).toBe("end_turn");
    const usage = out.usage!;
    expect(usage.inputTokens).toBeGreaterThan(0);
    expect(usage.outputTokens).toBeGreaterThan(0);
    expect(usage.totalTokens).toBe(usage.inputTokens! + usage.outputTokens!);
    expect(out.metrics?.latencyMs).toBeGreaterThanOrEqual(0);
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("is deterministic: the same request gets the same content", async () => {
    const a = await client.send(
      new ConverseCommand({ modelId: MODEL, messages: ask("Same question twice") }),
    );
    const b = await client.send(
      new ConverseCommand({ modelId: MODEL, messages: ask("Same question twice") }),
    );
    expect(a.output).toEqual(b.output);
    expect(a.usage).toEqual(b.usage);
  });

  it("answers arithmetic", async () => {
    const out = await client.send(
      new ConverseCommand({ modelId: MODEL, messages: ask("What is (12 + 3) * 7?") }),
    );
    expect(out.output?.message?.content?.[0].text).toBe("(12 + 3) * 7 = 105.");
  });

  it("calls a matching tool with arguments from the prompt; the SDK parses the input", async () => {
    const out = await client.send(
      new ConverseCommand({
        modelId: MODEL,
        messages: ask("What's the weather in Paris in fahrenheit?"),
        toolConfig: { tools: [calculatorTool, weatherTool] },
      }),
    );
    expect(out.stopReason).toBe("tool_use");
    const content = out.output?.message?.content ?? [];
    expect(content[0].text).toContain("get_weather");
    const toolUse = content[1].toolUse!;
    expect(toolUse.name).toBe("get_weather");
    expect(toolUse.toolUseId).toMatch(/^tooluse_[A-Za-z0-9_-]{22}$/);
    expect(toolUse.input).toEqual({ city: "Paris", unit: "fahrenheit" });
  });

  it("extracts an arithmetic expression for a calculator tool", async () => {
    const out = await client.send(
      new ConverseCommand({
        modelId: MODEL,
        messages: ask("what is 12 * 7"),
        toolConfig: { tools: [weatherTool, calculatorTool] },
      }),
    );
    const toolUse = out.output?.message?.content?.find((b) => b.toolUse)?.toolUse;
    expect(toolUse?.name).toBe("calculator");
    expect(toolUse?.input).toEqual({ expression: "12 * 7" });
  });

  it("answers in text when no tool matches and toolChoice is auto", async () => {
    const out = await client.send(
      new ConverseCommand({
        modelId: MODEL,
        messages: ask("Hello there"),
        toolConfig: { tools: [weatherTool] },
      }),
    );
    expect(out.stopReason).toBe("end_turn");
    expect(out.output?.message?.content?.some((b) => b.toolUse)).toBe(false);
  });

  it("honours toolChoice any and tool: a call without a preface, input {} for a tool without parameters", async () => {
    const noParams: Tool = {
      toolSpec: { name: "get_user_country", inputSchema: { json: { type: "object", properties: {} } } },
    };
    const any = await client.send(
      new ConverseCommand({
        modelId: MODEL,
        messages: ask("Hello there"),
        toolConfig: { tools: [noParams], toolChoice: { any: {} } },
      }),
    );
    expect(any.stopReason).toBe("tool_use");
    expect(any.output?.message?.content).toHaveLength(1);
    expect(any.output?.message?.content?.[0].toolUse).toMatchObject({ name: "get_user_country", input: {} });

    const named = await client.send(
      new ConverseCommand({
        modelId: MODEL,
        messages: ask("What's the weather in Rome?"),
        toolConfig: { tools: [weatherTool, calculatorTool], toolChoice: { tool: { name: "calculator" } } },
      }),
    );
    expect(named.output?.message?.content?.[0].toolUse?.name).toBe("calculator");
    // Required string the prompt does not provide: a deterministic placeholder.
    expect(named.output?.message?.content?.[0].toolUse?.input).toEqual({ expression: "example expression" });
  });

  it("answers from a tool result in the last user turn", async () => {
    const first = await client.send(
      new ConverseCommand({
        modelId: MODEL,
        messages: ask("What's the weather in Paris?"),
        toolConfig: { tools: [weatherTool] },
      }),
    );
    const assistant = first.output!.message!;
    const toolUseId = assistant.content!.find((b) => b.toolUse)!.toolUse!.toolUseId!;
    const second = await client.send(
      new ConverseCommand({
        modelId: MODEL,
        toolConfig: { tools: [weatherTool] },
        messages: [
          ...ask("What's the weather in Paris?"),
          assistant,
          {
            role: "user",
            content: [{ toolResult: { toolUseId, content: [{ json: { sky: "sunny", celsius: 22 } }] } }],
          },
        ],
      }),
    );
    expect(second.stopReason).toBe("end_turn");
    expect(second.output?.message?.content?.[0].text).toBe(
      'The get_weather tool returned: {"sky":"sunny","celsius":22}',
    );
  });

  it("reasons first when thinking is enabled: reasoning text and signature at index 0, text at 1", async () => {
    const out = await client.send(
      new ConverseCommand({
        modelId: MODEL,
        messages: ask("Hello"),
        additionalModelRequestFields: { thinking: { type: "enabled", budget_tokens: 1024 } },
      }),
    );
    const [reasoning, text] = out.output?.message?.content ?? [];
    expect(reasoning.reasoningContent?.reasoningText?.text).toContain("Hello");
    expect(reasoning.reasoningContent?.reasoningText?.signature).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(text.text).toContain("Hello");
  });

  it("gives redacted reasoning for the redacted-thinking trigger (bytes via the SDK)", async () => {
    const out = await client.send(
      new ConverseCommand({
        modelId: MODEL,
        messages: ask("ANTHROPIC_MAGIC_STRING_TRIGGER_REDACTED_THINKING_46C9A13E"),
        additionalModelRequestFields: { reasoningConfig: { type: "enabled" } },
      }),
    );
    const redacted = out.output?.message?.content?.[0].reasoningContent?.redactedContent;
    expect(redacted).toBeInstanceOf(Uint8Array);
    expect(redacted!.length).toBe(96);
  });

  it("cites a document with citations enabled", async () => {
    const out = await client.send(
      new ConverseCommand({
        modelId: MODEL,
        messages: [
          {
            role: "user",
            content: [
              { text: "According to the document, what is the return window?" },
              {
                document: {
                  name: "Policy",
                  format: "txt",
                  source: {
                    text: "Shipping is free. The return window is thirty days from purchase. Enjoy!",
                  },
                  citations: { enabled: true },
                },
              },
            ],
          },
        ],
      }),
    );
    const cited = out.output?.message?.content?.[0].citationsContent;
    expect(cited?.content?.[0].text).toBe("The return window is thirty days from purchase.");
    expect(cited?.citations?.[0]).toEqual({
      title: "Policy",
      sourceContent: [{ text: "The return window is thirty days from purchase." }],
      location: { documentChar: { documentIndex: 0, start: 18, end: 65 } },
    });
  });

  it("answers JSON matching a structured-output schema", async () => {
    const schema = {
      type: "object",
      properties: {
        city: { type: "string" },
        population: { type: "integer", minimum: 1 },
        tags: { type: "array", items: { type: "string" } },
        capital: { type: "boolean" },
      },
      required: ["city", "population"],
      additionalProperties: false,
    };
    const out = await client.send(
      new ConverseCommand({
        modelId: MODEL,
        messages: ask("Describe the biggest city in France"),
        outputConfig: {
          textFormat: {
            type: "json_schema",
            structure: { jsonSchema: { schema: JSON.stringify(schema), name: "City" } },
          },
        },
      }),
    );
    const value = JSON.parse(out.output!.message!.content![0].text!);
    expect(value).toEqual({ city: "France", population: 1, tags: ["example tags"], capital: true });
  });

  it("truncates at inferenceConfig.maxTokens with stopReason max_tokens", async () => {
    const out = await client.send(
      new ConverseCommand({
        modelId: MODEL,
        messages: ask("Write 50 words"),
        inferenceConfig: { maxTokens: 5 },
      }),
    );
    expect(out.stopReason).toBe("max_tokens");
    expect(out.output?.message?.content?.[0].text).toBe("The quick brown fox jumps");
    expect(out.usage?.outputTokens).toBe(5);
  });

  it("stops before a stop sequence with stopReason stop_sequence", async () => {
    const out = await client.send(
      new ConverseCommand({
        modelId: MODEL,
        messages: ask("Write 20 words"),
        inferenceConfig: { stopSequences: ["lazy"] },
        additionalModelResponseFieldPaths: ["/stop_sequence"],
      }),
    );
    expect(out.stopReason).toBe("stop_sequence");
    expect(out.output?.message?.content?.[0].text).toBe("The quick brown fox jumps over a ");
    expect(out.additionalModelResponseFields).toEqual({ stop_sequence: "lazy" });
  });

  it("reports prompt-cache writes, then reads for the same prefix", async () => {
    const system = [
      { text: `Guidelines: ${"be precise and kind. ".repeat(40)}` },
      { cachePoint: { type: "default" as const } },
    ];
    const first = await client.send(
      new ConverseCommand({ modelId: MODEL, system, messages: ask("What is a service?") }),
    );
    const second = await client.send(
      new ConverseCommand({ modelId: MODEL, system, messages: ask("What is an app?") }),
    );
    const prefix = first.usage!.cacheWriteInputTokens!;
    expect(prefix).toBeGreaterThan(100);
    expect(first.usage).toMatchObject({
      cacheReadInputTokens: 0,
      cacheDetails: [{ ttl: "5m", inputTokens: prefix }],
    });
    expect(second.usage).toMatchObject({ cacheReadInputTokens: prefix, cacheWriteInputTokens: 0 });
    for (const u of [first.usage!, second.usage!]) {
      expect(u.totalTokens).toBe(
        u.inputTokens! + u.outputTokens! + u.cacheReadInputTokens! + u.cacheWriteInputTokens!,
      );
    }
  });

  it("lets a guardrail intervene on a blocked word, with a trace when enabled", async () => {
    const out = await client.send(
      new ConverseCommand({
        modelId: MODEL,
        messages: ask("Please say BLOCKME now"),
        guardrailConfig: { guardrailIdentifier: "gr-123", guardrailVersion: "1", trace: "enabled" },
      }),
    );
    expect(out.stopReason).toBe("guardrail_intervened");
    expect(out.output?.message?.content?.[0].text).toBe("Sorry, the model cannot answer this question.");
    const assessment = out.trace?.guardrail?.inputAssessment?.["gr-123"];
    expect(assessment?.wordPolicy?.customWords).toEqual([
      { match: "BLOCKME", action: "BLOCKED", detected: true },
    ]);

    const allowed = await client.send(
      new ConverseCommand({
        modelId: MODEL,
        messages: ask("What is the capital of France?"),
        guardrailConfig: { guardrailIdentifier: "gr-123", guardrailVersion: "1", trace: "enabled" },
      }),
    );
    expect(allowed.stopReason).toBe("end_turn");
    expect(allowed.trace?.guardrail?.actionReason).toBe("No action.");
  });

  it("accepts a Bedrock API key as a bearer token (SDK token auth)", async () => {
    const bearer = sdkClient(server.url, { token: "emulator-api-key" });
    const out = await bearer.send(new ConverseCommand({ modelId: MODEL, messages: ask("hi") }));
    expect(out.output?.message?.content?.[0].text).toContain("hi");
  });
});
