import { describe, expect, it } from "vitest";
import type { BedrockError } from "../../src/errors";
import { RequestError } from "../../src/errors";
import { buildConverseBody } from "../../src/request/body";
import { StructuredOutputError, validateJson } from "../../src/request/structured";
import type { ChatEvent } from "../../src/types/events";
import { capture } from "../helpers/fixtures";
import { clientFor, emulator, pairs, replayConverse, replayStream } from "./helpers";

const recordedConfig = (name: string) => JSON.parse(capture(name).request.body).outputConfig;
const question = [{ role: "user" as const, content: "Where were the 2024 Olympics held?" }];

describe("structured output (recorded native structured output)", () => {
  it("responseFormat becomes the recorded outputConfig; the streamed JSON is parsed and checked", async () => {
    const cap = capture("test_bedrock_native_structured_output_stream");
    const config = recordedConfig(cap.name);
    const { schema, name } = config.textFormat.structure.jsonSchema;
    expect(buildConverseBody(question, { responseFormat: { schema, name } }).outputConfig).toEqual(config);
    const server = await replayStream(cap.bytes);
    const result = await clientFor(server.url).request(question, { responseFormat: { schema, name } });
    expect(JSON.parse(server.received[0].body).outputConfig).toEqual(config);
    expect(result.structured).toEqual({ city: "Paris", country: "France" });
    expect(result.outputText).toBe('{"city":"Paris","country":"France"}');
  });

  it("an integer field and a schema given as an object (written out as JSON text)", async () => {
    const cap = capture("test_bedrock_native_output_stream");
    const jsonSchema = recordedConfig(cap.name).textFormat.structure.jsonSchema;
    const schema = JSON.parse(jsonSchema.schema);
    const server = await replayStream(cap.bytes);
    const result = await clientFor(server.url).request(question, {
      responseFormat: { schema, name: jsonSchema.name, description: jsonSchema.description },
    });
    const sent = JSON.parse(server.received[0].body).outputConfig.textFormat.structure.jsonSchema;
    expect(JSON.parse(sent.schema)).toEqual(schema);
    expect(typeof sent.schema).toBe("string");
    expect(result.structured).toEqual({ city: "Paris", country: "France", population: 2161000 });
  });

  it("/converse with a native outputConfig: the result's JSON is checked too", async () => {
    const recorded = pairs("test_bedrock_native_structured_output.json");
    const server = await replayConverse(recorded);
    const outputConfig = JSON.parse(recorded[0].request.body).outputConfig;
    const result = await clientFor(server.url).request(question, { stream: false, outputConfig });
    expect(result.structured).toEqual({ city: "Paris", country: "France" });
  });

  it("JSON that does not match the schema is a StructuredOutputError with the text and each mismatch", async () => {
    const cap = capture("test_bedrock_native_structured_output_stream");
    const schema = {
      type: "object",
      properties: { city: { type: "string" }, population: { type: "integer" } },
      required: ["city", "population"],
      additionalProperties: false,
    };
    const server = await replayStream(cap.bytes);
    const errors: BedrockError[] = [];
    const error = await clientFor(server.url)
      .request(question, { responseFormat: { schema }, onError: (e) => errors.push(e) })
      .catch((e) => e);
    expect(error).toBeInstanceOf(StructuredOutputError);
    expect(errors).toEqual([error]);
    expect(error.text).toBe('{"city":"Paris","country":"France"}');
    expect(error.value).toEqual({ city: "Paris", country: "France" });
    expect(error.issues).toEqual([
      { path: "$", message: 'missing required property "population"' },
      { path: "$.country", message: "is not an allowed property" },
    ]);
    expect(error.message).toContain('$: missing required property "population"');

    // The same through stream(): the stream errors with it rather than finishing.
    const events: ChatEvent[] = [];
    const streamed = await (async () => {
      for await (const e of clientFor((await replayStream(cap.bytes)).url).stream(question, {
        responseFormat: { schema },
      })) {
        events.push(e);
      }
    })().catch((e) => e);
    expect(streamed).toBeInstanceOf(StructuredOutputError);
    expect(events.some((e) => e.type === "finish")).toBe(false);
  });

  it("a schema that is not JSON fails before the request, saying where", () => {
    const bad = { textFormat: { type: "json_schema", structure: { jsonSchema: { schema: "{not json" } } } };
    expect(() => buildConverseBody(question, { outputConfig: bad })).toThrow(RequestError);
    expect(() => buildConverseBody(question, { outputConfig: bad })).toThrow(
      /options\.outputConfig\.textFormat\.structure\.jsonSchema\.schema/,
    );
    expect(() => buildConverseBody(question, { responseFormat: { schema: [] as any } })).toThrow(
      /responseFormat\.schema/,
    );
  });
});

describe("the JSON Schema subset validator", () => {
  const person = {
    $defs: { Pet: { type: "object", properties: { kind: { enum: ["cat", "dog"] } }, required: ["kind"] } },
    type: "object",
    properties: {
      name: { type: "string" },
      age: { type: "integer" },
      height: { type: "number" },
      nickname: { anyOf: [{ type: "string" }, { type: "null" }] },
      pets: { type: "array", items: { $ref: "#/$defs/Pet" } },
      version: { const: 2 },
    },
    required: ["name"],
    additionalProperties: false,
  };

  it("accepts what matches", () => {
    const ok = { name: "Ada", age: 36, height: 1.65, nickname: null, pets: [{ kind: "cat" }], version: 2 };
    expect(validateJson(ok, person)).toEqual([]);
    expect(validateJson({ name: "Bo", height: 2 }, person)).toEqual([]); // an integer is a number
  });

  it("reports every mismatch with its path", () => {
    const bad = { age: 36.5, nickname: 7, pets: [{ kind: "cow" }, {}], version: 3, extra: true };
    expect(validateJson(bad, person)).toEqual([
      { path: "$", message: 'missing required property "name"' },
      { path: "$.age", message: "expected integer, got number" },
      { path: "$.nickname", message: "matches none of the 2 allowed shapes (anyOf)" },
      { path: "$.pets[0].kind", message: 'must be one of "cat", "dog"' },
      { path: "$.pets[1]", message: 'missing required property "kind"' },
      { path: "$.version", message: "must be 2" },
      { path: "$.extra", message: "is not an allowed property" },
    ]);
    expect(validateJson("x", person)).toEqual([{ path: "$", message: "expected object, got string" }]);
  });
});

describe("structured output against the emulator", async () => {
  const emu = await emulator();
  it("the emulator's JSON answer is parsed and checked, in both modes", async () => {
    const schema = {
      type: "object",
      properties: { city: { type: "string" }, country: { type: "string" }, year: { type: "integer" } },
      required: ["city", "country", "year"],
      additionalProperties: false,
    };
    for (const stream of [true, false]) {
      const result = await emu
        .client()
        .request(question, { stream, responseFormat: { schema, name: "Olympics" } });
      expect(validateJson(result.structured, schema)).toEqual([]);
      expect(result.structured).toEqual(JSON.parse(result.outputText));
      expect(Object.keys(result.structured as object).sort()).toEqual(["city", "country", "year"]);
    }
  });
});
