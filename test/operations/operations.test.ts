// The operations beyond Converse (issue 16) end to end: the client against the emulator on loopback, over HTTP,
// with the same auth, retries, timeouts and typed errors as Converse.
import { describe, expect, it } from "vitest";
import { BedrockError, createBedrock } from "../../src/index";
import { startEmulator } from "../emulator/helpers";

const { server } = await startEmulator({ faults: undefined });
const CHAT = "anthropic.claude-3-5-haiku-20241022-v1:0";
const bedrock = createBedrock({
  url: `${server.url}/model/`,
  modelIdPrefix: "none",
  key: "emulator-api-key",
  logLevel: "silent",
  models: { chat: { modelName: CHAT } },
});

const user = (text: string) => [{ role: "user" as const, content: text }];

const cosine = (a: number[], b: number[]) => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
};

describe("countTokens", () => {
  it("counts what request() would send: the emulator's count equals its Converse answer's inputTokens", async () => {
    const messages = user("What is the capital of France? Answer in one word.");
    const options = { model: "chat", system: "You are terse.", maxTokens: 50 } as const;
    const counted = await bedrock.countTokens(messages, options);
    const answered = await bedrock.request(messages, options);
    expect(counted.inputTokens).toBeGreaterThan(5);
    expect(counted.inputTokens).toBe(answered.usage?.inputTokens);
  });

  it("counts tools too (the same request builder)", async () => {
    const tools = [
      {
        name: "get_weather",
        description: "Weather for a city, today and tomorrow",
        inputSchema: { type: "object", properties: { city: { type: "string" } } },
      },
    ];
    const bare = await bedrock.countTokens(user("Weather in Oslo?"), { model: "chat" });
    const withTools = await bedrock.countTokens(user("Weather in Oslo?"), { model: "chat", tools } as any);
    expect(withTools.inputTokens).toBeGreaterThan(bare.inputTokens);
  });

  it("retries a throttled count like any call, and types a service error", async () => {
    const retried = await bedrock.countTokens(user("hi"), {
      model: "chat",
      headers: {
        "x-bedrock-edge-fault": "fail-first;count=1;code=ThrottlingException",
        "x-bedrock-edge-fault-key": "ct1",
      },
    });
    expect(retried.inputTokens).toBeGreaterThan(0);
    const error = await bedrock
      .countTokens(user("hi"), {
        model: "chat",
        maxRetries: 0,
        headers: { "x-bedrock-edge-fault": "validation" },
      })
      .catch((e) => e);
    expect(error).toBeInstanceOf(BedrockError);
    expect(error.name).toBe("ValidationException");
  });
});

describe("invoke", () => {
  it("sends the native body and returns the native answer with the header token counts", async () => {
    const body = {
      anthropic_version: "bedrock-2023-05-31",
      max_tokens: 100,
      messages: [{ role: "user", content: "What is the capital of France?" }],
    };
    const result = await bedrock.invoke<any>(body, { model: CHAT });
    expect(result.body.type).toBe("message");
    expect(result.body.content[0].type).toBe("text");
    const converse = await bedrock.request(user("What is the capital of France?"), {
      model: "chat",
      maxTokens: 100,
    });
    expect(result.body.content[0].text).toBe(converse.outputText);
    expect(result.usage.inputTokens).toBe(result.body.usage.input_tokens);
    expect(result.usage.outputTokens).toBe(result.body.usage.output_tokens);
  });

  it("a misspelt option is a RequestError naming it, for every operation", async () => {
    await expect(bedrock.invoke({}, { model: CHAT, maxRetry: 1 } as any)).rejects.toMatchObject({
      name: "RequestError",
      message: expect.stringMatching(/^options\.maxRetry: unknown option/),
    });
    await expect(
      bedrock.embed("x", { model: "amazon.titan-embed-text-v2:0", dimension: 256 } as any),
    ).rejects.toMatchObject({ message: expect.stringMatching(/^options\.dimension:/) });
    await expect(
      bedrock.applyGuardrail(
        {
          guardrailIdentifier: "g",
          guardrailVersion: "1",
          source: "INPUT",
          content: [{ text: { text: "x" } }],
        },
        { retries: 1 } as any,
      ),
    ).rejects.toMatchObject({ message: expect.stringMatching(/^options\.retries:/) });
  });

  it("rejects a body that is not a JSON object before sending", async () => {
    await expect(bedrock.invoke("not json", { model: CHAT })).rejects.toMatchObject({ name: "RequestError" });
  });

  it("a truncated JSON answer is a typed error, never a half-parsed body", async () => {
    const error = await bedrock
      .invoke(
        {
          anthropic_version: "bedrock-2023-05-31",
          max_tokens: 50,
          messages: [{ role: "user", content: "hi" }],
        },
        { model: CHAT, maxRetries: 0, headers: { "x-bedrock-edge-fault": "truncate" } },
      )
      .catch((e) => e);
    expect(error).toBeInstanceOf(BedrockError);
    expect(error.name).toBe("UnexpectedResponseError");
  });
});

describe("invokeStream", () => {
  const body = {
    anthropic_version: "bedrock-2023-05-31",
    max_tokens: 200,
    messages: [{ role: "user", content: "Tell me about the river Thames in London." }],
  };

  it("yields each chunk's native JSON as it arrives, and the invocation metrics at the end", async () => {
    const stream = bedrock.invokeStream<any>(body, { model: CHAT });
    const types: string[] = [];
    let text = "";
    for await (const chunk of stream) {
      types.push(chunk.type);
      if (chunk.type === "content_block_delta") text += chunk.delta.text;
    }
    expect(types[0]).toBe("message_start");
    expect(types.at(-1)).toBe("message_stop");
    const converse = await bedrock.request(user("Tell me about the river Thames in London."), {
      model: "chat",
      maxTokens: 200,
    });
    expect(text).toBe(converse.outputText);
    expect(stream.usage?.inputTokens).toBe(converse.usage?.inputTokens);
    expect(stream.usage?.outputTokens).toBe(converse.usage?.outputTokens);
  });

  it("an exception frame mid-stream is the typed service error, with the chunks that arrived", async () => {
    const got: unknown[] = [];
    const error = await (async () => {
      for await (const chunk of bedrock.invokeStream(body, {
        model: CHAT,
        headers: { "x-bedrock-edge-fault": "model-stream-error;after=3" },
      }))
        got.push(chunk);
    })().catch((e) => e);
    expect(error).toBeInstanceOf(BedrockError);
    expect(error.name).toBe("ModelStreamErrorException");
    expect(error.phase).toBe("stream");
    expect(got.length).toBe(3);
    expect(error.partial.eventsDelivered).toBe(3);
  });

  it("a stream cut mid-frame is a typed error, never a silent end", async () => {
    const error = await (async () => {
      for await (const _ of bedrock.invokeStream(body, {
        model: CHAT,
        maxRetries: 0,
        headers: { "x-bedrock-edge-fault": "truncate" },
      }));
    })().catch((e) => e);
    expect(error).toBeInstanceOf(BedrockError);
    expect(["EventStreamError", "IncompleteStreamError"]).toContain(error.name);
  });
});

describe("embed", () => {
  const TITAN = "amazon.titan-embed-text-v2:0";

  it("Titan V2: one vector per value, of the requested dimension, unit length, in order", async () => {
    const values = [
      "The cat sat on the mat.",
      "A kitten sat on a rug.",
      "Quarterly revenue grew by 5 percent.",
    ];
    const { embeddings, usage } = await bedrock.embed(values, { model: TITAN, dimensions: 256 });
    expect(embeddings).toHaveLength(3);
    for (const v of embeddings) {
      expect(v).toHaveLength(256);
      expect(Math.hypot(...v)).toBeCloseTo(1, 5);
    }
    expect(usage?.inputTokens).toBeGreaterThan(0);
    // Order kept: each vector is the one of its own value.
    const single = await bedrock.embed(values[2], { model: TITAN, dimensions: 256 });
    expect(single.embeddings[0]).toEqual(embeddings[2]);
    // Similar texts are closer than unrelated ones.
    expect(cosine(embeddings[0], embeddings[1])).toBeGreaterThan(cosine(embeddings[0], embeddings[2]));
  });

  it("Cohere v3 and v4 take batches of up to 96: 200 values in 3 requests, order kept", async () => {
    const seen: string[] = [];
    const { server: s2 } = await startEmulator({ onRequest: (info) => seen.push(info.path) });
    const client = createBedrock({
      url: `${s2.url}/model/`,
      modelIdPrefix: "none",
      key: "k",
      logLevel: "silent",
    });
    const values = Array.from({ length: 200 }, (_, i) => `document number ${i}`);
    const v4 = await client.embed(values, {
      model: "cohere.embed-v4:0",
      dimensions: 512,
      purpose: "document",
    });
    expect(seen.filter((p) => p.endsWith("/invoke"))).toHaveLength(3);
    expect(v4.embeddings).toHaveLength(200);
    expect(v4.embeddings[0]).toHaveLength(512);
    const last = await client.embed(values[199], { model: "cohere.embed-v4:0", dimensions: 512 });
    expect(last.embeddings[0]).toEqual(v4.embeddings[199]);
    const v3 = await client.embed(["a", "b"], { model: "cohere.embed-english-v3", normalize: true });
    expect(v3.embeddings[1]).toHaveLength(1024);
    expect(Math.hypot(...v3.embeddings[1])).toBeCloseTo(1, 5);
  });

  it("Cohere: texts and images go in separate requests (v3: one image per call), order kept", async () => {
    const seen: string[] = [];
    const { server: s5 } = await startEmulator({ onRequest: (info) => seen.push(JSON.stringify(info.body)) });
    const client = createBedrock({
      url: `${s5.url}/model/`,
      modelIdPrefix: "none",
      key: "k",
      logLevel: "silent",
    });
    const red = { image: new Uint8Array([1, 2, 3]), format: "png" as const };
    const blue = { image: new Uint8Array([4, 5, 6]), format: "png" as const };
    const mixed = await client.embed(["first", red, blue, "last"], {
      model: "cohere.embed-v4:0",
      dimensions: 256,
    });
    expect(mixed.embeddings).toHaveLength(4);
    expect(seen).toHaveLength(3);
    const alone = await client.embed(blue, { model: "cohere.embed-v4:0", dimensions: 256 });
    expect(alone.embeddings[0]).toEqual(mixed.embeddings[2]);
    seen.length = 0;
    const v3 = await client.embed([red, blue], { model: "cohere.embed-english-v3" });
    expect(v3.embeddings).toHaveLength(2);
    expect(seen).toHaveLength(2);
  });

  it("Nova and Titan multimodal: text and images, with bounded concurrency", async () => {
    let inFlight = 0;
    let peak = 0;
    const { server: s3 } = await startEmulator({
      model: undefined,
      onRequest: () => {
        inFlight--;
      },
    });
    const counting: typeof fetch = async (input, init) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      return fetch(input, init);
    };
    const client = createBedrock(
      { url: `${s3.url}/model/`, modelIdPrefix: "none", key: "k", logLevel: "silent" },
      { fetch: counting },
    );
    const values = Array.from({ length: 9 }, (_, i) => `note ${i}`);
    const nova = await client.embed(values, {
      model: "amazon.nova-2-multimodal-embeddings-v1:0",
      dimensions: 384,
      concurrency: 2,
    });
    expect(nova.embeddings).toHaveLength(9);
    expect(nova.embeddings[4]).toHaveLength(384);
    expect(peak).toBeLessThanOrEqual(2);
    const image = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4]);
    const g1 = await client.embed([{ image, format: "png" }, "a red square"], {
      model: "amazon.titan-embed-image-v1",
      dimensions: 384,
    });
    expect(g1.embeddings.map((v) => v.length)).toEqual([384, 384]);
  });

  it("an unknown model is a clear error; `raw` is the way to use it", async () => {
    const error = await bedrock.embed("hi", { model: "acme.embedder-v1:0" }).catch((e) => e);
    expect(error.name).toBe("RequestError");
    expect(error.message).toMatch(/not an embedding model this SDK knows.*options\.raw/);
    // The escape hatch: the caller's own body and reader (here Titan V2's shape, read from embeddingsByType).
    const raw = await bedrock.embed(["one", "two"], {
      model: "amazon.titan-embed-text-v2:0",
      raw: {
        body: ([v]) => ({ inputText: v, dimensions: 256, normalize: false }),
        embeddings: (answer) => [answer.embeddingsByType.float],
      },
    });
    expect(raw.embeddings.map((v) => v.length)).toEqual([256, 256]);
    expect(Math.hypot(...raw.embeddings[0])).not.toBeCloseTo(1, 3);
  });
});

describe("applyGuardrail", () => {
  it("passes clean content and intervenes on a blocked word, typed as AWS answers", async () => {
    const pass = await bedrock.applyGuardrail({
      guardrailIdentifier: "gr-abc123",
      guardrailVersion: "1",
      source: "INPUT",
      content: [{ text: { text: "What is the weather in Oslo?" } }],
    });
    expect(pass.action).toBe("NONE");
    expect(pass.outputs).toEqual([]);
    expect(pass.usage.wordPolicyUnits).toBe(1);
    const blocked = await bedrock.applyGuardrail({
      guardrailIdentifier: "gr-abc123",
      guardrailVersion: "DRAFT",
      source: "OUTPUT",
      content: [{ text: { text: "please BLOCKME now" } }],
    });
    expect(blocked.action).toBe("GUARDRAIL_INTERVENED");
    expect(blocked.outputs[0].text).toMatch(/cannot answer/);
    expect(blocked.assessments[0].wordPolicy?.customWords?.[0].match).toBe("BLOCKME");
  });

  it("says what is wrong with the input before sending", async () => {
    await expect(
      bedrock.applyGuardrail({
        guardrailIdentifier: "g",
        guardrailVersion: "1",
        source: "BOTH" as any,
        content: [],
      }),
    ).rejects.toMatchObject({ name: "RequestError", message: expect.stringMatching(/^source:/) });
  });
});

describe("the same transport as Converse", () => {
  const body = { anthropic_version: "bedrock-2023-05-31", max_tokens: 50, messages: user("hi") };

  it("SigV4 credentials sign every operation; a wrong API key is a typed 403 that never shows the key", async () => {
    const { server: strict } = await startEmulator({ apiKeys: ["the-right-key-0123"] });
    const signed = createBedrock(
      {
        url: `${strict.url}/model/`,
        modelIdPrefix: "none",
        region: "us-east-1",
        credentials: { accessKeyId: "AKIDOPERATIONS", secretAccessKey: "operations-secret-0123" },
        logLevel: "silent",
      },
      { env: {} },
    );
    expect((await signed.countTokens(user("hi"), { model: CHAT })).inputTokens).toBeGreaterThan(0);
    const wrong = createBedrock(
      { url: `${strict.url}/model/`, modelIdPrefix: "none", key: "wrong-key-9876543210", logLevel: "silent" },
      { env: {} },
    );
    const error = await wrong.invoke(body, { model: CHAT }).catch((e) => e);
    expect(error).toBeInstanceOf(BedrockError);
    expect(error.status).toBe(403);
    expect(`${error.message} ${error.stack} ${JSON.stringify(error)}`).not.toContain("wrong-key-9876543210");
  });

  it("firstByteTimeoutMs and the caller's abort end a call with typed errors", async () => {
    const slow = { "x-bedrock-edge-fault": "slow-first-byte;ms=2000" };
    const timedOut = await bedrock
      .invoke(body, { model: CHAT, maxRetries: 0, firstByteTimeoutMs: 100, headers: slow })
      .catch((e) => e);
    expect(timedOut.name).toBe("TimeoutError");
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const aborted = await bedrock
      .embed("x", { model: "amazon.titan-embed-text-v2:0", signal: controller.signal, headers: slow })
      .catch((e) => e);
    expect(aborted.name).toBe("AbortError");
  });

  it("leaving an invokeStream loop early aborts the request", async () => {
    const { server: s4 } = await startEmulator({ eventDelayMs: 20 });
    const signals: AbortSignal[] = [];
    const watching: typeof fetch = (input, init) => {
      signals.push((init?.signal ?? (input as Request).signal) as AbortSignal);
      return fetch(input, init);
    };
    const client = createBedrock(
      { url: `${s4.url}/model/`, modelIdPrefix: "none", key: "k", logLevel: "silent" },
      { fetch: watching },
    );
    let seen = 0;
    for await (const _ of client.invokeStream(
      { ...body, messages: user("Tell me a long story about the sea and the ships") },
      { model: CHAT },
    )) {
      if (++seen === 2) break;
    }
    expect(seen).toBe(2);
    expect(signals).toHaveLength(1);
    expect(signals[0].aborted).toBe(true);
    expect(signals[0].reason?.message).toMatch(/cancelled/);
  });
});
