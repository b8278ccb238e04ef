import { ConverseCommand, ConverseStreamCommand, ValidationException } from "@aws-sdk/client-bedrock-runtime";
import { describe, expect, it } from "vitest";
import { createEmulator } from "../../src/emulator";
import { converseRequest, MODEL, sdkClient, startEmulator, user } from "./helpers";

// Bad requests get ValidationException (400) with a message that says what is wrong and where.

const emulator = createEmulator();
const weather = {
  toolSpec: {
    name: "get_weather",
    inputSchema: { json: { type: "object", properties: { city: { type: "string" } } } },
  },
};
const toolUse = (id: string) => ({
  role: "assistant",
  content: [{ toolUse: { toolUseId: id, name: "get_weather", input: {} } }],
});
const toolResult = (id: string) => ({
  role: "user",
  content: [{ toolResult: { toolUseId: id, content: [{ text: "ok" }] } }],
});

const cases: [string, unknown, RegExp][] = [
  ["malformed JSON", '{"messages": [', /not valid JSON/],
  ["a JSON array body", "[]", /must be a JSON object/],
  ["empty messages", { messages: [] }, /at least one message/],
  ["missing messages", { system: [{ text: "x" }] }, /messages field is required/],
  [
    "first message from the assistant",
    { messages: [{ role: "assistant", content: [{ text: "hi" }] }] },
    /must start with a user message/,
  ],
  [
    "two user turns in a row",
    { messages: [user("a"), user("b")] },
    /alternate between user and assistant.*messages\.0 and messages\.1/,
  ],
  [
    "an unknown role",
    { messages: [{ role: "robot", content: [{ text: "x" }] }] },
    /messages\.0\.role.*\[user, assistant\]/,
  ],
  [
    "an empty content array",
    { messages: [user("a"), { role: "assistant", content: [] }] },
    /content field in the Message object at messages\.1 is empty/,
  ],
  [
    "a block with two members",
    { messages: [{ role: "user", content: [{ text: "a", image: {} }] }] },
    /messages\.0\.content\.0 must set exactly one of/,
  ],
  [
    "an unknown block type",
    { messages: [{ role: "user", content: [{ sticker: {} }] }] },
    /messages\.0\.content\.0.*sets sticker/,
  ],
  [
    "text that is not a string",
    { messages: [{ role: "user", content: [{ text: 5 }] }] },
    /messages\.0\.content\.0\.text must be a string/,
  ],
  [
    "a document without a source",
    { messages: [{ role: "user", content: [{ document: { name: "d" } }] }] },
    /^messages\.0\.content\.0\.document\.source is required\.$/,
  ],
  [
    "a document source that is not text",
    { messages: [{ role: "user", content: [{ document: { name: "d", source: { text: 5 } } }] }] },
    /^messages\.0\.content\.0\.document\.source\.text must be a string\.$/,
  ],
  [
    "a tool result content item that is not a block",
    {
      messages: [
        user("a"),
        toolUse("t1"),
        { role: "user", content: [{ toolResult: { toolUseId: "t1", content: [null] } }] },
      ],
      toolConfig: { tools: [weather] },
    },
    /messages\.2\.content\.0\.toolResult\.content\.0 must be an object/,
  ],
  [
    "a cache point of an unknown type",
    { messages: [{ role: "user", content: [{ text: "a" }, { cachePoint: { type: "x" } }] }] },
    /messages\.0\.content\.1\.cachePoint\.type.*\[default\]/,
  ],
  ["an unknown top-level key", { messages: [user("a")], temperature: 0.5 }, /extraneous key \[temperature\]/],
  [
    "temperature above 1",
    { messages: [user("a")], inferenceConfig: { temperature: 1.5 } },
    /Value '1\.5' at 'inferenceConfig\.temperature'.*less than or equal to 1/,
  ],
  [
    "temperature below 0",
    { messages: [user("a")], inferenceConfig: { temperature: -0.1 } },
    /inferenceConfig\.temperature.*greater than or equal to 0/,
  ],
  ["topP above 1", { messages: [user("a")], inferenceConfig: { topP: 2 } }, /inferenceConfig\.topP/],
  [
    "maxTokens of 0",
    { messages: [user("a")], inferenceConfig: { maxTokens: 0 } },
    /Value '0' at 'inferenceConfig\.maxTokens'.*greater than or equal to 1/,
  ],
  [
    "fractional maxTokens",
    { messages: [user("a")], inferenceConfig: { maxTokens: 2.5 } },
    /inferenceConfig\.maxTokens.*integer/,
  ],
  [
    "empty stop sequence",
    { messages: [user("a")], inferenceConfig: { stopSequences: [""] } },
    /stopSequences/,
  ],
  [
    "tool blocks without toolConfig",
    { messages: [user("a"), toolUse("t1"), toolResult("t1")] },
    /toolConfig field must be defined when using toolUse and toolResult/,
  ],
  [
    "a toolResult without a matching toolUse",
    { messages: [user("a"), toolUse("t1"), toolResult("t2")], toolConfig: { tools: [weather] } },
    /toolResult block at messages\.2\.content\.0 has toolUseId 't2'.*messages\.1/,
  ],
  [
    "a toolResult in the first message",
    { messages: [toolResult("t1")], toolConfig: { tools: [weather] } },
    /toolUseId 't1', which does not match any toolUse/,
  ],
  [
    "a toolUse left unanswered",
    { messages: [user("a"), toolUse("t1"), user("never mind")], toolConfig: { tools: [weather] } },
    /Expected toolResult blocks at messages\.2\.content for the following Ids: t1/,
  ],
  [
    "toolConfig without tools",
    { messages: [user("a")], toolConfig: { tools: [] } },
    /toolConfig\.tools must hold at least one tool/,
  ],
  [
    "a bad tool name",
    {
      messages: [user("a")],
      toolConfig: { tools: [{ toolSpec: { name: "get weather", inputSchema: { json: {} } } }] },
    },
    /toolConfig\.tools\.0\.toolSpec\.name/,
  ],
  [
    "a toolChoice naming a missing tool",
    { messages: [user("a")], toolConfig: { tools: [weather], toolChoice: { tool: { name: "nope" } } } },
    /toolChoice\.tool\.name 'nope' does not match any tool/,
  ],
  [
    "a toolChoice with two members",
    { messages: [user("a")], toolConfig: { tools: [weather], toolChoice: { auto: {}, any: {} } } },
    /^toolConfig\.toolChoice must set exactly one of auto, any, tool; it sets auto, any\.$/,
  ],
  [
    "guardrailConfig without a version",
    { messages: [user("a")], guardrailConfig: { guardrailIdentifier: "g" } },
    /guardrailConfig\.guardrailVersion is required/,
  ],
  [
    "a structured-output schema that is not JSON",
    {
      messages: [user("a")],
      outputConfig: { textFormat: { type: "json_schema", structure: { jsonSchema: { schema: "{nope" } } } },
    },
    /jsonSchema\.schema is not valid JSON/,
  ],
];

describe("request validation", () => {
  for (const [name, body, message] of cases) {
    for (const stream of [false, true]) {
      it(`${name} (${stream ? "converse-stream" : "converse"}) -> 400 ValidationException`, async () => {
        const response = await emulator.fetch(converseRequest(body, { stream }));
        expect(response.status).toBe(400);
        expect(response.headers.get("x-amzn-ErrorType")).toBe(
          "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/",
        );
        expect(response.headers.get("content-type")).toBe("application/json");
        expect((await response.json()).message).toMatch(message);
      });
    }
  }

  it("a valid multi-turn tool conversation passes", async () => {
    const response = await emulator.fetch(
      converseRequest({
        messages: [user("a"), toolUse("t1"), toolResult("t1")],
        toolConfig: { tools: [weather] },
      }),
    );
    expect(response.status).toBe(200);
  });

  it("tool uses echoed back with Bedrock's type member still pair with their results; server tool uses need none", async () => {
    const assistant = {
      role: "assistant",
      content: [
        { toolUse: { toolUseId: "srv", name: "nova_code_interpreter", input: {}, type: "server_tool_use" } },
        {
          toolResult: {
            toolUseId: "srv",
            content: [{ json: { stdOut: "4" } }],
            type: "nova_code_interpreter_result",
          },
        },
        { toolUse: { toolUseId: "t1", name: "get_weather", input: {}, type: "tool_use" } },
      ],
    };
    const ok = await emulator.fetch(
      converseRequest({
        messages: [user("a"), assistant, toolResult("t1")],
        toolConfig: { tools: [weather] },
      }),
    );
    expect(ok.status).toBe(200);
    expect((await ok.json()).output.message.content[0].text).toBe("The get_weather tool returned: ok");
  });

  it("a body over maxBodyBytes is refused without reading it all", async () => {
    const small = createEmulator({ maxBodyBytes: 1000 });
    const response = await small.fetch(converseRequest({ messages: [user("x".repeat(5000))] }));
    expect(response.status).toBe(400);
    expect((await response.json()).message).toMatch(/larger than this emulator accepts \(1000 bytes\)/);
  });

  it("an invalid x-bedrock-edge-chunk-size is a validation error naming the header", async () => {
    const response = await emulator.fetch(
      converseRequest({ messages: [user("x")] }, { headers: { "x-bedrock-edge-chunk-size": "0" } }),
    );
    expect(response.status).toBe(400);
    expect((await response.json()).message).toMatch(/x-bedrock-edge-chunk-size must be an integer from 1/);
  });
});

describe("validation through the official SDK", async () => {
  const { server } = await startEmulator();
  const client = sdkClient(server.url);

  it("ConverseCommand: ValidationException with the message", async () => {
    const error = await client
      .send(
        new ConverseCommand({
          modelId: MODEL,
          messages: [{ role: "user", content: [{ text: "a" }] }],
          inferenceConfig: { temperature: 3 },
        }),
      )
      .catch((e) => e);
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toMatch(/inferenceConfig\.temperature/);
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it("ConverseStreamCommand: ValidationException before any event", async () => {
    const error = await client
      .send(
        new ConverseStreamCommand({
          modelId: "us-east-1.anthropic.claude-3-haiku-20240307-v1:0",
          messages: [{ role: "user", content: [{ text: "a" }] }],
        }),
      )
      .catch((e) => e);
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toBe("The provided model identifier is invalid.");
  });
});
