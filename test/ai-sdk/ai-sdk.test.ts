// bedrock-edge/ai-sdk under the real AI SDK 7 (generateText, streamText, Output.object, tools, abort, errors),
// against the emulator over node:http on loopback and against recorded Bedrock captures replayed by it.
import { readFileSync } from "node:fs";
import {
  APICallError,
  generateText,
  InvalidArgumentError,
  InvalidPromptError,
  InvalidResponseDataError,
  jsonSchema,
  LoadAPIKeyError,
  type ModelMessage,
  Output,
  stepCountIs,
  streamText,
  tool,
  UnsupportedFunctionalityError,
} from "ai";
import { afterAll, describe, expect, it } from "vitest";
import { createBedrockEdge } from "../../src/ai-sdk/index.ts";
import { createEmulator, type RequestInfo } from "../../src/emulator/index.ts";
import { serve } from "../../src/node/index.ts";

const CLAUDE = "us.anthropic.claude-3-7-sonnet-20250219-v1:0";
const recorded = (name: string) => {
  try {
    return new Uint8Array(
      readFileSync(new URL(`../fixtures/recorded/converse-stream/${name}.eventstream.bin`, import.meta.url)),
    );
  } catch {
    return undefined;
  }
};

const seen: RequestInfo[] = [];
const server = await serve(
  createEmulator({ recordings: recorded, onRequest: (info) => seen.push(info), chunkSize: 61 }),
);
afterAll(() => server.close());

const provider = (extra: Record<string, unknown> = {}) =>
  createBedrockEdge(
    {
      key: "ai-sdk-test-key-0123456789",
      url: `${server.url}/model/`,
      region: "us-east-1",
      modelIdPrefix: "none",
      logLevel: "silent",
      ...extra,
    },
    { env: {} },
  );
const model = (id = CLAUDE) => provider()(id);
const lastBody = () => seen[seen.length - 1].body as Record<string, any>;
const fault = (spec: string) => ({ "x-bedrock-edge-fault": spec });

const weather = tool({
  description: "Get the current weather for a city",
  inputSchema: jsonSchema<{ city: string }>({
    type: "object",
    properties: { city: { type: "string" } },
    required: ["city"],
  }),
  execute: async ({ city }) => ({ city, forecast: "sunny", celsius: 22 }),
});

describe("generateText", () => {
  it("answers over /converse with text, usage, finish reason, request body and response headers", async () => {
    const r = await generateText({
      model: model(),
      system: "Be brief.",
      prompt: "Say hello",
      maxOutputTokens: 300,
      temperature: 0.2,
      topP: 0.9,
      topK: 40,
      stopSequences: ["STOP"],
      seed: 7,
    });
    expect(seen[seen.length - 1].path).toMatch(/\/converse$/);
    expect(r.text).toContain('You said: "Say hello"');
    expect(r.finishReason).toBe("stop");
    expect(r.rawFinishReason).toBe("end_turn");
    expect(r.usage.inputTokens).toBeGreaterThan(0);
    expect(r.usage.outputTokens).toBeGreaterThan(0);
    expect(r.usage.totalTokens).toBe(r.usage.inputTokens! + r.usage.outputTokens!);
    expect(r.response.headers?.["x-amzn-requestid"]).toBe(seen[seen.length - 1].requestId);
    expect(r.response.id).toBe(seen[seen.length - 1].requestId);
    const body = lastBody();
    expect(body.system).toEqual([{ text: "Be brief." }]);
    expect(body.inferenceConfig).toEqual({
      maxTokens: 300,
      temperature: 0.2,
      topP: 0.9,
      stopSequences: ["STOP"],
    });
    expect(body.additionalModelRequestFields).toEqual({ top_k: 40 });
    expect(r.warnings).toEqual([expect.objectContaining({ type: "unsupported", feature: "seed" })]);
  });

  it("doGenerate gives the request body, URL and response headers in its metadata", async () => {
    const r = await model().doGenerate({
      prompt: [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
      maxOutputTokens: 50,
    });
    expect(r.request?.url).toMatch(new RegExp(`^${server.url}/model/us\\.anthropic[^/]*/converse$`));
    expect((r.request!.body as Record<string, any>).inferenceConfig).toEqual({ maxTokens: 50 });
    expect(r.response?.headers?.["content-type"]).toMatch(/json/);
    expect(r.response?.id).toBe(seen[seen.length - 1].requestId);
  });

  it("passes providerOptions.bedrock into the Converse body (guardrails, metadata, performance, tier)", async () => {
    await generateText({
      model: model(),
      prompt: "Hi",
      providerOptions: {
        bedrock: {
          requestMetadata: { team: "ai" },
          performanceConfig: { latency: "standard" },
          serviceTier: { type: "default" },
          additionalModelRequestFields: { custom: 1 },
        },
      },
    });
    const body = lastBody();
    expect(body.requestMetadata).toEqual({ team: "ai" });
    expect(body.performanceConfig).toEqual({ latency: "standard" });
    expect(body.serviceTier).toEqual({ type: "default" });
    expect(body.additionalModelRequestFields).toEqual({ custom: 1 });
  });

  it("cache points, guardrails and the reasoning level reach the Converse body", async () => {
    await generateText({
      model: model(),
      instructions: {
        role: "system",
        content: "Be brief.",
        providerOptions: { bedrock: { cachePoint: { type: "default" } } },
      },
      messages: [
        {
          role: "user",
          content: "Hi",
          providerOptions: { bedrock: { cachePoint: { type: "default", ttl: "1h" } } },
        },
      ],
      reasoning: "high",
      providerOptions: { bedrock: { guardrailConfig: { guardrailIdentifier: "g1", guardrailVersion: "1" } } },
    });
    const body = lastBody();
    expect(body.system).toEqual([{ text: "Be brief." }, { cachePoint: { type: "default" } }]);
    expect(body.messages[0].content).toEqual([
      { text: "Hi" },
      { cachePoint: { type: "default", ttl: "1h" } },
    ]);
    expect(body.guardrailConfig).toEqual({ guardrailIdentifier: "g1", guardrailVersion: "1" });
    expect(body.additionalModelRequestFields).toEqual({
      thinking: { type: "adaptive" },
      output_config: { effort: "high" },
    });
  });

  it("a tool that throws goes back to Bedrock as a toolResult with status error", async () => {
    const r = await generateText({
      model: model(),
      prompt: "What is the weather in Paris?",
      tools: {
        get_weather: tool({
          description: "weather",
          inputSchema: jsonSchema<{ city: string }>({
            type: "object",
            properties: { city: { type: "string" } },
          }),
          execute: async () => {
            throw new Error("weather service down");
          },
        }),
      },
      stopWhen: stepCountIs(2),
    });
    expect(r.steps).toHaveLength(2);
    const result = lastBody()
      .messages.flatMap((m: any) => m.content)
      .find((b: any) => b.toolResult).toolResult;
    expect(result.status).toBe("error");
    expect(JSON.stringify(result.content)).toContain("weather service down");
  });

  it("runs a multi-step tool loop: tool call, tool result sent back as toolResult, final answer", async () => {
    const r = await generateText({
      model: model(),
      prompt: "What is the weather in Paris?",
      tools: { get_weather: weather },
      toolChoice: "auto",
      stopWhen: stepCountIs(3),
    });
    expect(r.steps).toHaveLength(2);
    expect(r.steps[0].finishReason).toBe("tool-calls");
    expect(r.steps[0].toolCalls.map((c) => [c.toolName, c.input])).toEqual([
      ["get_weather", { city: "Paris" }],
    ]);
    expect(r.text).toContain('"forecast":"sunny"');
    const body = lastBody();
    expect(body.toolConfig.tools[0].toolSpec.name).toBe("get_weather");
    const results = body.messages.flatMap((m: any) => m.content).filter((b: any) => b.toolResult);
    expect(results).toEqual([
      {
        toolResult: {
          toolUseId: r.steps[0].toolCalls[0].toolCallId,
          content: [{ json: { city: "Paris", forecast: "sunny", celsius: 22 } }],
        },
      },
    ]);
  });

  it("maps tool choice: required to any, a named tool to {tool}, none to no tools", async () => {
    const tools = { get_weather: weather };
    await generateText({ model: model(), prompt: "Paris weather", tools, toolChoice: "required" });
    expect(lastBody().toolConfig.toolChoice).toEqual({ any: {} });
    await generateText({
      model: model(),
      prompt: "Paris weather",
      tools,
      toolChoice: { type: "tool", toolName: "get_weather" },
    });
    expect(lastBody().toolConfig.toolChoice).toEqual({ tool: { name: "get_weather" } });
    await generateText({ model: model(), prompt: "Paris weather", tools, toolChoice: "none" });
    expect(lastBody().toolConfig).toBeUndefined();
  });

  it("structured output: Output.object sends a Bedrock JSON schema and parses the answer", async () => {
    const r = await generateText({
      model: model(),
      prompt: "Describe a city",
      output: Output.object({
        schema: jsonSchema<{ name: string; population: number }>({
          type: "object",
          properties: { name: { type: "string" }, population: { type: "number" } },
          required: ["name", "population"],
          additionalProperties: false,
        }),
      }),
    });
    expect(r.output).toEqual({ name: expect.any(String), population: expect.any(Number) });
    const format = lastBody().outputConfig.textFormat;
    expect(format.type).toBe("json_schema");
    expect(JSON.parse(format.structure.jsonSchema.schema).required).toEqual(["name", "population"]);
  });

  it("reasoning: the signature comes back in providerMetadata and goes back to Bedrock in the next turn", async () => {
    const r = await generateText({
      model: model(),
      prompt: "Think about this",
      providerOptions: { bedrock: { reasoningConfig: { type: "enabled", budgetTokens: 1024 } } },
    });
    expect(lastBody().additionalModelRequestFields).toEqual({
      thinking: { type: "enabled", budget_tokens: 1024 },
    });
    const reasoning = r.reasoning[0];
    expect(reasoning.text).toContain("The user wrote");
    const signature = (reasoning.providerMetadata!.bedrock as Record<string, string>).signature;
    expect(signature).toMatch(/^[A-Za-z0-9+/=]{20,}$/);
    await generateText({
      model: model(),
      messages: [
        { role: "user", content: "Think about this" },
        ...(r.response.messages as ModelMessage[]),
        { role: "user", content: "And now?" },
      ],
      providerOptions: { bedrock: { reasoningConfig: { type: "enabled", budgetTokens: 1024 } } },
    });
    const assistant = lastBody().messages[1];
    expect(assistant.role).toBe("assistant");
    expect(assistant.content[0]).toEqual({
      reasoningContent: { reasoningText: { text: reasoning.text, signature } },
    });
  });

  it("redacted reasoning round-trips as redactedData", async () => {
    const options = { bedrock: { reasoningConfig: { type: "enabled" as const, budgetTokens: 1024 } } };
    const r = await generateText({
      model: model(),
      prompt: "REDACTED_THINKING please",
      providerOptions: options,
    });
    const data = (r.reasoning[0].providerMetadata!.bedrock as Record<string, string>).redactedData;
    expect(data.length).toBeGreaterThan(20);
    await generateText({
      model: model(),
      messages: [
        { role: "user", content: "REDACTED_THINKING please" },
        ...(r.response.messages as ModelMessage[]),
        { role: "user", content: "Go on" },
      ],
      providerOptions: options,
    });
    expect(lastBody().messages[1].content[0]).toEqual({ reasoningContent: { redactedContent: data } });
  });

  it("files: an image by bytes, a PDF with citations on; citations come back as sources", async () => {
    // A PNG signature and header: enough for Bedrock's (and the emulator's) format check.
    const png = new Uint8Array([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
    ]);
    const text = "The Eiffel Tower is 330 metres tall. It is in Paris.";
    const r = await generateText({
      model: model(),
      messages: [
        {
          role: "user",
          content: [
            { type: "file", data: png, mediaType: "image/png" },
            {
              type: "file",
              data: new TextEncoder().encode(text),
              mediaType: "text/plain",
              filename: "tower.txt",
              providerOptions: { bedrock: { citations: { enabled: true } } },
            },
            { type: "text", text: "How tall is the Eiffel Tower?" },
          ],
        },
      ],
    });
    const content = lastBody().messages[0].content;
    expect(content[0].image.format).toBe("png");
    expect(typeof content[0].image.source.bytes).toBe("string");
    expect(content[1].document).toMatchObject({ format: "txt", name: "tower", citations: { enabled: true } });
    expect(r.sources.length).toBeGreaterThan(0);
    expect(r.sources[0]).toMatchObject({ sourceType: "document", title: "tower" });
    expect(r.text).toContain("330");
  });
});

describe("streamText", () => {
  it("streams every part type of a tool loop over /converse-stream", async () => {
    const s = streamText({
      model: model(),
      prompt: "What is the weather in Paris?",
      tools: { get_weather: weather },
      stopWhen: stepCountIs(3),
      includeRawChunks: true,
    });
    const types: string[] = [];
    let toolInput = "";
    for await (const part of s.fullStream) {
      types.push(part.type);
      if (part.type === "tool-input-delta") toolInput += part.delta;
    }
    const distinct = [...new Set(types)];
    expect(distinct).toEqual(
      expect.arrayContaining([
        "start",
        "start-step",
        "raw",
        "text-start",
        "text-delta",
        "text-end",
        "tool-input-start",
        "tool-input-delta",
        "tool-input-end",
        "tool-call",
        "tool-result",
        "finish-step",
        "finish",
      ]),
    );
    expect(types.at(-1)).toBe("finish");
    expect(JSON.parse(toolInput)).toEqual({ city: "Paris" });
    expect(seen[seen.length - 1].path).toMatch(/\/converse-stream$/);
    expect(await s.finishReason).toBe("stop");
    expect(await s.text).toContain('"forecast":"sunny"');
    expect((await s.steps).map((st) => st.finishReason)).toEqual(["tool-calls", "stop"]);
  });

  it("streams reasoning parts with the signature (recorded Claude thinking capture)", async () => {
    const s = streamText({ model: model("replay.test_bedrock_model_thinking_part_stream"), prompt: "x" });
    const types: string[] = [];
    for await (const part of s.fullStream) types.push(part.type);
    expect(types).toEqual(expect.arrayContaining(["reasoning-start", "reasoning-delta", "reasoning-end"]));
    const reasoning = await s.reasoning;
    expect(reasoning[0].text.length).toBeGreaterThan(50);
    expect(
      (reasoning[0].providerMetadata!.bedrock as Record<string, string>).signature.length,
    ).toBeGreaterThan(50);
    expect(await s.text).not.toBe("");
  });

  it("streams citations as source parts (recorded document-citations capture)", async () => {
    const s = streamText({ model: model("replay.test_bedrock_document_citations_live_stream"), prompt: "x" });
    const sources = [];
    for await (const part of s.fullStream) if (part.type === "source") sources.push(part);
    expect(sources.length).toBeGreaterThan(0);
    expect((await s.sources).length).toBe(sources.length);
    const meta = (await s.providerMetadata)?.bedrock as Record<string, unknown[]>;
    expect(meta.citations.length).toBe(sources.length);
  });

  it("doStream gives the request body and response headers, then stream-start and response-metadata first", async () => {
    const r = await model().doStream({
      prompt: [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
      seed: 1,
    });
    expect(r.request?.url).toMatch(/\/converse-stream$/);
    expect((r.request!.body as Record<string, any>).messages).toEqual([
      { role: "user", content: [{ text: "Hi" }] },
    ]);
    expect(r.response?.headers?.["content-type"]).toBe("application/vnd.amazon.eventstream");
    const parts: any[] = [];
    const reader = r.stream.getReader();
    for (let x = await reader.read(); !x.done; x = await reader.read()) parts.push(x.value);
    expect(parts[0]).toEqual({
      type: "stream-start",
      warnings: [expect.objectContaining({ feature: "seed" })],
    });
    expect(parts[1]).toMatchObject({
      type: "response-metadata",
      id: seen[seen.length - 1].requestId,
      modelId: CLAUDE,
    });
    expect(parts.at(-1)).toMatchObject({
      type: "finish",
      finishReason: { unified: "stop", raw: "end_turn" },
    });
  });

  it("reports cache read and write tokens (recorded prompt-caching capture)", async () => {
    const s = streamText({
      model: model("replay.ddtrace_bedrock_converse_stream_prompt_caching.0"),
      prompt: "x",
    });
    const usage = await s.usage;
    const raw = usage.raw as Record<string, number>;
    expect(raw.cacheWriteInputTokens ?? raw.cacheReadInputTokens).toBeGreaterThan(0);
    expect(usage.inputTokenDetails.cacheWriteTokens).toBe(raw.cacheWriteInputTokens ?? 0);
    expect(usage.inputTokenDetails.cacheReadTokens).toBe(raw.cacheReadInputTokens ?? 0);
    expect(usage.inputTokens).toBe(
      raw.inputTokens + (raw.cacheReadInputTokens ?? 0) + (raw.cacheWriteInputTokens ?? 0),
    );
  });

  it("abort: the caller's signal stops the stream and closes the connection", async () => {
    const controller = new AbortController();
    const s = streamText({
      model: model(),
      prompt: "Tell me a long story",
      abortSignal: controller.signal,
      headers: fault("delay;ms=50"),
    });
    const types: string[] = [];
    for await (const part of s.fullStream) {
      types.push(part.type);
      if (part.type === "text-delta") controller.abort();
    }
    expect(types).toContain("abort");
    expect(types).not.toContain("finish-step");
    expect(types.filter((t) => t === "text-delta")).toHaveLength(1);
  });
});

describe("errors as the AI SDK's classes", () => {
  it("HTTP errors are APICallError with status, retryability, response headers and body", async () => {
    const throttled = await generateText({
      model: model(),
      prompt: "x",
      maxRetries: 0,
      headers: fault("throttle"),
    }).catch((e) => e);
    expect(APICallError.isInstance(throttled)).toBe(true);
    expect(throttled).toMatchObject({ statusCode: 429, isRetryable: true });
    expect(throttled.responseHeaders["x-amzn-errortype"]).toMatch(/ThrottlingException/);
    expect(JSON.parse(throttled.responseBody).message).toBeTruthy();
    expect(throttled.url).toMatch(/\/converse$/);

    const denied = await generateText({
      model: model(),
      prompt: "x",
      maxRetries: 0,
      headers: fault("access-denied"),
    }).catch((e) => e);
    expect(denied).toMatchObject({ statusCode: 403, isRetryable: false });
  });

  it("the AI SDK retries a retryable error (one request per attempt)", async () => {
    const before = seen.length;
    const r = await generateText({
      model: model(),
      prompt: "x",
      maxRetries: 2,
      headers: {
        ...fault("fail-first;count=1;code=ThrottlingException"),
        "x-bedrock-edge-fault-key": "retry-1",
      },
    });
    expect(r.text).toContain("You said");
    expect(seen.length - before).toBe(2);
  });

  it("the provider does not retry behind the AI SDK by default; the config's maxRetries turns ours on", async () => {
    const throttled = { ...fault("fail-first;count=1;code=ThrottlingException") };
    let before = seen.length;
    const once = await generateText({
      model: model(),
      prompt: "x",
      maxRetries: 0,
      headers: { ...throttled, "x-bedrock-edge-fault-key": "no-retry" },
    }).catch((e) => e);
    expect(APICallError.isInstance(once)).toBe(true);
    expect(seen.length - before).toBe(1);
    before = seen.length;
    const r = await generateText({
      model: provider({ maxRetries: 1 })(CLAUDE),
      prompt: "x",
      maxRetries: 0,
      headers: { ...throttled, "x-bedrock-edge-fault-key": "config-retry" },
    });
    expect(r.text).toContain("You said");
    expect(seen.length - before).toBe(2);
  });

  it("doStream throws an HTTP error before any part (streamText reports it in an error part)", async () => {
    const s = streamText({ model: model(), prompt: "x", maxRetries: 0, headers: fault("validation") });
    const parts = [];
    for await (const part of s.fullStream) parts.push(part);
    const error = parts.find((p) => p.type === "error") as { error: unknown } | undefined;
    expect(APICallError.isInstance(error?.error)).toBe(true);
    expect(error?.error).toMatchObject({ statusCode: 400, isRetryable: false });
  });

  it("a mid-stream exception frame is an error part and a finish that says error, not success", async () => {
    const s = streamText({
      model: model(),
      prompt: "Say a few words",
      headers: fault("throttle-frame;after=4"),
    });
    const parts: any[] = [];
    for await (const part of s.fullStream) parts.push(part);
    const error = parts.find((p) => p.type === "error");
    expect(APICallError.isInstance(error.error)).toBe(true);
    expect(error.error.data).toMatchObject({ name: "ThrottlingException", phase: "stream" });
    expect(parts.some((p) => p.type === "text-delta")).toBe(true);
    expect(await s.finishReason).toBe("error");
  });

  it("a cut stream (connection reset mid-body) ends in an error part, never quietly", async () => {
    const s = streamText({ model: model(), prompt: "Say a few words", headers: fault("reset;after=4") });
    const parts: any[] = [];
    for await (const part of s.fullStream) parts.push(part);
    const error = parts.find((p) => p.type === "error");
    expect(APICallError.isInstance(error.error)).toBe(true);
    expect(error.error.data).toMatchObject({ name: "NetworkError", phase: "stream" });
    expect(error.error.data.partial.outputText.length).toBeGreaterThan(0);
    expect(await s.finishReason).toBe("error");
  });

  it("a corrupted frame is InvalidResponseDataError", async () => {
    const s = streamText({ model: model(), prompt: "Say a few words", headers: fault("bad-crc;after=3") });
    const parts: any[] = [];
    for await (const part of s.fullStream) parts.push(part);
    const error = parts.find((p) => p.type === "error");
    expect(InvalidResponseDataError.isInstance(error.error)).toBe(true);
    expect(error.error.message).toMatch(/CRC/i);
  });

  it("bad input: InvalidPromptError, InvalidArgumentError, UnsupportedFunctionalityError, LoadAPIKeyError", async () => {
    const blank = await generateText({ model: model(), prompt: "   " }).catch((e) => e);
    expect(InvalidPromptError.isInstance(blank)).toBe(true);
    const unknown = await generateText({
      model: model(),
      prompt: "x",
      providerOptions: { bedrock: { temprature: 1 } },
    }).catch((e) => e);
    expect(InvalidArgumentError.isInstance(unknown)).toBe(true);
    expect(unknown.message).toContain("temprature");
    const reference = await generateText({
      model: model(),
      messages: [
        {
          role: "user",
          content: [{ type: "file", data: new Uint8Array([1, 2, 3]), mediaType: "application/x-unknown" }],
        },
      ],
    }).catch((e) => e);
    expect(UnsupportedFunctionalityError.isInstance(reference)).toBe(true);
    const keyless = createBedrockEdge(
      { url: `${server.url}/model/`, region: "us-east-1", modelIdPrefix: "none", logLevel: "silent" },
      { env: {} },
    );
    const noKey = await generateText({ model: keyless(CLAUDE), prompt: "x" }).catch((e) => e);
    expect(LoadAPIKeyError.isInstance(noKey)).toBe(true);
  });
});
