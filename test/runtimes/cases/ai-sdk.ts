// bedrock-edge/ai-sdk under the AI SDK (ai 7) in each runtime: streamText over the emulator's model with a tool
// loop, and a recorded Claude thinking capture read through the provider. Registered by the workerd, Chromium
// and Node runners (not by index.ts: Deno and Bun resolve packages their own way).
import { APICallError, jsonSchema, stepCountIs, streamText, tool } from "ai";
import { createBedrockEdge } from "bedrock-edge/ai-sdk";
import { MODEL } from "./emulator-client.ts";
import { API_KEY } from "./fixtures.js";
import { deepEqual, equal, ok, test } from "./harness.ts";
import { capture, expectedOf } from "./recorded.ts";

const providerFor = (emulatorUrl: string) =>
  createBedrockEdge(
    {
      key: API_KEY,
      url: `${emulatorUrl}/model/`,
      region: "us-east-1",
      modelIdPrefix: "none",
      logLevel: "silent",
    },
    { env: {} },
  );

test("ai-sdk: streamText runs a tool loop through bedrock-edge/ai-sdk", async (ctx) => {
  const provider = providerFor(ctx.emulatorUrl);
  const result = streamText({
    model: provider(MODEL),
    prompt: "What is the weather in Paris?",
    tools: {
      get_weather: tool({
        description: "Current weather for a city",
        inputSchema: jsonSchema<{ city: string }>({
          type: "object",
          properties: { city: { type: "string" } },
          required: ["city"],
        }),
        execute: async ({ city }) => ({ city, forecast: "sunny" }),
      }),
    },
    stopWhen: stepCountIs(3),
  });
  const types = new Set<string>();
  const inputs: unknown[] = [];
  for await (const part of result.fullStream) {
    types.add(part.type);
    if (part.type === "tool-call") inputs.push(part.input);
  }
  for (const t of ["text-delta", "tool-input-delta", "tool-call", "tool-result", "finish"])
    ok(types.has(t), `a ${t} part (got ${[...types].join(",")})`);
  deepEqual(inputs, [{ city: "Paris" }], "tool inputs");
  equal(await result.finishReason, "stop", "finish reason");
  ok((await result.text).includes('"forecast":"sunny"'), "the answer uses the tool result");
});

test("ai-sdk: a recorded thinking stream gives the recorded text, reasoning and signature", async (ctx) => {
  const name = "test_bedrock_model_thinking_part_stream";
  const want = expectedOf(capture(name));
  const result = streamText({ model: providerFor(ctx.emulatorUrl)(`replay.${name}`), prompt: "x" });
  equal(await result.text, want.text, "text");
  const reasoning = await result.reasoning;
  equal(reasoning.map((r) => r.text).join(""), want.reasoning, "reasoning");
  equal(
    (reasoning[0]?.providerMetadata?.bedrock as { signature?: string })?.signature,
    want.signature,
    "signature",
  );
});

test("ai-sdk: an HTTP error is an APICallError with status and retryability", async (ctx) => {
  const provider = createBedrockEdge(
    {
      key: "wrong-key-0123456789",
      url: `${ctx.emulatorUrl}/model/`,
      region: "us-east-1",
      modelIdPrefix: "none",
      logLevel: "silent",
    },
    { env: {} },
  );
  let error: unknown;
  const result = streamText({
    model: provider(MODEL),
    prompt: "x",
    maxRetries: 0,
    onError: (e) => {
      error = e.error;
    },
  });
  for await (const _ of result.fullStream) {
  }
  ok(APICallError.isInstance(error), `an APICallError (got ${String(error)})`);
  equal((error as APICallError).isRetryable, false, "isRetryable");
  ok(
    (error as APICallError).statusCode === 403 || (error as APICallError).statusCode === 401,
    `status (got ${(error as APICallError).statusCode})`,
  );
});
