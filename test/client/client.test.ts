import { afterEach, describe, expect, it } from "vitest";
import { createBedrock, request, stream } from "../../src/client/create";
import { BedrockError } from "../../src/errors";
import type { ChatEvent } from "../../src/types/events";
import { capture, readJson } from "../helpers/fixtures";
import { EVENT_STREAM, loopback, writeChunked } from "../helpers/server";

const KEY = "test-key-abcdef123456";
let server: Awaited<ReturnType<typeof loopback>> | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function config(url: string, extra: Record<string, unknown> = {}) {
  return {
    key: KEY,
    url: `${url}/model/`,
    region: "us-east-1",
    models: { claude: { modelName: "anthropic.claude-3-haiku-20240307-v1:0" } },
    ...extra,
  };
}

const hi = [{ role: "user" as const, content: "Hello" }];

describe("request against a loopback server replaying recorded bytes", () => {
  it("streams text: callbacks in real time, the documented URL, bearer auth and the result", async () => {
    const cap = capture("test_bedrock_model_stream");
    server = await loopback((_, res) => {
      res.writeHead(200, EVENT_STREAM);
      return writeChunked(res, cap.bytes, 97, 1);
    });
    const texts: string[] = [];
    const usages: unknown[] = [];
    const result = await request(config(server.url), hi, {
      env: undefined,
      onMessageReceived: (m) => texts.push(m.text),
      onUsageUpdated: (u) => usages.push(u),
    } as any).catch((e) => e);
    // `env` is not an option: the SDK says so rather than dropping it.
    expect(result).toBeInstanceOf(BedrockError);
    expect(result.message).toContain("options.env: unknown option");

    const ok = await request(config(server.url), hi, {
      onMessageReceived: (m) => texts.push(m.text),
      onUsageUpdated: (u) => usages.push(u),
    });
    const req = server.received.at(-1)!;
    expect(req.url).toBe("/model/us-east-1.anthropic.claude-3-haiku-20240307-v1:0/converse-stream");
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(JSON.parse(req.body)).toEqual({
      messages: [{ role: "user", content: [{ text: "Hello" }] }],
      inferenceConfig: { maxTokens: 1024 },
    });
    const expectedText = cap.frames.map((f) => JSON.parse(f.payload).delta?.text ?? "").join("");
    expect(ok.outputText).toBe(expectedText);
    expect(texts.join("")).toBe(expectedText);
    expect(texts.length).toBeGreaterThan(3);
    expect(ok.stopReason).toBe("end_turn");
    expect(ok.usage).toEqual(JSON.parse(cap.frames.at(-1)!.payload).usage);
    expect(usages).toEqual([ok.usage]);
    expect(ok.message).toEqual({ role: "assistant", content: [{ text: expectedText }] });
  });

  it("delivers the first text before the server has sent the rest", async () => {
    const cap = capture("test_bedrock_model_stream");
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    server = await loopback(async (_, res) => {
      res.writeHead(200, EVENT_STREAM);
      res.write(cap.bytes.subarray(0, cap.frames[2].offset));
      await gate;
      res.end(cap.bytes.subarray(cap.frames[2].offset));
    });
    const seen: string[] = [];
    const done = request(config(server.url), hi, {
      onMessageReceived: (m) => {
        seen.push(m.text);
        release();
      },
    });
    await done;
    expect(seen[0]).toBe(JSON.parse(cap.frames[1].payload).delta.text);
  });

  it("a tool call: onPrepareToolCall per fragment, toolsToCall parsed", async () => {
    const cap = capture("envoy-ai-gateway_claude_tool_use_cosine");
    server = await loopback((_, res) => {
      res.writeHead(200, EVENT_STREAM);
      return writeChunked(res, cap.bytes, 64);
    });
    const fragments: string[] = [];
    const result = await request(config(server.url), hi, {
      onPrepareToolCall: (c) => fragments.push(c.argumentsText),
    });
    expect(result.stopReason).toBe("tool_use");
    expect(result.toolsToCall).toHaveLength(1);
    const call = result.toolsToCall[0];
    expect(fragments.join("")).toBe(call.argumentsText);
    expect(call.arguments).toEqual(JSON.parse(call.argumentsText));
    expect(result.message.content.some((b: any) => b.toolUse?.toolUseId === call.id)).toBe(true);
  });

  it("reasoning: onReason started/thinking/finished and the signature kept", async () => {
    const cap = capture("test_bedrock_model_thinking_part_stream");
    server = await loopback((_, res) => {
      res.writeHead(200, EVENT_STREAM);
      return writeChunked(res, cap.bytes, 200);
    });
    const statuses: string[] = [];
    const result = await request(config(server.url), hi, { onReason: (r) => statuses.push(r.status) });
    expect(statuses[0]).toBe("started");
    expect(statuses.at(-1)).toBe("finished");
    expect(statuses.filter((s) => s === "thinking").length).toBeGreaterThan(3);
    const sig = cap.frames.map((f) => JSON.parse(f.payload).delta?.reasoningContent?.signature).find(Boolean);
    expect(result.reasoning?.signature).toBe(sig);
    expect((result.message.content[0] as any).reasoningContent.reasoningText.signature).toBe(sig);
  });

  it("an exception mid-stream is an error with what was received, reported to onError once", async () => {
    const real = capture("test_bedrock_model_stream");
    const exception = capture("vercel_model-stream-error-exception");
    server = await loopback((_, res) => {
      res.writeHead(200, EVENT_STREAM);
      res.write(real.bytes.subarray(0, real.frames[4].offset));
      setTimeout(() => res.end(exception.bytes), 5);
    });
    const errors: unknown[] = [];
    const error = await request(config(server.url), hi, { onError: (e) => errors.push(e) }).catch((e) => e);
    expect(error.name).toBe("ModelStreamErrorException");
    expect(error.phase).toBe("stream");
    expect(error.partial.outputText).toBe(
      real.frames
        .slice(1, 4)
        .map((f) => JSON.parse(f.payload).delta.text)
        .join(""),
    );
    expect(errors).toEqual([error]);
    expect(server.received).toHaveLength(1); // never retried once events were delivered
  });

  it("a truncated stream is an error, never a normal finish", async () => {
    const cap = capture("test_bedrock_model_stream");
    server = await loopback((_, res) => {
      res.writeHead(200, EVENT_STREAM);
      res.end(cap.bytes.subarray(0, cap.bytes.length - 30));
    });
    const error = await request(config(server.url), hi).catch((e) => e);
    expect(error).toBeInstanceOf(BedrockError);
    expect(error.message).toMatch(/truncated/);
    expect(error.partial.outputText.length).toBeGreaterThan(0);
  });

  it("/converse (stream: false from extraPayload) parses a recorded pair and keeps the message verbatim", async () => {
    const pair = readJson("recorded/converse/test_bedrock_anthropic_tool_with_thinking.json").interactions[0];
    server = await loopback((_, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(pair.response.body));
    });
    const cfg = config(server.url, {
      models: {
        c: { modelName: "anthropic.claude-3-7-sonnet-20250219-v1:0", extraPayload: { stream: false } },
      },
    });
    const reasons: string[] = [];
    const prepared: unknown[] = [];
    const result = await request(cfg, hi, {
      onReason: (r) => reasons.push(r.status),
      onPrepareToolCall: (c) => prepared.push(c),
    });
    expect(server.received[0].url).toMatch(/\/converse$/);
    expect(result.message).toEqual(pair.response.body.output.message);
    expect(result.toolsToCall).toEqual([
      { id: "tooluse_W9DaUFg4Tj2cRPpndqxWSg", name: "get_user_country", arguments: {}, argumentsText: "{}" },
    ]);
    expect(result.outputText).toBe("I'll need to check what country you're from to answer that question.");
    expect(result.reasoning?.signature).toBe(
      pair.response.body.output.message.content[0].reasoningContent.reasoningText.signature,
    );
    expect(reasons).toEqual(["started", "thinking", "thinking", "finished"]);
    expect(prepared).toHaveLength(1);
    expect(result.usage).toEqual(pair.response.body.usage);
  });
});

describe("errors", () => {
  it("maps the recorded ExpiredTokenException with status, request id and a hint", async () => {
    const rec = readJson("recorded/errors/ddtrace_bedrock_converse_error.json").interactions[0].response;
    server = await loopback((_, res) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(rec.headers))
        if (k.toLowerCase() !== "content-length") headers[k] = (v as string[])[0];
      res.writeHead(rec.status, headers);
      res.end(rec.body_raw ?? JSON.stringify(rec.body));
    });
    const error = await request(config(server.url), hi).catch((e) => e);
    expect(error.name).toBe("ExpiredTokenException");
    expect(error.status).toBe(403);
    expect(error.requestId).toBe("402bd639-607f-433b-aa01-2852fc75287a");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain("The security token included in the request is expired");
    expect(error.hint).toMatch(/expired/);
    expect(error.message).not.toContain(KEY);
  });

  it("maps the recorded ValidationException and UnknownOperationException", async () => {
    const validation = readJson("recorded/errors/vercel_amazon-bedrock-empty-message-validation-error.json");
    const unknownOp = readJson("recorded/errors/vercel_issue-17523-unknown-operation.json");
    let n = 0;
    server = await loopback((_, res) => {
      if (n++ === 0) {
        res.writeHead(400, {
          "content-type": "application/json",
          "x-amzn-errortype": "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/",
        });
        res.end(JSON.stringify(validation.body ?? validation.response?.body ?? { message: "validation" }));
      } else {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify(unknownOp));
      }
    });
    const v = await request(config(server.url), hi).catch((e) => e);
    expect(v.name).toBe("ValidationException");
    expect(v.status).toBe(400);
    const u = await request(config(server.url), hi, { maxRetries: 0 }).catch((e) => e);
    expect(u.name).toBe("UnknownOperationException");
    expect(u.hint).toMatch(/percent-encoded/);
  });

  it("a 200 JSON body where an event stream was expected is a clear error", async () => {
    server = await loopback((_, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"output":{}}');
    });
    const error = await request(config(server.url), hi).catch((e) => e);
    expect(error.name).toBe("UnexpectedResponseError");
    expect(error.message).toContain("Expected an event stream");
    expect(error.hint).toMatch(/converse-stream/);
  });

  it("an HTML page from a proxy is named as such", async () => {
    server = await loopback((_, res) => {
      res.writeHead(502, { "content-type": "text/html" });
      res.end("<html><body>Bad gateway</body></html>");
    });
    const error = await request(config(server.url), hi, { maxRetries: 0 }).catch((e) => e);
    expect(error.status).toBe(502);
    expect(error.message).toMatch(/HTML page/);
  });

  it("retries throttling before anything was delivered, then succeeds", async () => {
    const cap = capture("test_bedrock_model_stream");
    let n = 0;
    server = await loopback((_, res) => {
      if (n++ < 2) {
        res.writeHead(429, {
          "x-amzn-errortype": "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/",
          "retry-after": "0",
        });
        return void res.end('{"message":"Too many requests, please wait before trying again."}');
      }
      res.writeHead(200, EVENT_STREAM);
      res.end(cap.bytes);
    });
    const result = await request(config(server.url), hi);
    expect(result.stopReason).toBe("end_turn");
    expect(server.received).toHaveLength(3);
    const fail = await request(config(server.url), hi, { maxRetries: 0 }).then(
      () => "ok",
      (e) => e,
    );
    expect(fail).toBe("ok");
  });

  it("gives up after maxRetries with the service's error", async () => {
    server = await loopback((_, res) => {
      res.writeHead(503, { "x-amzn-errortype": "ServiceUnavailableException:x", "retry-after": "0" });
      res.end('{"message":"unavailable"}');
    });
    const error = await request(config(server.url), hi, { maxRetries: 1 }).catch((e) => e);
    expect(error.name).toBe("ServiceUnavailableException");
    expect(error.retryable).toBe(true);
    expect(server.received).toHaveLength(2);
  });

  it("a missing key is a config error that lists what was looked for", async () => {
    const error = await request(
      { url: "http://127.0.0.1:9/model/", models: { a: { modelName: "x.y" } } },
      hi,
    ).catch((e) => e);
    expect(error.name).toBe("ConfigError");
    expect(error.message).toMatch(/AWS_BEARER_TOKEN_BEDROCK/);
  });
});

describe("stream()", () => {
  it("is async-iterable and yields chat events ending in finish", async () => {
    const cap = capture("envoy-ai-gateway_claude_tool_use_cosine");
    server = await loopback((_, res) => {
      res.writeHead(200, EVENT_STREAM);
      return writeChunked(res, cap.bytes, 50);
    });
    const client = createBedrock(config(server.url));
    const types: string[] = [];
    for await (const e of client.stream(hi)) types.push(e.type);
    expect(types[0]).toBe("message-start");
    expect(types).toContain("tool-call-delta");
    expect(types).toContain("tool-call");
    expect(types.at(-1)).toBe("finish");
  });

  it("break out of for-await aborts the fetch: the server sees the connection close", async () => {
    const cap = capture("test_bedrock_model_stream");
    server = await loopback(async (_, res) => {
      res.writeHead(200, EVENT_STREAM);
      res.write(cap.bytes.subarray(0, cap.frames[3].offset));
      // never ends on its own
    });
    for await (const e of stream(config(server.url), hi)) {
      if (e.type === "text") break;
    }
    for (let i = 0; i < 50 && server.closed.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(server.closed).toHaveLength(1);
  });

  it("an AbortSignal aborts a streaming request with AbortError", async () => {
    const cap = capture("test_bedrock_model_stream");
    server = await loopback(async (_, res) => {
      res.writeHead(200, EVENT_STREAM);
      res.write(cap.bytes.subarray(0, cap.frames[3].offset));
    });
    const controller = new AbortController();
    const events: ChatEvent[] = [];
    const error = await (async () => {
      for await (const e of stream(config(server.url), hi, { signal: controller.signal })) {
        events.push(e);
        if (e.type === "text") controller.abort();
      }
    })().catch((e) => e);
    expect(error.name).toBe("AbortError");
    expect(events.length).toBeGreaterThan(0);
  });
});

describe("debug logging", () => {
  it("logs the URL, payload, status, usage and events, and never the key", async () => {
    const cap = capture("test_bedrock_model_stream");
    server = await loopback((_, res) => {
      res.writeHead(200, EVENT_STREAM);
      res.end(cap.bytes);
    });
    const lines: string[] = [];
    const logger = {
      debug: (m: string, d?: unknown) => lines.push(`debug ${m} ${JSON.stringify(d)}`),
      info: (m: string, d?: unknown) => lines.push(`info ${m} ${JSON.stringify(d)}`),
      warn: (m: string, d?: unknown) => lines.push(`warn ${m} ${JSON.stringify(d)}`),
      error: (m: string, d?: unknown) => lines.push(`error ${m} ${JSON.stringify(d)}`),
    };
    const client = createBedrock(config(server.url), { env: { BEDROCK_EDGE_LOG_LEVEL: "debug" }, logger });
    await client.request(hi);
    const all = lines.join("\n");
    expect(all).toContain(
      `POST ${server.url}/model/us-east-1.anthropic.claude-3-haiku-20240307-v1:0/converse-stream`,
    );
    expect(all).toContain('"payload":{"messages"');
    expect(all).toContain("HTTP 200");
    expect(all).toMatch(/usage .*inputTokens/);
    expect(all).toContain("event contentBlockDelta");
    expect(all).not.toContain(KEY);
    lines.length = 0;
    const quiet = createBedrock(config(server.url), { env: {}, logger });
    await quiet.request(hi);
    expect(lines).toEqual([]);
  });
});

describe("bearer key", () => {
  it("a key with a newline is a config error that does not repeat the key", async () => {
    const error = await request(
      { key: "abc\nsecret-part", url: "http://127.0.0.1:9/model/", models: { a: { modelName: "x.y" } } },
      hi,
    ).catch((e) => e);
    expect(error.name).toBe("ConfigError");
    expect(error.message).not.toContain("secret-part");
  });
});
