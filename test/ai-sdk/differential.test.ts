// The same streams read through @ai-sdk/amazon-bedrock and through bedrock-edge/ai-sdk, under the same
// streamText: the same text, reasoning, tool calls, usage and finish reason. Streams: every recorded Bedrock
// capture (replayed verbatim by the emulator) and the emulator's own answers (text, tools, reasoning, redacted
// reasoning, citations, guardrail, max_tokens, mid-stream exceptions).
//
// Deliberate differences (asserted below, not hidden):
// - A stream cut after some events (connection reset, or a body that ends inside a frame): the official provider's
//   fullStream throws (the for-await rejects, no finish, no usage); bedrock-edge reports the failure as an error
//   part (APICallError / InvalidResponseDataError, with what was received) and a finish with finishReason "error".
// - Document citations: bedrock-edge gives them as source parts; the official provider drops them.
import { readdirSync, readFileSync } from "node:fs";
import { createAmazonBedrock } from "@ai-sdk/amazon-bedrock";
import { generateText, jsonSchema, type LanguageModel, stepCountIs, streamText, tool } from "ai";
import { afterAll, describe, expect, it } from "vitest";
import { createBedrockEdge } from "../../src/ai-sdk/index.ts";
import { createEmulator } from "../../src/emulator/index.ts";
import { serve } from "../../src/node/index.ts";

const DIR = new URL("../fixtures/recorded/converse-stream/", import.meta.url);
const captures = readdirSync(DIR)
  .filter((f) => f.endsWith(".eventstream.bin"))
  .map((f) => f.replace(".eventstream.bin", ""));
const recorded = (name: string) => {
  try {
    return new Uint8Array(readFileSync(new URL(`${name}.eventstream.bin`, DIR)));
  } catch {
    return undefined;
  }
};

const server = await serve(createEmulator({ recordings: recorded, chunkSize: 53 }));
afterAll(() => server.close());

const KEY = "differential-key-0123456789";
const official = createAmazonBedrock({ region: "us-east-1", apiKey: KEY, baseURL: server.url });
const ours = createBedrockEdge(
  { key: KEY, url: `${server.url}/model/`, region: "us-east-1", modelIdPrefix: "none", logLevel: "silent" },
  { env: {} },
);
const CLAUDE = "us.anthropic.claude-3-7-sonnet-20250219-v1:0";

interface Outcome {
  text: string;
  reasoning: string;
  toolCalls: { toolName: string; input: unknown }[];
  usage: {
    inputTokens?: number;
    outputTokens?: number;
    totalTokens?: number;
    cacheRead?: number;
    cacheWrite?: number;
  };
  finishReason: string;
  errors: string[];
  sources: number;
  /** The stream itself failed (the for-await threw) instead of reporting an error part. */
  thrown?: string;
}

async function run(model: LanguageModel, options: Record<string, unknown>): Promise<Outcome> {
  const errors: string[] = [];
  const s = streamText({ model, prompt: "x", maxRetries: 0, onError: () => {}, ...options } as Parameters<
    typeof streamText
  >[0]);
  let text = "";
  let reasoning = "";
  const toolCalls: Outcome["toolCalls"] = [];
  let finishReason = "";
  let usage: Outcome["usage"] = {};
  let thrown: string | undefined;
  let sources = 0;
  try {
    for await (const part of s.fullStream) {
      if (part.type === "text-delta") text += part.text;
      else if (part.type === "reasoning-delta") reasoning += part.text;
      else if (part.type === "tool-call") toolCalls.push({ toolName: part.toolName, input: part.input });
      else if (part.type === "source") sources++;
      else if (part.type === "error") errors.push(String((part.error as Error)?.name ?? part.error));
      else if (part.type === "finish") {
        finishReason = part.finishReason;
        const u = part.totalUsage;
        usage = {
          inputTokens: u.inputTokens,
          outputTokens: u.outputTokens,
          totalTokens: u.totalTokens,
          cacheRead: u.inputTokenDetails.cacheReadTokens,
          cacheWrite: u.inputTokenDetails.cacheWriteTokens,
        };
      }
    }
  } catch (error) {
    thrown = (error as Error).message;
  }
  return {
    text,
    reasoning,
    toolCalls,
    usage,
    finishReason,
    errors,
    sources,
    ...(thrown !== undefined && { thrown }),
  };
}

const both = async (model: string, options: Record<string, unknown> = {}) => {
  const [a, b] = [await run(official(model), options), await run(ours(model), options)];
  return { official: a, ours: b };
};

describe("recorded captures: official provider and bedrock-edge/ai-sdk agree", () => {
  it("has captures to compare", () => expect(captures.length).toBeGreaterThanOrEqual(15));
  for (const name of captures) {
    it(name, async () => {
      const { official: a, ours: b } = await both(`replay.${name}`);
      expect(b.errors).toEqual([]);
      expect(b.text).toBe(a.text);
      expect(b.reasoning).toBe(a.reasoning);
      expect(b.toolCalls).toEqual(a.toolCalls);
      expect(b.usage).toEqual(a.usage);
      expect(b.finishReason).toBe(a.finishReason);
      if (name.includes("citations")) {
        expect(b.sources).toBeGreaterThan(0);
        expect(a.sources).toBe(0);
      } else expect(b.sources).toBe(a.sources);
    });
  }
});

const weather = tool({
  description: "weather",
  inputSchema: jsonSchema<{ city: string }>({
    type: "object",
    properties: { city: { type: "string" } },
    required: ["city"],
  }),
  execute: async ({ city }) => ({ city, forecast: "sunny" }),
});

describe("generated streams (the emulator's model): official provider and bedrock-edge/ai-sdk agree", () => {
  const cases: [string, Record<string, unknown>][] = [
    ["plain text", { prompt: "Tell me something about Paris" }],
    [
      "a tool loop",
      { prompt: "What is the weather in Paris?", tools: { get_weather: weather }, stopWhen: stepCountIs(3) },
    ],
    [
      "reasoning",
      {
        prompt: "Think about Paris",
        providerOptions: { bedrock: { reasoningConfig: { type: "enabled", budgetTokens: 1024 } } },
      },
    ],
    ["a guardrail intervention", { prompt: "BLOCKME now" }],
    ["max_tokens", { prompt: "Tell me a long story about Paris", maxOutputTokens: 3 }],
    ["a stop sequence", { prompt: "Say hello", stopSequences: ["hello"] }],
  ];
  for (const [name, options] of cases) {
    it(name, async () => {
      const { official: a, ours: b } = await both(CLAUDE, options);
      expect(b.errors).toEqual([]);
      expect(b.text).toBe(a.text);
      expect(b.reasoning).toBe(a.reasoning);
      expect(b.toolCalls).toEqual(a.toolCalls);
      expect(b.usage).toEqual(a.usage);
      expect(b.finishReason).toBe(a.finishReason);
    });
  }

  it("a mid-stream exception frame: both report the error and finish with error", async () => {
    const headers = { "x-bedrock-edge-fault": "model-stream-error;after=4" };
    const { official: a, ours: b } = await both(CLAUDE, { prompt: "Tell me about Paris", headers });
    expect(a.errors.length).toBeGreaterThan(0);
    expect(b.errors).toEqual(["AI_APICallError"]);
    expect(b.text).toBe(a.text);
    expect(b.finishReason).toBe("error");
    expect(a.finishReason).toBe("error");
  });

  it("deliberate difference: a connection reset mid-stream is an error for bedrock-edge", async () => {
    const headers = { "x-bedrock-edge-fault": "reset;after=4" };
    const { official: a, ours: b } = await both(CLAUDE, { prompt: "Tell me about Paris", headers });
    expect(b.text).toBe(a.text);
    expect(b.errors).toEqual(["AI_APICallError"]);
    expect(b.finishReason).toBe("error");
    expect(b.thrown).toBeUndefined();
    // The official provider's outcome, recorded here so a change in it is noticed.
    expect({ finishReason: a.finishReason, errors: a.errors, thrown: a.thrown }).toMatchSnapshot();
  });

  it("deliberate difference: a body that ends inside a frame is an error for bedrock-edge", async () => {
    const headers = { "x-bedrock-edge-fault": "truncate;after=4" };
    const { official: a, ours: b } = await both(CLAUDE, { prompt: "Tell me about Paris", headers });
    expect(b.text).toBe(a.text);
    expect(b.errors).toEqual(["AI_InvalidResponseDataError"]);
    expect(b.finishReason).toBe("error");
    expect(b.thrown).toBeUndefined();
    expect({ finishReason: a.finishReason, errors: a.errors, thrown: a.thrown }).toMatchSnapshot();
  });
});

// /converse: every recorded non-streamed answer, through both providers' generateText (doGenerate).
const CONVERSE_DIR = new URL("../fixtures/recorded/converse/", import.meta.url);
const converseAnswers = readdirSync(CONVERSE_DIR)
  .filter((f) => f.endsWith(".json"))
  .flatMap((file) =>
    (JSON.parse(readFileSync(new URL(file, CONVERSE_DIR), "utf8")).interactions as RecordedPair[])
      .filter((i) => i.request.uri.endsWith("/converse") && i.response.status === 200)
      .map((pair, n) => ({ name: `${file.replace(".json", "")} #${n}`, pair })),
  );

interface RecordedPair {
  request: { uri: string };
  response: { status: number; body?: unknown; body_raw?: string };
}

describe("recorded /converse answers: official provider and bedrock-edge/ai-sdk agree under generateText", async () => {
  let answer = "";
  const replay = await serve({
    fetch: () =>
      new Response(answer, { headers: { "content-type": "application/json", "x-amzn-requestid": "r" } }),
  });
  afterAll(() => replay.close());
  const officialJson = createAmazonBedrock({ region: "us-east-1", apiKey: KEY, baseURL: replay.url });
  const oursJson = createBedrockEdge(
    { key: KEY, url: `${replay.url}/model/`, region: "us-east-1", modelIdPrefix: "none", logLevel: "silent" },
    { env: {} },
  );
  const read = async (model: LanguageModel) => {
    const r = await generateText({ model, prompt: "x", maxRetries: 0 });
    return {
      text: r.text,
      reasoning: r.reasoningText ?? "",
      toolCalls: r.toolCalls.map((c) => ({ toolName: c.toolName, input: c.input })),
      usage: [
        r.usage.inputTokens,
        r.usage.outputTokens,
        r.usage.totalTokens,
        r.usage.inputTokenDetails.cacheReadTokens,
      ],
      finishReason: r.finishReason,
    };
  };
  it("has answers to compare", () => expect(converseAnswers.length).toBeGreaterThanOrEqual(15));
  for (const { name, pair } of converseAnswers) {
    it(name, async () => {
      answer =
        pair.response.body_raw ??
        (typeof pair.response.body === "string" ? pair.response.body : JSON.stringify(pair.response.body));
      const a = await read(officialJson(CLAUDE));
      const b = await read(oursJson(CLAUDE));
      expect(b).toEqual(a);
    });
  }
});
