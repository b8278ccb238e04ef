import { request as httpRequest } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { createBedrock } from "../../src/client/create";
import type { Logger } from "../../src/client/log";
import { BedrockError } from "../../src/errors";
import { serve } from "../../src/node/serve";
import { createProxy, DEFAULT_MAX_BODY_BYTES } from "../../src/proxy";
import { loopback } from "../helpers/server";
import { closer, HAIKU, OTHER_TOKEN, startProxy, startUpstream, TOKEN, UPSTREAM_KEY } from "./setup";

// The proxy's guards, over real loopback HTTP: caller tokens, CORS, the body limit, allow-lists, and what
// happens when credentials or the upstream fail. Secrets never show up in answers or logs.

const servers = closer();
afterEach(() => servers.closeAll());

const APP = "https://app.example.com";
const PATH = `/model/us-east-1.${HAIKU}/converse`;
const BODY = JSON.stringify({ messages: [{ role: "user", content: [{ text: "Hello" }] }] });

function recordingLogger() {
  const lines: string[] = [];
  const put = (message: string, data?: unknown) => lines.push(`${message} ${JSON.stringify(data ?? null)}`);
  const logger: Logger = { debug: put, info: put, warn: put, error: put };
  return { logger, lines };
}

async function setup(proxyOptions = {}, emulatorOptions = {}) {
  const upstream = servers.add(await startUpstream(emulatorOptions));
  const { logger, lines } = recordingLogger();
  const proxy = servers.add(await startProxy(upstream, { logger, ...proxyOptions }));
  const post = (headers: Record<string, string>, body: BodyInit | null = BODY, path = PATH) =>
    fetch(`${proxy.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });
  return { upstream, proxy, post, lines };
}

async function expectError(response: Response, status: number, type: string): Promise<string> {
  expect(response.status).toBe(status);
  expect(response.headers.get("x-amzn-errortype")).toBe(type);
  expect(response.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
  const body = await response.json();
  expect(Object.keys(body)).toEqual(["message"]);
  return body.message;
}

describe("caller authentication", () => {
  it.each([
    ["no Authorization header", {}],
    ["an empty bearer", { authorization: "Bearer " }],
    ["a wrong token", { authorization: "Bearer not-the-token" }],
    ["a prefix of the token", { authorization: `Bearer ${TOKEN.slice(0, -1)}` }],
    ["the token plus a character", { authorization: `Bearer ${TOKEN}x` }],
    ["the token in another scheme", { authorization: `Basic ${TOKEN}` }],
    ["the upstream key", { authorization: `Bearer ${UPSTREAM_KEY}` }],
    ["two tokens", { authorization: `Bearer ${TOKEN} ${OTHER_TOKEN}` }],
  ])("401 for %s, never forwarded, nothing echoed", async (_, headers) => {
    const { upstream, post, lines } = await setup({ tokens: [TOKEN, OTHER_TOKEN] });
    const response = await post(headers);
    const raw = JSON.stringify([...response.headers]);
    const message = await expectError(response, 401, "UnauthorizedException");
    expect(message).toMatch(/bearer token/i);
    expect(upstream.seen).toHaveLength(0);
    for (const secret of [TOKEN, OTHER_TOKEN, UPSTREAM_KEY, "not-the-token"]) {
      expect(message + raw + lines.join("\n")).not.toContain(secret);
    }
  });

  it("accepts every configured token, with any case of the Bearer scheme", async () => {
    const { post, upstream } = await setup({ tokens: [TOKEN, OTHER_TOKEN] });
    expect((await post({ authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await post({ authorization: `bearer ${OTHER_TOKEN}` })).status).toBe(200);
    expect(upstream.seen).toHaveLength(2);
  });

  it("the core client reports a wrong token as UnauthorizedException (401)", async () => {
    const { proxy } = await setup();
    const client = createBedrock(
      { url: `${proxy.url}/model/`, key: "wrong", region: "us-east-1" },
      { env: {} },
    );
    const error = await client.request([{ role: "user", content: "Hi" }], { model: HAIKU }).catch((e) => e);
    expect(error).toBeInstanceOf(BedrockError);
    expect(error).toMatchObject({ name: "UnauthorizedException", status: 401, retryable: false });
  });

  it("a custom authorize function replaces tokens", async () => {
    const { post } = await setup({
      tokens: undefined,
      authorize: (request: Request) => request.headers.get("authorization") === "Bearer jwt-ok",
    });
    expect((await post({ authorization: "Bearer jwt-ok" })).status).toBe(200);
    await expectError(await post({ authorization: "Bearer jwt-bad" }), 401, "UnauthorizedException");
  });

  it("logs one line per request with status and request id, and no secrets", async () => {
    const { post, lines } = await setup();
    await post({ authorization: `Bearer ${TOKEN}` });
    await post({ authorization: "Bearer nope-nope" });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/converse us-east-1 anthropic\.claude-3-haiku-20240307-v1:0 -> 200/);
    expect(lines[0]).toMatch(/"requestId":"[0-9a-f-]{36}"/);
    expect(lines[1]).toMatch(/401 UnauthorizedException/);
    expect(lines.join("\n")).not.toMatch(new RegExp(`${TOKEN}|${UPSTREAM_KEY}|nope-nope`));
  });
});

describe("CORS", () => {
  const preflight = (url: string, origin: string, requestHeaders = "authorization, content-type") =>
    fetch(`${url}${PATH}`, {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": requestHeaders,
      },
    });

  it("answers a preflight from an allowed origin with that origin, POST and the SDK's headers", async () => {
    const { proxy, upstream } = await setup({ allowedOrigins: [APP, "http://localhost:5173"] });
    const response = await preflight(
      proxy.url,
      APP,
      "authorization,content-type,accept,x-amz-user-agent,x-evil",
    );
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(APP);
    expect(response.headers.get("access-control-allow-methods")).toBe("POST");
    const allowed = response.headers.get("access-control-allow-headers")!.split(", ");
    expect(allowed).toEqual(
      expect.arrayContaining(["authorization", "content-type", "accept", "x-amz-user-agent"]),
    );
    expect(allowed).not.toContain("x-evil");
    expect(response.headers.get("access-control-allow-credentials")).toBeNull();
    expect(response.headers.get("vary")).toMatch(/Origin/);
    expect(Number(response.headers.get("access-control-max-age"))).toBeGreaterThan(0);
    expect(upstream.seen).toHaveLength(0);
    const other = await preflight(proxy.url, "http://localhost:5173");
    expect(other.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
  });

  it("refuses a preflight and a request from an origin not on the list (no CORS headers, nothing forwarded)", async () => {
    const { proxy, post, upstream } = await setup({ allowedOrigins: [APP] });
    for (const origin of [
      "https://evil.example.com",
      "https://app.example.com.evil.com",
      "null",
      "http://app.example.com",
    ]) {
      const response = await preflight(proxy.url, origin);
      expect(response.status).toBe(403);
      expect(response.headers.get("access-control-allow-origin")).toBeNull();
      const actual = await post({ origin, authorization: `Bearer ${TOKEN}` });
      await expectError(actual, 403, "AccessDeniedException");
      expect(actual.headers.get("access-control-allow-origin")).toBeNull();
    }
    expect(upstream.seen).toHaveLength(0);
  });

  it("without allowedOrigins, browsers get no access but server callers (no Origin) do", async () => {
    const { proxy, post } = await setup();
    expect((await preflight(proxy.url, APP)).status).toBe(403);
    await expectError(
      await post({ origin: APP, authorization: `Bearer ${TOKEN}` }),
      403,
      "AccessDeniedException",
    );
    expect((await post({ authorization: `Bearer ${TOKEN}` })).status).toBe(200);
  });

  it("actual responses (answers and errors alike) carry the origin, exposed headers and Vary: Origin", async () => {
    const { post } = await setup({ allowedOrigins: [APP] });
    const ok = await post({ origin: APP, authorization: `Bearer ${TOKEN}` });
    expect(ok.status).toBe(200);
    for (const response of [ok, await post({ origin: APP })]) {
      expect(response.headers.get("access-control-allow-origin")).toBe(APP);
      expect(response.headers.get("access-control-expose-headers")).toMatch(/x-amzn-RequestId/);
      expect(response.headers.get("access-control-expose-headers")).toMatch(/x-amzn-ErrorType/);
      expect(response.headers.get("vary")).toMatch(/Origin/);
    }
    expect((await post({ authorization: `Bearer ${TOKEN}` })).headers.get("vary")).toMatch(/Origin/);
  });

  it("a predicate can decide origins", async () => {
    const { proxy } = await setup({ allowedOrigins: (o: string) => o.endsWith(".preview.example.com") });
    expect((await preflight(proxy.url, "https://pr-12.preview.example.com")).status).toBe(204);
    expect((await preflight(proxy.url, "https://preview.example.com.evil")).status).toBe(403);
  });

  it.each([
    ["*"],
    ["null"],
    ["https://app.example.com/path"],
    ["app.example.com"],
    ["ftp://app.example.com"],
  ])("rejects allowedOrigins entry %s at construction", (entry) => {
    expect(() => createProxy({ tokens: [TOKEN], upstreamKey: "k", allowedOrigins: [entry] })).toThrow(
      /allowedOrigins\[0\]/,
    );
  });
});

describe("request body limit", () => {
  it("413 when content-length is over the limit, before anything is forwarded", async () => {
    const { post, upstream } = await setup({ maxBodyBytes: 1000 });
    const message = await expectError(
      await post({ authorization: `Bearer ${TOKEN}` }, "x".repeat(1001)),
      413,
      "RequestTooLargeException",
    );
    expect(message).toContain("1000 bytes");
    expect(upstream.seen).toHaveLength(0);
    const exact = JSON.stringify({
      messages: [{ role: "user", content: [{ text: "y".repeat(1000 - 54) }] }],
    });
    expect(exact.length).toBe(1000);
    expect((await post({ authorization: `Bearer ${TOKEN}` }, exact)).status).toBe(200);
  });

  it("413 for a streamed body (no content-length) once it passes the limit; the caller is cut off", async () => {
    const { proxy, upstream } = await setup({ maxBodyBytes: 64 * 1024 });
    let sent = 0;
    const answer = await new Promise<{ status: number; type?: string }>((resolve, reject) => {
      const req = httpRequest(`${proxy.url}${PATH}`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${TOKEN}`,
          "content-type": "application/json",
          "transfer-encoding": "chunked",
        },
      });
      req.on("response", (res) => {
        resolve({ status: res.statusCode!, type: res.headers["x-amzn-errortype"] as string });
        res.resume();
      });
      req.on("error", reject);
      const chunk = Buffer.alloc(8 * 1024, "z");
      // Keep sending (up to 16 MiB) until the proxy answers: it must not wait for the end.
      const pump = () => {
        while (sent < 16 * 1024 * 1024) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once("drain", pump);
        }
        req.end();
      };
      pump();
    });
    expect(answer).toEqual({ status: 413, type: "RequestTooLargeException" });
    expect(sent).toBeLessThan(16 * 1024 * 1024);
    expect(upstream.seen).toHaveLength(0);
  });

  it("a small limit and a chunked upload over it: 413 every time, and the proxy keeps serving", async () => {
    for (const maxBodyBytes of [1000, 4096, 32_768]) {
      const { proxy, post } = await setup({ maxBodyBytes });
      for (let i = 0; i < 5; i++) {
        const status = await new Promise<number>((resolve, reject) => {
          const req = httpRequest(`${proxy.url}${PATH}`, {
            method: "POST",
            headers: { authorization: `Bearer ${TOKEN}`, "transfer-encoding": "chunked" },
          });
          req.on("response", (res) => {
            resolve(res.statusCode!);
            res.resume();
          });
          req.on("error", reject);
          // Several chunks in one write: the body passes the limit inside a burst of data events.
          for (let c = 0; c < 8; c++) req.write(Buffer.alloc(maxBodyBytes, "q"));
          req.end();
        });
        expect(status).toBe(413);
      }
      const small = JSON.stringify({ messages: [{ role: "user", content: [{ text: "hi" }] }] });
      expect((await post({ authorization: `Bearer ${TOKEN}` }, small)).status).toBe(200);
    }
  });

  it("the default limit is 1 MiB", async () => {
    expect(DEFAULT_MAX_BODY_BYTES).toBe(1024 * 1024);
    const { post, upstream } = await setup();
    const big = "w".repeat(DEFAULT_MAX_BODY_BYTES + 1);
    await expectError(await post({ authorization: `Bearer ${TOKEN}` }, big), 413, "RequestTooLargeException");
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const streamed = await fetch(`${(await setup()).proxy.url}${PATH}`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: stream,
      duplex: "half",
    } as RequestInit);
    await expectError(streamed, 413, "RequestTooLargeException");
    expect(upstream.seen).toHaveLength(0);
  });
});

describe("allow-lists", () => {
  it("403 for a region or model not on the lists", async () => {
    const { post, upstream } = await setup({ allowedRegions: ["us-east-1"], allowedModels: [HAIKU] });
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect((await post(auth)).status).toBe(200);
    const region = await expectError(
      await post(auth, BODY, `/model/us-west-2.${HAIKU}/converse`),
      403,
      "AccessDeniedException",
    );
    expect(region).toContain("us-west-2");
    const model = await expectError(
      await post(auth, BODY, "/model/us-east-1.anthropic.claude-v2/converse"),
      403,
      "AccessDeniedException",
    );
    expect(model).toContain("anthropic.claude-v2");
    expect(upstream.seen).toHaveLength(1);
  });
});

describe("upstream failures", () => {
  it("502 BadGatewayException when Bedrock cannot be reached", async () => {
    const dead = servers.add(await startUpstream());
    await dead.close();
    const { logger, lines } = recordingLogger();
    const proxy = servers.add(await startProxy(dead, { logger }));
    const response = await fetch(`${proxy.url}${PATH}`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: BODY,
    });
    const message = await expectError(response, 502, "BadGatewayException");
    expect(message).toContain("us-east-1");
    expect(lines.join("\n")).toMatch(/upstream fetch failed/);
  });

  it("500 when the credentials provider fails; its error is logged, not returned", async () => {
    const upstream = servers.add(await startUpstream());
    const { logger, lines } = recordingLogger();
    const proxy = servers.add(
      await startProxy(upstream, {
        logger,
        credentials: async () => {
          throw new Error("metadata service unreachable");
        },
      }),
    );
    const response = await fetch(`${proxy.url}${PATH}`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: BODY,
    });
    const message = await expectError(response, 500, "InternalServerException");
    expect(message).not.toContain("metadata");
    expect(lines.join("\n")).toContain("metadata service unreachable");
    expect(upstream.seen).toHaveLength(0);
  });

  it("passes only Bedrock's own headers back (no cookies, no content-length rewrite)", async () => {
    const upstream = servers.add(
      await loopback((_, res) => {
        res.writeHead(200, {
          "content-type": "application/json",
          "x-amzn-requestid": "upstream-request-id",
          "set-cookie": "session=stolen",
          server: "upstream",
          "x-amzn-bedrock-extra": "kept",
        });
        res.end('{"output":{}}');
      }),
    );
    const proxy = servers.add(await startProxy(upstream));
    const response = await fetch(`${proxy.url}${PATH}`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: BODY,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-amzn-requestid")).toBe("upstream-request-id");
    expect(response.headers.get("x-amzn-bedrock-extra")).toBe("kept");
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(response.headers.get("server")).toBeNull();
    expect(await response.text()).toBe('{"output":{}}');
  });

  it("re-signs once with the server's clock after a signature-expired 403", async () => {
    const serverTime = new Date(Date.now() + 3_600_000);
    const upstream = servers.add(
      await loopback((req, res) => {
        const amzDate = String(req.headers["x-amz-date"]);
        const signedAt = Date.parse(
          amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, "$1-$2-$3T$4:$5:$6Z"),
        );
        if (Math.abs(signedAt - serverTime.getTime()) > 300_000) {
          res.writeHead(403, {
            "content-type": "application/json",
            "x-amzn-errortype": "InvalidSignatureException",
            date: serverTime.toUTCString(),
          });
          res.end(JSON.stringify({ message: `Signature expired: ${amzDate} is now earlier than ...` }));
          return;
        }
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"ok":true}');
      }),
    );
    const proxy = servers.add(
      await startProxy(upstream, {
        credentials: { accessKeyId: "AKIDSKEW", secretAccessKey: "secret-skew" },
      }),
    );
    const call = () =>
      fetch(`${proxy.url}${PATH}`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}` },
        body: BODY,
      });
    const first = await call();
    expect(first.status).toBe(200);
    expect(await first.text()).toBe('{"ok":true}');
    expect(upstream.received).toHaveLength(2);
    // The clock stays corrected: the next call is signed right the first time.
    expect((await call()).status).toBe(200);
    expect(upstream.received).toHaveLength(3);
  });

  it("a 403 that is not about the clock is passed through unchanged, without a retry", async () => {
    const upstream = servers.add(
      await loopback((_, res) => {
        res.writeHead(403, {
          "content-type": "application/json",
          "x-amzn-errortype": "AccessDeniedException",
        });
        res.end(
          JSON.stringify({ message: "You don't have access to the model with the specified model ID." }),
        );
      }),
    );
    const proxy = servers.add(
      await startProxy(upstream, { credentials: { accessKeyId: "AKID", secretAccessKey: "s" } }),
    );
    const response = await fetch(`${proxy.url}${PATH}`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: BODY,
    });
    expect(response.status).toBe(403);
    expect(response.headers.get("x-amzn-errortype")).toBe("AccessDeniedException");
    expect((await response.json()).message).toContain("access to the model");
    expect(upstream.received).toHaveLength(1);
  });
});

describe("options", () => {
  const base = { tokens: [TOKEN], upstreamKey: UPSTREAM_KEY };
  it.each([
    [{ upstreamKey: "k" }, /tokens must be a non-empty array/],
    [{ tokens: [], upstreamKey: "k" }, /tokens must be a non-empty array/],
    [{ tokens: ["has space"], upstreamKey: "k" }, /tokens\[0\]/],
    [{ tokens: ["t"] }, /exactly one of credentials .* or upstreamKey/],
    [
      { tokens: ["t"], upstreamKey: "k", credentials: { accessKeyId: "a", secretAccessKey: "b" } },
      /exactly one/,
    ],
    [{ tokens: ["t"], credentials: { accessKeyId: "a", secretAccessKey: "" } }, /secretAccessKey/],
    [{ ...base, mount: "model" }, /mount/],
    [{ ...base, mount: "/model/../x" }, /mount/],
    [{ ...base, defaultRegion: "us-east-1.evil.com" }, /defaultRegion/],
    [{ ...base, allowedRegions: ["us-east-1", "evil.com"] }, /allowedRegions/],
    [{ ...base, maxBodyBytes: 0 }, /maxBodyBytes/],
    [{ ...base, upstream: "http://127.0.0.1:1/path" }, /upstream/],
    [{ ...base, authorize: () => true }, /either tokens or authorize/],
  ])("rejects %j", (options, message) => {
    expect(() => createProxy(options as any)).toThrow(message);
  });

  it("errors never print secret values", () => {
    const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";
    try {
      createProxy({
        tokens: ["t"],
        upstreamKey: "k",
        credentials: { accessKeyId: "AKID", secretAccessKey: secret },
      });
    } catch (error) {
      expect(String(error)).not.toContain(secret);
      return;
    }
    throw new Error("expected createProxy to throw");
  });

  it("serves under Node's serve() and a plain Request alike", async () => {
    const upstream = servers.add(await startUpstream());
    const proxy = createProxy({ ...base, upstream: upstream.url, defaultRegion: "us-east-1" });
    const direct = await proxy.fetch(
      new Request(`http://in-process${PATH}`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}` },
        body: BODY,
      }),
    );
    expect(direct.status).toBe(200);
    const served = servers.add(await serve(proxy));
    const overHttp = await fetch(`${served.url}${PATH}`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: BODY,
    });
    expect(overHttp.status).toBe(200);
    expect((await overHttp.json()).output.message.role).toBe("assistant");
  });
});

describe("a hostile or broken upstream", () => {
  const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYUPSTREAMSECRET";
  const SESSION = "IQoJb3JpZ2luX2VjEPROXYSESSIONTOKEN0123456789";

  it.each([301, 302, 303, 307, 308])(
    "a %i to another origin is never followed: the other origin gets nothing, the caller a 502 naming it",
    async (status) => {
      const elsewhere = servers.add(await loopback((_req, res) => void res.end("answer from elsewhere")));
      const redirecting = servers.add(
        await loopback((_req, res) => {
          res.writeHead(status, { location: `${elsewhere.url}/steal?x=1` });
          res.end();
        }),
      );
      const { logger, lines } = recordingLogger();
      const proxy = servers.add(
        await startProxy(redirecting, {
          logger,
          credentials: { accessKeyId: "AKIDREDIRECT", secretAccessKey: SECRET, sessionToken: SESSION },
        }),
      );
      const response = await fetch(`${proxy.url}${PATH}`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: BODY,
      });
      const message = await expectError(response, 502, "BadGatewayException");
      expect(message).toContain(`redirect (HTTP ${status}) to ${elsewhere.url}`);
      expect(message).not.toContain("steal");
      expect(redirecting.received).toHaveLength(1);
      expect(elsewhere.received).toHaveLength(0);
      expect(lines.join("\n")).toContain("not followed");
      expect(lines.join("\n")).not.toContain(SESSION);
    },
  );

  it("an endless 403 body (read to look for clock skew) is cut at 64 KB, not buffered whole", async () => {
    const endless = servers.add(
      await loopback(async (_req, res) => {
        res.writeHead(403, {
          "content-type": "application/json",
          "x-amzn-errortype": "AccessDeniedException",
        });
        const chunk = Buffer.alloc(64 * 1024, "d");
        for (let sent = 0; !res.destroyed && sent < 512 * 1024 * 1024; sent += chunk.length)
          if (!res.write(chunk)) await new Promise((r) => res.once("drain", r));
        res.end();
      }),
    );
    const proxy = servers.add(
      await startProxy(endless, { credentials: { accessKeyId: "AKIDENDLESS", secretAccessKey: SECRET } }),
    );
    const started = Date.now();
    const response = await fetch(`${proxy.url}${PATH}`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: BODY,
    });
    expect(response.status).toBe(403);
    expect((await response.arrayBuffer()).byteLength).toBe(65_536);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("no log line carries a secret, whatever field the upstream echoes it through", async () => {
    const echoing = servers.add(
      await loopback((req, res) => {
        const echo = `${req.headers.authorization} ${req.headers["x-amz-security-token"]}`;
        res.writeHead(200, {
          "content-type": "application/vnd.amazon.eventstream",
          "x-amzn-requestid": `${echo} ${SECRET} ${TOKEN}`,
        });
        res.end();
      }),
    );
    for (const auth of [
      { upstreamKey: UPSTREAM_KEY },
      { credentials: { accessKeyId: "AKIDSTATIC", secretAccessKey: SECRET, sessionToken: SESSION } },
      {
        credentials: async () => ({
          accessKeyId: "AKIDDYNAMIC",
          secretAccessKey: SECRET,
          sessionToken: SESSION,
        }),
      },
    ]) {
      const { logger, lines } = recordingLogger();
      const proxy = servers.add(
        await serve(
          createProxy({
            tokens: [TOKEN],
            upstream: echoing.url,
            defaultRegion: "us-east-1",
            logger,
            ...auth,
          }),
        ),
      );
      const response = await fetch(`${proxy.url}${PATH}`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: BODY,
      });
      await response.arrayBuffer();
      const logged = lines.join("\n");
      expect(logged).toContain("[redacted]");
      const secrets = "upstreamKey" in auth ? [UPSTREAM_KEY, TOKEN] : [SECRET, SESSION, TOKEN];
      for (const secret of secrets) expect(logged).not.toContain(secret);
    }
  });
});
