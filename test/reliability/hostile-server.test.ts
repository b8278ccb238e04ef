import type { ServerResponse } from "node:http";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { MAX_CONVERSE_JSON_BYTES } from "../../src/client/converse-json";
import { createConverseClient } from "../../src/client/core";
import { createBedrock } from "../../src/client/create";
import { errorFromResponse, MAX_ERROR_BODY_BYTES } from "../../src/client/service-errors";
import { BedrockError, TimeoutError } from "../../src/errors";
import { MAX_ANSWER_CHARS } from "../../src/stream/accumulate";
import { eventFrame } from "../helpers/frames";
import { loopback } from "../helpers/server";
import { capturingLogger, MODEL } from "./helpers";

// The client against servers that misbehave (issue 14, items 2, 5, 8, 9 and 11): endless bodies of every kind
// it reads, redirects to other origins, an endless answer, a request id that echoes the credentials, and a
// server that trickles just fast enough to beat the idle timeout. Each ends in a typed BedrockError, with
// memory bounded, and nothing reaches another origin.

const KEY = "ABSKhostile-server-key-0123456789abcdef";
const servers: { close(): Promise<void> }[] = [];
const figures: string[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(() => {
  if (figures.length)
    console.log(`hostile servers, peak RSS growth and time per failing call:\n${figures.join("\n")}`);
});

async function server(handler: Parameters<typeof loopback>[0]) {
  const s = await loopback(handler);
  servers.push(s);
  return s;
}

const frame = eventFrame;

/** Writes `chunk` until the client goes away (or `limit` bytes), respecting backpressure. */
async function endless(res: ServerResponse, chunk: Uint8Array | string, limit = 256 * 1024 ** 2) {
  let sent = 0;
  while (!res.destroyed && sent < limit) {
    sent += chunk.length;
    if (!res.write(chunk)) {
      await new Promise<void>((resolve) => {
        res.once("drain", resolve);
        res.once("close", resolve);
      });
    }
  }
  res.end();
}

function client(url: string, extra: Record<string, unknown> = {}, logger?: any) {
  return createBedrock(
    {
      key: KEY,
      url: `${url}/model/`,
      region: "us-east-1",
      modelIdPrefix: "none",
      maxRetries: 0,
      models: { claude: { modelName: MODEL } },
      ...extra,
    },
    { env: {}, ...(logger && { logger }) },
  );
}

const hi = [{ role: "user" as const, content: "hi" }];

/** Runs `call`, returning its error and how much the process's memory grew meanwhile. */
async function failing(call: () => Promise<unknown>) {
  const started = Date.now();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  try {
    const error = await call().then(
      () => undefined,
      (e) => e,
    );
    const grewMb = (peak - before) / 1024 / 1024;
    figures.push(
      `  ${expect.getState().currentTestName}: ${grewMb.toFixed(0)} MB, ${Date.now() - started} ms`,
    );
    return { error: error as BedrockError, grewMb };
  } finally {
    clearInterval(sampler);
  }
}

describe("endless bodies are read with a cap and cut there", () => {
  for (const [what, status, type] of [
    ["a 400 error body", 400, "application/json"],
    ["a 500 error body", 500, "text/html"],
    ["a 200 body that is not an event stream", 200, "text/plain"],
  ] as const) {
    it(`${what}: a ResponseTooLargeError saying where it was cut`, async () => {
      const s = await server(async (_req, res) => {
        res.writeHead(status, { "content-type": type });
        await endless(res, "x".repeat(64 * 1024));
      });
      const { error, grewMb } = await failing(() => client(s.url).request(hi));
      expect(error).toBeInstanceOf(BedrockError);
      expect(error.name).toBe("ResponseTooLargeError");
      expect(error.message).toContain(`passed ${MAX_ERROR_BODY_BYTES} bytes`);
      expect(error.status).toBe(status);
      expect(grewMb).toBeLessThan(100);
    });
  }

  it("an endless /converse JSON body: cut at MAX_CONVERSE_JSON_BYTES", async () => {
    const s = await server(async (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"output":{"message":{"role":"assistant","content":[{"text":"');
      await endless(res, "y".repeat(256 * 1024));
    });
    const { error, grewMb } = await failing(() => client(s.url).request(hi, { stream: false }));
    expect(error.name).toBe("ResponseTooLargeError");
    expect(error.message).toContain(`passed ${MAX_CONVERSE_JSON_BYTES} bytes`);
    expect(grewMb).toBeLessThan(400);
  });

  it("errorFromResponse (public) reads an endless body with the same cap", async () => {
    const s = await server(async (_req, res) => {
      res.writeHead(502, { "content-type": "text/html" });
      await endless(res, "<p>".repeat(20_000));
    });
    const { error } = await failing(() =>
      fetch(s.url)
        .then((r) => errorFromResponse(r))
        .then((e) => Promise.reject(e)),
    );
    expect(error.name).toBe("ResponseTooLargeError");
    expect(error.status).toBe(502);
  });

  it("an error body just under the cap still gives the AWS error", async () => {
    const s = await server(async (_req, res) => {
      res.writeHead(400, { "content-type": "application/json", "x-amzn-errortype": "ValidationException" });
      res.end(JSON.stringify({ message: `bad ${"z".repeat(MAX_ERROR_BODY_BYTES - 100)}` }));
    });
    const { error } = await failing(() => client(s.url).request(hi));
    expect(error.name).toBe("ValidationException");
  });
});

describe("an endless answer", () => {
  it("ends in a BedrockError with what came before (request, stream, core, onError), never a RangeError", async () => {
    const piece = "w".repeat(1024 * 1024);
    const delta = frame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: piece } });
    const s = await server(async (_req, res) => {
      res.writeHead(200, { "content-type": "application/vnd.amazon.eventstream" });
      res.write(frame("messageStart", { role: "assistant" }));
      await endless(res, delta, 2 * MAX_ANSWER_CHARS);
    });
    const reported: unknown[] = [];
    const bedrock = client(s.url);
    const viaRequest = await failing(() =>
      bedrock.request(hi, { onError: (e: unknown) => reported.push(e) } as any),
    );
    const viaStream = await failing(async () => {
      for await (const _ of bedrock.stream(hi)) {
      }
    });
    const core = createConverseClient({ key: KEY, url: `${s.url}/model/`, maxRetries: 0 });
    const viaCore = await failing(() => core.request({ modelId: MODEL, messages: [] }));
    for (const { error } of [viaRequest, viaStream, viaCore]) {
      expect(error).toBeInstanceOf(BedrockError);
      expect(error.name).toBe("ResponseTooLargeError");
      expect(error.phase).toBe("stream");
      expect(error.partial?.outputText.length).toBe(MAX_ANSWER_CHARS);
    }
    expect(reported).toHaveLength(1);
    expect(reported[0]).toBeInstanceOf(BedrockError);
  }, 30_000);
});

describe("redirects are never followed", () => {
  const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYHOSTILESECRET";
  const SESSION = "IQoJb3JpZ2luX2VjHOSTILESESSIONTOKEN0123456789";
  for (const status of [301, 302, 303, 307, 308]) {
    it(`a ${status} to another origin: a RedirectError naming it; the other origin gets nothing (key and SigV4)`, async () => {
      const elsewhere = await server((_req, res) => void res.end("stolen"));
      const origin = await server((_req, res) => {
        res.writeHead(status, { location: `${elsewhere.url}/model/x/converse-stream?k=1` });
        res.end();
      });
      const auths = [
        { key: KEY, headers: { "x-api-key": "proxy-api-key-123456" } },
        {
          key: undefined,
          credentials: { accessKeyId: "AKIDHOSTILE", secretAccessKey: SECRET, sessionToken: SESSION },
        },
      ];
      for (const auth of auths) {
        for (const stream of [true, false]) {
          const { error } = await failing(() => client(origin.url, auth).request(hi, { stream }));
          expect(error).toBeInstanceOf(BedrockError);
          expect(error.name).toBe("RedirectError");
          expect(error.status).toBe(status);
          expect(error.message).toContain(`redirect to ${elsewhere.url} not followed`);
          expect(error.message).not.toContain("k=1");
        }
      }
      expect(origin.received).toHaveLength(4);
      expect(elsewhere.received).toHaveLength(0);
    });
  }
});

describe("logs", () => {
  it("no log line carries the key, whatever field the server echoes it through (the request id)", async () => {
    const s = await server((req, res) => {
      res.writeHead(200, {
        "content-type": "application/vnd.amazon.eventstream",
        "x-amzn-requestid": `${req.headers.authorization}`,
      });
      res.write(frame("messageStart", { role: "assistant" }));
      res.write(
        frame("contentBlockDelta", {
          contentBlockIndex: 0,
          delta: { text: `echo ${req.headers.authorization}` },
        }),
      );
      res.write(frame("contentBlockStop", { contentBlockIndex: 0 }));
      res.write(frame("messageStop", { stopReason: "end_turn" }));
      res.end(frame("metadata", { usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }, metrics: {} }));
    });
    const log = capturingLogger();
    const result = await client(s.url, { logLevel: "debug" }, log).request(hi);
    expect(result.outputText).toContain(KEY); // the answer is the caller's own: only the log is scrubbed
    const text = JSON.stringify(log.lines);
    expect(text).toContain("[redacted]");
    expect(text).not.toContain(KEY);
  });
});

describe("an overall deadline (timeoutMs)", () => {
  /** A valid stream that trickles one delta every 100 ms, for ever: never idle long enough to time out. */
  async function trickling() {
    return server(async (_req, res) => {
      res.writeHead(200, { "content-type": "application/vnd.amazon.eventstream" });
      res.write(frame("messageStart", { role: "assistant" }));
      while (!res.destroyed) {
        res.write(frame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "." } }));
        await new Promise((r) => setTimeout(r, 100));
      }
    });
  }

  it("per request: a TimeoutError naming timeoutMs, not retried, though no wait was idle", async () => {
    const s = await trickling();
    const started = Date.now();
    const { error } = await failing(() =>
      client(s.url, { maxRetries: 2, idleTimeoutMs: 1000 }).request(hi, { timeoutMs: 600 }),
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).timeout).toBe("timeoutMs");
    expect(error.message).toContain("600 ms (timeoutMs)");
    expect(error.partial?.outputText).toMatch(/^\.+$/);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(s.received).toHaveLength(1);
  });

  it("in config, and on the core client; a call that ends in time is not affected", async () => {
    const s = await trickling();
    const { error } = await failing(async () => {
      for await (const _ of client(s.url, { timeoutMs: 400 }).stream(hi)) {
      }
    });
    expect((error as TimeoutError).timeout).toBe("timeoutMs");
    const core = createConverseClient({ key: KEY, url: `${s.url}/model/`, timeoutMs: 400 });
    const viaCore = await failing(() => core.request({ modelId: MODEL, messages: [] }));
    expect((viaCore.error as TimeoutError).timeout).toBe("timeoutMs");
    const quick = await server((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          output: { message: { role: "assistant", content: [{ text: "fast" }] } },
          stopReason: "end_turn",
          usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
        }),
      );
    });
    const result = await client(quick.url, { timeoutMs: 2000 }).request(hi, { stream: false });
    expect(result.outputText).toBe("fast");
  });
});
