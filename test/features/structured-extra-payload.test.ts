import { describe, expect, it } from "vitest";
import { createBedrock } from "../../src/client/create";
import { createEmulator } from "../../src/emulator";

const schema = {
  type: "object",
  properties: { city: { type: "string" }, celsius: { type: "number" } },
  required: ["city", "celsius"],
  additionalProperties: false,
};

describe("structured output set in a model's extraPayload", () => {
  it("is parsed and validated like one given per request", async () => {
    const emulator = createEmulator();
    const client = createBedrock(
      {
        key: "k",
        region: "us-east-1",
        models: {
          weather: {
            modelName: "amazon.nova-lite-v1:0",
            extraPayload: {
              outputConfig: {
                textFormat: {
                  type: "json_schema",
                  structure: { jsonSchema: { schema: JSON.stringify(schema), name: "weather" } },
                },
              },
            },
          },
        },
      },
      { env: {}, fetch: (input, init) => emulator.fetch(new Request(input, init)) },
    );
    for (const stream of [true, false]) {
      const result = await client.request([{ role: "user", content: "Weather in Oslo as JSON" }], { stream });
      expect(result.structured).toEqual(JSON.parse(result.outputText));
      expect(Object.keys(result.structured as object).sort()).toEqual(["celsius", "city"]);
    }
  });
});
