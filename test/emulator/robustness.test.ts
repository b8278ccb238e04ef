import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createEmulator } from "../../src/emulator";
import { converseRequest, decodeFrames, readAll } from "./helpers";

// Whatever a client sends, the emulator answers 200 or a 400 ValidationException with a message:
// never a 500 from its own code, never a hang, and every 200 stream decodes completely. Bodies are
// mostly well-formed with odd values mixed in, so both the validator and the model get exercised.

const anything = fc.anything({ maxDepth: 1, maxKeys: 3 });
/** Usually `valid`, sometimes any JSON at all. */
const mostly = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: valid, weight: 24 }, { arbitrary: anything as fc.Arbitrary<unknown>, weight: 1 });

const prompt = fc.oneof(
  fc.string(),
  fc.constantFrom(
    "What's the weather in Paris?",
    "what is 12 * 7",
    "Write 9 words",
    "say BLOCKME",
    "REDACTED_THINKING",
    "",
  ),
);
const schemas = fc.letrec<{ s: unknown; object: unknown }>((tie) => ({
  s: fc.oneof({ maxDepth: 3, depthIdentifier: "schema" }, anything, tie("object")),
  object: fc.record(
    {
      type: fc.constantFrom("object", "string", "array", "number", "integer", "boolean", "null", [
        "string",
        "null",
      ]),
      properties: fc.dictionary(fc.constantFrom("city", "n", "expression", "items", "when", "x"), tie("s"), {
        maxKeys: 3,
      }),
      required: fc.array(fc.constantFrom("city", "n", "x", "missing")),
      items: tie("s"),
      enum: fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 3 }),
      minimum: fc.integer(),
      maximum: fc.integer(),
      format: fc.constantFrom("date", "email", "uri"),
      minItems: fc.nat(5),
      $ref: fc.constantFrom("#/$defs/A", "#/nope", "http://x"),
      anyOf: fc.array(tie("s"), { maxLength: 2 }),
    },
    { requiredKeys: [] },
  ),
}));
/** An object at the root (as Bedrock requires), anything below. */
const jsonSchema = schemas.object;
/** Objects with the right member names but any values, to probe the checks below the block level. */
const lax = (...keys: string[]) =>
  fc.record(
    Object.fromEntries(
      keys.map((k) => [
        k,
        fc.oneof(anything, fc.string(), fc.record({ text: anything }), fc.array(anything, { maxLength: 2 })),
      ]),
    ),
    {
      requiredKeys: [],
    },
  );
const laxBlock = fc.oneof(
  fc.record({ document: lax("name", "format", "source", "citations") }),
  fc.record({ searchResult: lax("source", "title", "content") }),
  fc.record({ guardContent: lax("text", "image") }),
  fc.record({ citationsContent: lax("content", "citations") }),
  fc.record({ reasoningContent: lax("reasoningText", "redactedContent") }),
  fc.record({ image: lax("format", "source") }),
  fc.record({ cachePoint: lax("type", "ttl") }),
);
const userBlock = fc.oneof(
  { arbitrary: fc.record({ text: prompt }), weight: 20 },
  {
    arbitrary: fc.record({
      document: fc.record({
        name: fc.string({ minLength: 1 }),
        format: fc.constantFrom("txt", "pdf", "md", "csv"),
        source: fc.oneof(
          fc.record({ text: fc.string() }),
          fc.record({ bytes: fc.base64String() }),
          fc.record({ content: fc.array(fc.record({ text: fc.string() })) }),
        ),
        citations: fc.option(fc.record({ enabled: fc.boolean() }), { nil: undefined }),
      }),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      image: fc.record({ format: fc.constant("png"), source: fc.record({ bytes: fc.base64String() }) }),
    }),
    weight: 1,
  },
  { arbitrary: fc.constant({ cachePoint: { type: "default" } }), weight: 1 },
  { arbitrary: fc.record({ guardContent: fc.record({ text: fc.record({ text: prompt }) }) }), weight: 1 },
  { arbitrary: laxBlock, weight: 1 },
  { arbitrary: anything, weight: 1 },
);
const assistantBlock = fc.oneof(
  { arbitrary: fc.record({ text: fc.string() }), weight: 12 },
  {
    arbitrary: fc.record({
      reasoningContent: fc.record({
        reasoningText: fc.record({ text: fc.string(), signature: fc.string() }),
      }),
    }),
    weight: 4,
  },
  { arbitrary: anything, weight: 1 },
);
const conversation = fc
  .array(
    fc.tuple(
      fc.array(userBlock, { minLength: 1, maxLength: 3 }),
      fc.array(assistantBlock, { minLength: 1, maxLength: 2 }),
    ),
    { minLength: 1, maxLength: 3 },
  )
  .map((turns) =>
    turns.flatMap(([u, a], i) => [
      { role: "user", content: u },
      ...(i < turns.length - 1 ? [{ role: "assistant", content: a }] : []),
    ]),
  );
const tool = fc.oneof(
  fc.record({
    toolSpec: fc.record({
      name: fc.constantFrom("get_weather", "calculator", "lookup"),
      description: fc.option(fc.string({ minLength: 1 }), { nil: undefined }),
      inputSchema: fc.record({ json: jsonSchema }),
    }),
  }),
  fc.constant({ cachePoint: { type: "default" } }),
);
const body = fc.record(
  {
    messages: mostly(conversation),
    system: mostly(
      fc.array(
        fc.oneof(
          fc.record({ text: fc.string({ minLength: 1 }) }),
          fc.constant({ cachePoint: { type: "default" } }),
        ),
      ),
    ),
    inferenceConfig: mostly(
      fc.record(
        {
          maxTokens: fc.integer({ min: 1, max: 40 }),
          temperature: fc.double({ min: 0, max: 1, noNaN: true }),
          stopSequences: fc.array(fc.string({ minLength: 1 }), { maxLength: 2 }),
        },
        { requiredKeys: [] },
      ),
    ),
    toolConfig: mostly(
      fc.record(
        {
          tools: fc.uniqueArray(tool, {
            minLength: 1,
            maxLength: 3,
            selector: (t: any) => t.toolSpec?.name ?? Math.random(),
          }),
          toolChoice: fc.constantFrom({ any: {} }, { auto: {} }, { tool: { name: "calculator" } }),
        },
        { requiredKeys: ["tools"] },
      ),
    ),
    additionalModelRequestFields: mostly(
      fc.constantFrom(
        { thinking: { type: "enabled", budget_tokens: 1024 } },
        { reasoningConfig: { type: "enabled" } },
        {},
      ),
    ),
    outputConfig: mostly(
      fc.record({
        textFormat: fc.record({
          type: fc.constant("json_schema"),
          structure: fc.record({
            jsonSchema: fc.record({ schema: jsonSchema.map((s) => JSON.stringify(s) ?? "null") }),
          }),
        }),
      }),
    ),
    guardrailConfig: mostly(
      fc.record({
        guardrailIdentifier: fc.string({ minLength: 1 }),
        guardrailVersion: fc.constant("1"),
        trace: fc.constantFrom("enabled", "disabled"),
      }),
    ),
    additionalModelResponseFieldPaths: mostly(fc.constant(["/stop_sequence"])),
  },
  { requiredKeys: ["messages"] },
);

describe("robustness", () => {
  it("arbitrary bodies get 200 or a 400 with a message, and 200 answers are complete", async () => {
    const emulator = createEmulator();
    const statuses = { ok: 0, invalid: 0 };
    await fc.assert(
      fc.asyncProperty(body, fc.boolean(), async (b, stream) => {
        const response = await emulator.fetch(converseRequest(b, { stream }));
        const { bytes } = await readAll(response.body);
        const text = new TextDecoder().decode(bytes);
        if (response.status === 400) {
          statuses.invalid++;
          expect(JSON.parse(text).message).toMatch(/\S/);
          return;
        }
        expect(response.status, text).toBe(200);
        statuses.ok++;
        if (stream) expect(decodeFrames(bytes).at(-1)?.headers[":event-type"]).toBe("metadata");
        else expect(JSON.parse(text).output.message.role).toBe("assistant");
      }),
      { numRuns: 2000 },
    );
    // The generator reaches the model, not only the validator.
    expect(statuses.ok).toBeGreaterThan(500);
    expect(statuses.invalid).toBeGreaterThan(500);
  });
});
