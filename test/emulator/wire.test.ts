import { describe, expect, it } from "vitest";
import { createEmulator, EmulatorError, type RequestInfo } from "../../src/emulator";
import {
  converseRequest,
  type DecodedFrame,
  decodeFrames,
  fixtureBytes,
  fixtureJson,
  MODEL,
  readAll,
  user,
} from "./helpers";

// Driving the emulator through fetch directly (no HTTP): its bytes follow the rules Bedrock's do, checked
// against recorded captures.

const PAD = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

async function streamFrames(emulator: ReturnType<typeof createEmulator>, body: unknown, options = {}) {
  const response = await emulator.fetch(converseRequest(body, { stream: true, ...options }));
  const { bytes, chunks } = await readAll(response.body);
  return { response, bytes, chunks, frames: decodeFrames(bytes) };
}

/** Frame shape: event type, delta kind and block index, consecutive repeats collapsed. */
function shape(frames: DecodedFrame[]): string[] {
  const out: string[] = [];
  for (const f of frames) {
    const type = f.headers[":event-type"];
    const j = f.json;
    const kind = j.delta
      ? Object.keys(j.delta)[0] +
        (j.delta.reasoningContent ? `.${Object.keys(j.delta.reasoningContent)[0]}` : "")
      : j.start
        ? Object.keys(j.start)[0]
        : "";
    const s = `${type}${kind ? `:${kind}` : ""}${j.contentBlockIndex !== undefined ? `@${j.contentBlockIndex}` : ""}`;
    if (out.at(-1) !== s) out.push(s);
  }
  return out;
}

function checkAwsFraming(frames: DecodedFrame[]) {
  for (const f of frames) {
    expect(f.headerNames).toEqual([":event-type", ":content-type", ":message-type"]);
    expect(f.headers[":content-type"]).toBe("application/json");
    expect(f.headers[":message-type"]).toBe("event");
    const keys = Object.keys(f.json);
    expect(keys).toEqual([...keys].sort());
    expect(PAD.startsWith(f.json.p)).toBe(true);
    expect(f.json.p.length).toBeGreaterThanOrEqual(1);
  }
}

describe("event-stream framing matches Bedrock's", () => {
  const emulator = createEmulator();

  it("the recorded captures follow the rules this test checks (header order, sorted keys, p padding)", () => {
    for (const name of [
      "test_bedrock_model_stream",
      "test_bedrock_model_thinking_part_stream",
      "envoy-ai-gateway_claude_tool_use_cosine",
    ]) {
      checkAwsFraming(decodeFrames(fixtureBytes(`${name}.eventstream.bin`)));
    }
  });

  it("emulator frames: same header order, sorted keys, padding of varying length", async () => {
    const { response, frames } = await streamFrames(emulator, { messages: [user("Write 30 words")] });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/vnd.amazon.eventstream");
    expect(response.headers.get("x-amzn-RequestId")).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    checkAwsFraming(frames);
    expect(new Set(frames.map((f) => f.json.p.length)).size).toBeGreaterThan(3);
  });

  const scenarios: [string, unknown][] = [
    [
      "test_bedrock_model_thinking_part_stream",
      {
        messages: [user("Hello")],
        additionalModelRequestFields: { thinking: { type: "enabled", budget_tokens: 1024 } },
      },
    ],
    [
      "test_bedrock_document_citations_live_stream",
      fixtureJson("test_bedrock_document_citations_live_stream.json").request.body,
    ],
    [
      "envoy-ai-gateway_claude_tool_use_cosine",
      {
        messages: [user("Calculate the cosine of 7")],
        toolConfig: {
          tools: [
            {
              toolSpec: {
                name: "cosine",
                description: "Calculate the cosine of x.",
                inputSchema: {
                  json: { type: "object", properties: { x: { type: "number" } }, required: ["x"] },
                },
              },
            },
          ],
        },
      },
    ],
  ];
  for (const [recording, body] of scenarios) {
    it(`the event sequence has the shape of the recorded ${recording}`, async () => {
      const { frames } = await streamFrames(emulator, typeof body === "string" ? JSON.parse(body) : body);
      const recorded = decodeFrames(fixtureBytes(`${recording}.eventstream.bin`));
      expect(shape(frames)).toEqual(shape(recorded));
    });
  }

  it("tool input for the cosine recording's request is the recorded argument", async () => {
    const { frames } = await streamFrames(emulator, scenarios[2][1]);
    const input = frames.flatMap((f) => (f.json.delta?.toolUse ? [f.json.delta.toolUse.input] : [])).join("");
    expect(JSON.parse(input)).toEqual({ x: 7 });
  });

  it("the same request gives the same bytes (fixed latency)", async () => {
    const fixed = createEmulator({ latencyMs: 42 });
    const body = { messages: [user("Determinism check")] };
    const a = await streamFrames(fixed, body);
    const b = await streamFrames(fixed, body);
    expect(a.bytes).toEqual(b.bytes);
    expect(a.frames.at(-1)?.json.metrics).toEqual({ latencyMs: 42 });
  });

  it("one chunk per frame by default; chunkSize re-chunks the same bytes, straddling frames", async () => {
    const body = { messages: [user("Write 12 words")] };
    const whole = await streamFrames(emulator, body);
    expect(whole.chunks).toEqual(whole.frames.map((f) => f.payload.length + 16 + headersLength(f)));
    for (const size of [1, 7, 100]) {
      const chunked = await streamFrames(createEmulator({ chunkSize: size, latencyMs: 0 }), body);
      const reference = await streamFrames(createEmulator({ latencyMs: 0 }), body);
      expect(chunked.bytes).toEqual(reference.bytes);
      expect(chunked.chunks.slice(0, -1).every((n) => n === size)).toBe(true);
      expect(chunked.chunks.at(-1)).toBeLessThanOrEqual(size);
    }
  });
});

function headersLength(f: DecodedFrame): number {
  return f.headerNames.reduce(
    (n, name) => n + 1 + name.length + 1 + 2 + new TextEncoder().encode(f.headers[name]).length,
    0,
  );
}

describe("/converse JSON matches Bedrock's", () => {
  const emulator = createEmulator();

  it("keys sorted at every level, content-length set, shapes as recorded (citations)", async () => {
    const recorded = fixtureJson("test_bedrock_document_citations_live.json").interactions[0];
    const response = await emulator.fetch(converseRequest(recorded.request.body));
    const text = await response.text();
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(Number(response.headers.get("content-length"))).toBe(new TextEncoder().encode(text).length);
    const sortedText = JSON.stringify(JSON.parse(text), (_k, v) =>
      v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
        : v,
    );
    expect(text).toBe(sortedText);
    const body = JSON.parse(text);
    const recordedBody = recorded.response.body;
    expect(body.output.message.content).toEqual(recordedBody.output.message.content);
    expect(Object.keys(body).sort()).toEqual(["metrics", "output", "stopReason", "usage"]);
    expect(body.stopReason).toBe(recordedBody.stopReason);
  });

  it("a tool call has the recorded shape for the recorded request", async () => {
    const recorded = fixtureJson("TestToolChoiceAuto.test_auto_with_function_tools_uses_tool.json")
      .interactions[0];
    const body = await (await emulator.fetch(converseRequest(recorded.request.body))).json();
    const mine = body.output.message.content.find((b: any) => b.toolUse).toolUse;
    const theirs = recorded.response.body.output.message.content[0].toolUse;
    expect(mine.input).toEqual(theirs.input);
    expect(mine.name).toBe(theirs.name);
    expect(mine.toolUseId).toMatch(/^tooluse_[A-Za-z0-9_-]{22}$/);
    expect(theirs.toolUseId).toMatch(/^tooluse_[A-Za-z0-9_-]{22}$/);
    expect(body.stopReason).toBe("tool_use");
  });

  it("a guardrail trace has the recorded structure", async () => {
    const recorded = fixtureJson("test_bedrock_model_guardrail_config.json").interactions[0];
    const body = await (await emulator.fetch(converseRequest(recorded.request.body))).json();
    const paths = (v: any, prefix = ""): string[] =>
      v && typeof v === "object" && !Array.isArray(v)
        ? Object.entries(v).flatMap(([k, x]) =>
            paths(x, `${prefix}/${/^[a-z0-9]{12}$|^gr/.test(k) ? "<id>" : k}`),
          )
        : [prefix];
    const mine = new Set(paths(body.trace));
    // Every leaf the emulator writes exists in the recorded trace (no invented members).
    for (const p of mine) expect(paths(recorded.response.body.trace)).toContain(p);
  });
});

describe("errors and routing", () => {
  const emulator = createEmulator();

  it("unknown paths answer the recorded UnknownOperationException body with 404", async () => {
    const recorded = fixtureJson("vercel_issue-17523-unknown-operation.json");
    for (const path of [
      "/model/arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.x.y/converse",
      "/models",
      `/model/${MODEL}/invoke-async`,
    ]) {
      const response = await emulator.fetch(
        new Request(`http://e.test${path}`, { method: "POST", body: "{}" }),
      );
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual(recorded);
    }
    const get = await emulator.fetch(new Request(`http://e.test/model/${MODEL}/converse`));
    expect(get.status).toBe(404);
  });

  it("errors carry x-amzn-ErrorType in the recorded format and a JSON message", async () => {
    const recorded = fixtureJson("vercel_amazon-bedrock-empty-message-validation-error.json");
    const response = await emulator.fetch(
      converseRequest({ messages: [user("hi"), { role: "assistant", content: [] }] }),
    );
    expect(response.status).toBe(400);
    expect(response.headers.get("x-amzn-errortype")).toBe(recorded.headers["x-amzn-errortype"]);
    expect(response.headers.get("x-amzn-RequestId")).toBeTruthy();
    expect(await response.json()).toEqual(recorded.body);
  });

  it("decodes the model id once: %3A and ARNs with %2F are valid; a region prefix is not", async () => {
    const seen: RequestInfo[] = [];
    const observed = createEmulator({ onRequest: (info) => seen.push(info) });
    const ok = [
      "anthropic.claude-3-haiku-20240307-v1:0",
      "eu.anthropic.claude-sonnet-4-6",
      "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
      "us-gov.anthropic.claude-3-5-sonnet-20240620-v1:0",
      "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
      "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-sonnet-20240620-v1:0",
    ];
    for (const modelId of ok) {
      const response = await observed.fetch(converseRequest({ messages: [user("hi")] }, { modelId }));
      expect(response.status, modelId).toBe(200);
      expect(seen.at(-1)?.modelId).toBe(modelId);
    }
    for (const modelId of ["us-east-1.anthropic.claude-3-haiku-20240307-v1:0", "claude", "anthropic."]) {
      const response = await observed.fetch(converseRequest({ messages: [user("hi")] }, { modelId }));
      expect(response.status, modelId).toBe(400);
      expect(await response.json()).toEqual({ message: "The provided model identifier is invalid." });
    }
  });

  it("restricts model ids with the models option", async () => {
    const only = createEmulator({ models: ["amazon.nova-micro-v1:0"] });
    expect(
      (await only.fetch(converseRequest({ messages: [user("hi")] }, { modelId: "amazon.nova-micro-v1:0" })))
        .status,
    ).toBe(200);
    expect((await only.fetch(converseRequest({ messages: [user("hi")] }, { modelId: MODEL }))).status).toBe(
      400,
    );
  });
});

describe("auth", () => {
  const body = { messages: [user("hi")] };
  const sigv4 = (akid: string) =>
    `AWS4-HMAC-SHA256 Credential=${akid}/20250101/us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=${"a".repeat(64)}`;

  it("no Authorization -> 403 AccessDeniedException", async () => {
    const request = converseRequest(body);
    request.headers.delete("authorization");
    const response = await createEmulator().fetch(request);
    expect(response.status).toBe(403);
    expect(response.headers.get("x-amzn-ErrorType")).toMatch(/^AccessDeniedException:/);
  });

  it("any bearer or SigV4-looking header is accepted by default; other schemes are not", async () => {
    const emulator = createEmulator();
    for (const [auth, status] of [
      ["Bearer anything", 200],
      [sigv4("AKIDEXAMPLE"), 200],
      ["Basic dXNlcjpwYXNz", 403],
    ] as const) {
      const response = await emulator.fetch(converseRequest(body, { headers: { authorization: auth } }));
      expect(response.status, auth).toBe(status);
    }
  });

  it("apiKeys and accessKeyIds restrict what is accepted, and never echo the presented value", async () => {
    const emulator = createEmulator({ apiKeys: ["k1", "k2-longer"], accessKeyIds: ["AKIDGOOD"] });
    const cases = [
      ["Bearer k2-longer", 200],
      ["Bearer k2", 403],
      ["Bearer secret-guess-9876", 403],
      [sigv4("AKIDGOOD"), 200],
      [sigv4("AKIDBAD99"), 403],
    ] as const;
    for (const [auth, status] of cases) {
      const response = await emulator.fetch(converseRequest(body, { headers: { authorization: auth } }));
      expect(response.status, auth).toBe(status);
      const text = await response.text();
      expect(text).not.toContain("secret-guess");
      expect(text).not.toContain("AKIDBAD99");
    }
  });

  it("onRequest sees headers with authorization redacted", async () => {
    let info: RequestInfo | undefined;
    const emulator = createEmulator({ onRequest: (i) => (info = i) });
    await emulator.fetch(
      converseRequest(body, {
        headers: { authorization: "Bearer top-secret", "x-amz-security-token": "tok" },
      }),
    );
    expect(info?.headers.authorization).toBe("<redacted>");
    expect(info?.headers["x-amz-security-token"]).toBe("<redacted>");
    expect(JSON.stringify(info)).not.toContain("top-secret");
    expect(info).toMatchObject({ status: 200, operation: "converse", modelId: MODEL, body });
  });
});

describe("custom model responders", () => {
  it("a string reply becomes one text block; usage is computed", async () => {
    const emulator = createEmulator({ model: () => "Custom answer here" });
    const body = await (await emulator.fetch(converseRequest({ messages: [user("hi")] }))).json();
    expect(body.output.message.content).toEqual([{ text: "Custom answer here" }]);
    expect(body.usage.outputTokens).toBe(3);
    expect(body.usage.totalTokens).toBe(body.usage.inputTokens + 3);
  });

  it("a reply with a tool call streams like the built-in model's", async () => {
    const emulator = createEmulator({
      model: async () => ({
        content: [{ toolUse: { toolUseId: "tooluse_custom", name: "lookup", input: { id: 7 } } }],
      }),
    });
    const { frames } = await streamFrames(emulator, {
      messages: [user("x")],
      toolConfig: { tools: [{ toolSpec: { name: "lookup", inputSchema: { json: { type: "object" } } } }] },
    });
    expect(frames.find((f) => f.json.start)?.json.start).toEqual({
      toolUse: { name: "lookup", toolUseId: "tooluse_custom" },
    });
    expect(frames.find((f) => f.headers[":event-type"] === "messageStop")?.json.stopReason).toBe("tool_use");
  });

  it("can wrap the built-in reply, and sees the request and context", async () => {
    const emulator = createEmulator({
      model: (request, context) => {
        const reply = context.builtin();
        return {
          ...reply,
          content: [
            {
              text: `[${context.operation} ${context.modelId} ${request.messages?.length}] ${reply.content[0].text}`,
            },
          ],
        };
      },
    });
    const body = await (await emulator.fetch(converseRequest({ messages: [user("wrap me")] }))).json();
    expect(body.output.message.content[0].text).toMatch(
      /^\[converse us\.anthropic.* 1\] You said: "wrap me"/,
    );
  });

  it("throwing EmulatorError answers that error; other errors and bad replies are InternalServerException", async () => {
    const throttled = createEmulator({
      model: () => {
        throw new EmulatorError("ThrottlingException", "Slow down");
      },
    });
    const a = await throttled.fetch(converseRequest({ messages: [user("x")] }));
    expect([a.status, await a.json()]).toEqual([429, { message: "Slow down" }]);

    const broken = createEmulator({
      model: () => {
        throw new Error("boom");
      },
    });
    const b = await broken.fetch(converseRequest({ messages: [user("x")] }));
    expect(b.status).toBe(500);
    expect((await b.json()).message).toContain("boom");

    const bad = createEmulator({ model: () => ({ content: [{ image: {} } as any] }) });
    const c = await bad.fetch(converseRequest({ messages: [user("x")] }));
    expect(c.status).toBe(500);
    expect((await c.json()).message).toMatch(/content\[0\]/);
  });
});

describe("pacing", () => {
  async function arrivalTimes(response: Response): Promise<number[]> {
    const times: number[] = [];
    for await (const _ of response.body as any as AsyncIterable<Uint8Array>) times.push(performance.now());
    return times;
  }

  it("eventDelayMs and delay;ms space every event; nothing is sent ahead of time", async () => {
    for (const [emulator, headers] of [
      [createEmulator({ eventDelayMs: 40 }), {}],
      [createEmulator(), { "x-bedrock-edge-fault": "delay;ms=40" }],
    ] as const) {
      const response = await emulator.fetch(
        converseRequest({ messages: [user("Write 6 words")] }, { stream: true, headers }),
      );
      const times = await arrivalTimes(response);
      const gaps = times.slice(1).map((t, i) => t - times[i]);
      expect(gaps.length).toBeGreaterThan(4);
      for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(35);
    }
  });

  it("stall on /converse delays the JSON body after the head", async () => {
    const emulator = createEmulator();
    const started = performance.now();
    const response = await emulator.fetch(
      converseRequest({ messages: [user("x")] }, { headers: { "x-bedrock-edge-fault": "stall;ms=150" } }),
    );
    expect(performance.now() - started).toBeLessThan(100);
    expect((await response.json()).stopReason).toBe("end_turn");
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe("lifecycle", () => {
  it("aborting the signal option ends open streams and refuses new requests", async () => {
    const controller = new AbortController();
    const emulator = createEmulator({ signal: controller.signal, eventDelayMs: 50 });
    const response = await emulator.fetch(
      converseRequest({ messages: [user("Write 200 words")] }, { stream: true }),
    );
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort(new Error("shutting down"));
    await expect(
      (async () => {
        for (;;) if ((await reader.read()).done) return "ended quietly";
      })(),
    ).rejects.toThrow("shutting down");
    const after = await emulator.fetch(converseRequest({ messages: [user("x")] }));
    expect(after.status).toBe(503);
  });

  it("cancelling the body stops a stalled stream at once", async () => {
    const emulator = createEmulator();
    const response = await emulator.fetch(
      converseRequest(
        { messages: [user("x")] },
        { stream: true, headers: { "x-bedrock-edge-fault": "stall;ms=600000;after=1" } },
      ),
    );
    const reader = response.body!.getReader();
    await reader.read();
    const started = Date.now();
    const pending = reader.read();
    await reader.cancel();
    expect((await pending).done).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("requestIdPrefix prefixes the UUID; CORS preflight is answered", async () => {
    const emulator = createEmulator({ requestIdPrefix: "emu-" });
    const response = await emulator.fetch(converseRequest({ messages: [user("x")] }));
    expect(response.headers.get("x-amzn-RequestId")).toMatch(/^emu-[0-9a-f-]{36}$/);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    const preflight = await emulator.fetch(
      new Request(`http://e.test/model/${MODEL}/converse-stream`, {
        method: "OPTIONS",
        headers: { "access-control-request-headers": "authorization,content-type" },
      }),
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-headers")).toBe("authorization,content-type");
  });

  it("reset() forgets the prompt cache", async () => {
    const emulator = createEmulator();
    const body = {
      system: [{ text: "long guidance ".repeat(50) }, { cachePoint: { type: "default" } }],
      messages: [user("q")],
    };
    const usage = async () => (await (await emulator.fetch(converseRequest(body))).json()).usage;
    expect((await usage()).cacheWriteInputTokens).toBeGreaterThan(0);
    expect((await usage()).cacheReadInputTokens).toBeGreaterThan(0);
    emulator.reset();
    expect((await usage()).cacheWriteInputTokens).toBeGreaterThan(0);
  });
});
