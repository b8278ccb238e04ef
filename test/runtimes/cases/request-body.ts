import { buildConverseBody, normalizeMessages, RequestError } from "bedrock-edge";
import { deepEqual, equal, test, throws } from "./harness.ts";

const user = [{ role: "user" as const, content: "hi" }];

test("request: system, user, assistant and OpenAI-style tool turns become Converse messages", () => {
  const n = normalizeMessages([
    { role: "system", content: "Be brief." },
    { role: "user", content: "Weather in Paris?" },
    {
      role: "assistant",
      content: null,
      tool_calls: [
        { id: "c1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
      ],
    },
    { role: "tool", tool_call_id: "c1", content: "18C" },
  ] as any);
  deepEqual(n.system, [{ text: "Be brief." }], "system");
  deepEqual(n.messages, [
    { role: "user", content: [{ text: "Weather in Paris?" }] },
    {
      role: "assistant",
      content: [{ toolUse: { toolUseId: "c1", name: "get_weather", input: { city: "Paris" } } }],
    },
    { role: "user", content: [{ toolResult: { toolUseId: "c1", content: [{ text: "18C" }] } }] },
  ]);
});

test("request: defaults, inference parameters, top_k and extraPayload merge into the body", () => {
  deepEqual(buildConverseBody(user, { stream: true }), {
    messages: [{ role: "user", content: [{ text: "hi" }] }],
    inferenceConfig: { maxTokens: 1024 },
  });
  const body = buildConverseBody(
    user,
    { temperature: 0.1, max_tokens: 50, stopSequences: ["END"] },
    { top_k: 200, stream: false },
  );
  deepEqual(
    body.inferenceConfig,
    { temperature: 0.1, maxTokens: 50, stopSequences: ["END"] },
    "inferenceConfig",
  );
  deepEqual(body.additionalModelRequestFields, { top_k: 200 }, "additionalModelRequestFields");
  equal((body as any).stream, undefined, "stream never goes in the body");
});

test("request: tools in plain, OpenAI and Bedrock forms become toolSpec, with toolChoice", () => {
  const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
  const body = buildConverseBody(user, {
    tools: [
      { name: "get_weather", description: "Weather for a city", inputSchema: schema },
      { type: "function", function: { name: "get_time", parameters: schema } },
    ],
    toolChoice: "any",
  });
  deepEqual(body.toolConfig, {
    tools: [
      { toolSpec: { name: "get_weather", description: "Weather for a city", inputSchema: { json: schema } } },
      { toolSpec: { name: "get_time", inputSchema: { json: schema } } },
    ],
    toolChoice: { any: {} },
  });
});

test("request: bad input is a RequestError that says where", () => {
  throws(() => normalizeMessages([{ role: "bot", content: "x" } as any]), {
    instance: RequestError,
    message: /messages\[0\]\.role: unknown role/,
  });
  throws(() => buildConverseBody(user, { temprature: 1 } as any), {
    message: /options\.temprature: unknown option/,
  });
  throws(() => buildConverseBody(user, { tools: [{ name: "bad name!" }] }), { message: /tools\[0\]\.name/ });
});
