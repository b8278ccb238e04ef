import type { ChatEvent } from "bedrock-edge";
import { createConverseClient } from "bedrock-edge/core";
import { createSigV4Authorizer } from "bedrock-edge/sigv4";
import { MODEL } from "./emulator-client.ts";
import { API_KEY } from "./fixtures.js";
import { deepEqual, equal, ok, test } from "./harness.ts";
import { capture, checkResult, expectedOf } from "./recorded.ts";

const toolConfig = {
  tools: [
    {
      toolSpec: {
        name: "get_weather",
        description: "Current weather for a city",
        inputSchema: {
          json: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
        },
      },
    },
  ],
};

test("core: bedrock-edge/core streams a tool call in Converse's wire shape", async (ctx) => {
  const core = createConverseClient({
    key: API_KEY,
    url: `${ctx.emulatorUrl}/model/`,
  });
  const events: ChatEvent[] = [];
  const input = {
    modelId: MODEL,
    messages: [{ role: "user" as const, content: [{ text: "What is the weather in Paris?" }] }],
    toolConfig,
  };
  for await (const event of core.stream(input)) events.push(event);
  const call = events.find((e) => e.type === "tool-call") as Extract<ChatEvent, { type: "tool-call" }>;
  ok(call, `a tool-call event (got ${events.map((e) => e.type).join(",")})`);
  deepEqual(call.arguments, { city: "Paris" }, "arguments");
  equal(events.at(-1)?.type, "finish", "last event");
  const result = await core.request(input);
  deepEqual(
    result.toolsToCall.map((c) => c.arguments),
    [{ city: "Paris" }],
    "request() accumulates the same call",
  );
});

test("core: a recorded stream replayed in 7-byte chunks gives what was recorded, signed with SigV4", async (ctx) => {
  const name = "envoy-ai-gateway_claude_tool_use_cosine";
  const want = expectedOf(capture(name));
  const core = createConverseClient({
    url: `${ctx.emulatorUrl}/model/`,
    auth: createSigV4Authorizer({
      region: "us-east-1",
      credentials: { accessKeyId: "AKIDRUNTIMECORE", secretAccessKey: "runtime-core-secret" },
    }),
    headers: { "x-bedrock-edge-replay": name, "x-bedrock-edge-chunk-size": "7" },
  });
  const result = await core.request({
    modelId: MODEL,
    messages: [{ role: "user", content: [{ text: "replay" }] }],
  });
  checkResult(result, want);
});
