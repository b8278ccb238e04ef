// provider.embeddingModel under the real AI SDK 7 (embed, embedMany, cosineSimilarity), against the emulator
// over node:http on loopback: the vectors, their order and dimension, usage, provider options and errors.
import { APICallError, cosineSimilarity, embed, embedMany } from "ai";
import { afterAll, describe, expect, it } from "vitest";
import { createBedrockEdge } from "../../src/ai-sdk/index.ts";
import { createEmulator, type RequestInfo } from "../../src/emulator/index.ts";
import { serve } from "../../src/node/index.ts";

const TITAN = "amazon.titan-embed-text-v2:0";
const COHERE = "cohere.embed-v4:0";
const seen: RequestInfo[] = [];
const server = await serve(createEmulator({ onRequest: (info) => seen.push(info) }));
afterAll(() => server.close());

const provider = createBedrockEdge(
  {
    key: "ai-sdk-embed-key-0123456789",
    url: `${server.url}/model/`,
    region: "us-east-1",
    modelIdPrefix: "none",
    logLevel: "silent",
    models: { titan: { modelName: TITAN } },
  },
  { env: {} },
);

describe("bedrock-edge/ai-sdk embeddingModel", () => {
  it("embed: one vector of the family's default dimension, usage from the family's answer, an alias resolved", async () => {
    const result = await embed({ model: provider.embeddingModel("titan"), value: "the cat sat on the mat" });
    expect(result.embedding).toHaveLength(1024); // Titan Text V2's default
    expect(result.usage.tokens).toBeGreaterThan(0);
    expect(seen.at(-1)?.modelId).toBe(TITAN);
  });

  it("providerOptions.bedrock: dimensions and normalize reach the family's body; unknown keys are warned about", async () => {
    const result = await embed({
      model: provider.embeddingModel(TITAN),
      value: "the cat sat on the mat",
      providerOptions: { bedrock: { dimensions: 256, normalize: true, embeddingTypes: ["float"] } },
    });
    expect(result.embedding).toHaveLength(256);
    expect(Math.hypot(...result.embedding)).toBeCloseTo(1, 5);
    expect(result.warnings).toContainEqual(
      expect.objectContaining({ type: "unsupported", feature: "providerOptions.bedrock.embeddingTypes" }),
    );
  });

  it("embedMany: order kept across Cohere batches, similar texts closer than unrelated ones", async () => {
    const values = Array.from({ length: 130 }, (_, i) =>
      i % 2 ? `invoice number ${i} for the office chairs` : `the weather in city ${i} is sunny and warm`,
    );
    const before = seen.length;
    const { embeddings } = await embedMany({ model: provider.embeddingModel(COHERE), values, maxRetries: 0 });
    expect(embeddings).toHaveLength(130);
    // 130 values in Cohere's batches of 96: two requests, in one doEmbed call
    expect(seen.length - before).toBe(2);
    const single = await embed({ model: provider.embeddingModel(COHERE), value: values[77], maxRetries: 0 });
    expect(single.embedding).toEqual(embeddings[77]);
    expect(cosineSimilarity(embeddings[0], embeddings[2])).toBeGreaterThan(
      cosineSimilarity(embeddings[0], embeddings[1]),
    );
  });

  it("a model id of no embedding family is an error that names the model and the families", async () => {
    const error = await embed({
      model: provider.embeddingModel("anthropic.claude-3-haiku-20240307-v1:0"),
      value: "x",
      maxRetries: 0,
    }).catch((e) => e);
    expect(error).toBeInstanceOf(Error);
    expect(String(error.message)).toMatch(/not an embedding model this SDK knows/);
  });

  it("a service error is an APICallError with status and retryability", async () => {
    const error = await embed({
      model: provider.embeddingModel(TITAN),
      value: "x",
      maxRetries: 0,
      headers: { "x-bedrock-edge-fault": "throttle" },
    }).catch((e) => e);
    expect(APICallError.isInstance(error)).toBe(true);
    expect(error.statusCode).toBe(429);
    expect(error.isRetryable).toBe(true);
  });
});
