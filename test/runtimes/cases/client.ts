import type { ChatEvent } from "bedrock-edge";
import { client, WEATHER_TOOL } from "./emulator-client.ts";
import { deepEqual, equal, match, ok, test } from "./harness.ts";
import { capture, checkResult, expectedOf } from "./recorded.ts";

test("client: request streams text over real HTTP with callbacks in order, usage and the assistant message", async (ctx) => {
  const texts: string[] = [];
  const prompt = `Hello from ${ctx.runtime}`;
  const result = await client(ctx).request([{ role: "user", content: prompt }], {
    onMessageReceived: (m) => texts.push(m.text),
  });
  ok(result.outputText.includes(prompt), `the emulator echoes the prompt: ${result.outputText}`);
  equal(texts.join(""), result.outputText, "callback text");
  ok(texts.length > 1, "text arrives in several deltas");
  equal(result.stopReason, "end_turn", "stopReason");
  ok(result.usage && result.usage.outputTokens > 0, "usage");
  deepEqual(result.message, { role: "assistant", content: [{ text: result.outputText }] }, "message");
});

for (const [name, chunk] of [
  ["test_bedrock_model_stream", "1"],
  ["envoy-ai-gateway_claude_tool_use_cosine", "13"],
  ["test_bedrock_model_thinking_part_stream", "97"],
] as const) {
  test(`client: recorded ${name} replayed over HTTP in ${chunk}-byte chunks gives what was recorded`, async (ctx) => {
    const want = expectedOf(capture(name));
    const result = await client(ctx).request([{ role: "user", content: "replay" }], {
      headers: { "x-bedrock-edge-replay": name, "x-bedrock-edge-chunk-size": chunk },
    });
    checkResult(result, want);
  });
}

test("client: stream() is async-iterable and delivers a tool call; the tool result round-trips", async (ctx) => {
  const bedrock = client(ctx);
  const question = [{ role: "user" as const, content: "What is the weather in Paris?" }];
  const events: ChatEvent[] = [];
  for await (const event of bedrock.stream(question, { tools: [WEATHER_TOOL] })) events.push(event);
  const call = events.find((e) => e.type === "tool-call") as Extract<ChatEvent, { type: "tool-call" }>;
  ok(call, `a tool-call event (got ${events.map((e) => e.type).join(",")})`);
  equal(call.name, "get_weather", "tool name");
  deepEqual(call.arguments, { city: "Paris" }, "arguments");
  ok(
    events.some((e) => e.type === "tool-call-delta"),
    "argument fragments stream before the call",
  );
  const finish = events.at(-1) as Extract<ChatEvent, { type: "finish" }>;
  equal(finish.type, "finish", "last event");
  equal(finish.stopReason, "tool_use", "stopReason");

  const answer = await bedrock.request(
    [
      ...question,
      finish.message as any,
      {
        role: "user",
        content: [{ toolResult: { toolUseId: call.id, content: [{ text: "18C and sunny" }] } }],
      },
    ],
    { tools: [WEATHER_TOOL] },
  );
  match(answer.outputText, /18C and sunny/, "answer from the tool result");
});

test("client: stream: false calls /converse and returns the same shape", async (ctx) => {
  const result = await client(ctx).request([{ role: "user", content: "What is the weather in Rome?" }], {
    stream: false,
    tools: [WEATHER_TOOL],
  });
  equal(result.stopReason, "tool_use", "stopReason");
  deepEqual(
    result.toolsToCall.map((c) => c.arguments),
    [{ city: "Rome" }],
    "arguments",
  );
  ok(result.metrics && result.metrics.latencyMs >= 0, "metrics from /converse");
});

test("client: breaking out of for-await cancels the stream; the client keeps working", async (ctx) => {
  const bedrock = client(ctx);
  let seen = 0;
  const started = Date.now();
  for await (const event of bedrock.stream([{ role: "user", content: "Tell me a long story" }], {
    headers: { "x-bedrock-edge-fault": "delay;ms=200" },
  })) {
    if (event.type === "text" && ++seen === 1) break;
  }
  equal(seen, 1, "one text event seen");
  ok(Date.now() - started < 2000, "break returns without waiting for the rest of the stream");
  const again = await bedrock.request([{ role: "user", content: "still there?" }]);
  ok(again.outputText.length > 0, "a later request works");
});
