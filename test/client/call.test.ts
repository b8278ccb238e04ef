// The transport (src/client/call.ts) on its own, with operations that are not Converse plugged in as
// AnswerReaders: the retry, re-sign and give-up rules hold for any operation, over a real loopback server.
import { getEventListeners } from "node:events";
import { afterAll, describe, expect, it } from "vitest";
import { type AnswerReader, type CallPlan, runCall } from "../../src/client/call";
import { LevelLogger } from "../../src/client/log";
import { BedrockError, CredentialsError, UnknownError } from "../../src/errors/index.ts";
import { loopback } from "../helpers/server";
import { capturingLogger } from "../reliability/helpers";

let calls = 0;
const server = await loopback((req, res) => {
  calls++;
  if (req.url === "/flaky" && calls === 1) {
    res.writeHead(503, {
      "content-type": "application/json",
      "x-amzn-errortype": "ServiceUnavailableException",
    });
    return res.end(JSON.stringify({ message: "try again" }));
  }
  if (req.url === "/skewed" && calls === 1) {
    res.writeHead(403, {
      "content-type": "application/json",
      "x-amzn-errortype": "InvalidSignatureException",
    });
    return res.end(JSON.stringify({ message: "Signature expired" }));
  }
  if (req.url === "/lines") {
    res.writeHead(200, { "content-type": "text/plain" });
    res.write("one\ntwo\n");
    // Cut mid-answer: the connection dies after the first lines were read.
    setTimeout(() => res.destroy(), 30);
    return;
  }
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ ok: true, url: req.url }));
});
afterAll(() => server.close());

function plan(path: string, extra: Partial<CallPlan> = {}): CallPlan {
  return {
    url: `${server.url}${path}`,
    body: { hello: "world" },
    stream: false,
    authorize: async (r) => r,
    fetch: (input, init) => fetch(input, init),
    log: new LevelLogger("silent", undefined, []),
    maxRetries: 2,
    firstByteTimeoutMs: 5000,
    idleTimeoutMs: 5000,
    timeoutMs: 0,
    secrets: [],
    ...extra,
  };
}

/** A one-document JSON operation. */
// biome-ignore lint/correctness/useYield: a JSON operation delivers no events: its answer is the return value
const json: AnswerReader<never, unknown> = async function* (response, at) {
  const reader = response.body!.getReader();
  let text = "";
  for (;;) {
    const { done, value } = await at.read(reader, text === "");
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  return JSON.parse(text);
};

/** A line-by-line streaming operation: each line is delivered as it completes. */
const lines: AnswerReader<string, number> = async function* (response, at) {
  const reader = response.body!.getReader();
  let count = 0;
  at.partial = () => ({ outputText: "", toolsToCall: [], eventsDelivered: count });
  for (let first = true; ; first = false) {
    const { done, value } = await at.read(reader, first);
    if (done) return count;
    for (const line of new TextDecoder().decode(value).split("\n").filter(Boolean)) {
      at.delivered = true;
      count++;
      yield line;
    }
  }
};

async function drain<T, R>(run: AsyncGenerator<T, R>): Promise<{ items: T[]; result: R }> {
  const items: T[] = [];
  for (;;) {
    const step = await run.next();
    if (step.done) return { items, result: step.value };
    items.push(step.value);
  }
}

describe("runCall with operations that are not Converse", () => {
  it("retries a retryable failure before anything was delivered, then returns the operation's result", async () => {
    calls = 0;
    const retries: string[] = [];
    const { result } = await drain(runCall(plan("/flaky", { onRetry: (e) => retries.push(e.name) }), json));
    expect(result).toEqual({ ok: true, url: "/flaky" });
    expect(retries).toEqual(["ServiceUnavailableException"]);
    expect(calls).toBe(2);
  });

  it("signs again once after a clock-skew 403, without counting it as a retry", async () => {
    calls = 0;
    let corrected = 0;
    const { result } = await drain(
      runCall(
        plan("/skewed", {
          maxRetries: 0,
          onAuthError: () => {
            corrected++;
            return true;
          },
        }),
        json,
      ),
    );
    expect(result).toEqual({ ok: true, url: "/skewed" });
    expect(corrected).toBe(1);
  });

  it("never retries once output was delivered: the failure carries what arrived", async () => {
    calls = 0;
    const run = runCall(plan("/lines"), lines);
    const seen: string[] = [];
    const error = await (async () => {
      for (;;) {
        const step = await run.next();
        if (step.done) return undefined;
        seen.push(step.value);
      }
    })().catch((e) => e);
    expect(seen).toEqual(["one", "two"]);
    expect(error).toBeInstanceOf(BedrockError);
    expect(error.name).toBe("NetworkError");
    expect(error.phase).toBe("stream");
    expect(error.partial.eventsDelivered).toBe(2);
    expect(calls).toBe(1);
  });
});

// A second server for the tests below: one route per behaviour.
const TOKEN = "bedrock-api-key-4d9e1f7a2c";
const SESSION = "session-token-8b3c6e0f5a";
const SIGNATURE = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
const hits = new Map<string, number>();
const site = await loopback((req, res) => {
  const n = (hits.get(req.url) ?? 0) + 1;
  hits.set(req.url, n);
  const fail = (status: number, type: string, message: string, headers = {}) => {
    res.writeHead(status, { "content-type": "application/json", "x-amzn-errortype": type, ...headers });
    res.end(JSON.stringify({ message }));
  };
  const skew = () => fail(403, "InvalidSignatureException", "Signature expired");
  switch (req.url) {
    case "/hang":
    case "/hang-for-a-custom-fetch":
      return; // never answers
    case "/bad":
      return fail(400, "ValidationException", "bad input");
    case "/skew-always":
      return skew();
    case "/skew-then-busy":
      if (n === 1) return skew();
      if (n === 2) return fail(503, "ServiceUnavailableException", "try again");
      break;
    case "/busy-once":
      if (n === 1) return fail(503, "ServiceUnavailableException", "try again");
      break;
    case "/busy-for-long":
      return fail(503, "ServiceUnavailableException", "come back later", { "retry-after": "10" });
    case "/redirect":
      res.writeHead(302);
      return res.end();
    case "/cut-error":
      // An error answer whose body dies half-way: unreadable, so the status alone speaks.
      res.writeHead(500, { "content-length": "100" });
      res.write('{"message": "the fir');
      return setTimeout(() => res.destroy(), 10);
    case "/not-json":
      res.writeHead(200, { "content-type": "application/json" });
      return res.end("<html>not json</html>");
    case "/echo-credentials": {
      const token = String(req.headers.authorization).replace(/^Bearer\s+/i, "");
      return fail(
        403,
        "AccessDeniedException",
        `bad token ${token}, session ${req.headers["x-amz-security-token"]}`,
      );
    }
    case "/echo-signature": {
      const signature = /Signature=(\w+)/.exec(String(req.headers.authorization))?.[1];
      return fail(403, "InvalidSignatureException", `signature ${signature} does not match`);
    }
    case "/two-lines":
      res.writeHead(200, { "content-type": "text/plain" });
      return res.end("one\ntwo\n");
    case "/head-then-hang":
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("one\n");
      return; // the body never ends
  }
  res.writeHead(200, { "content-type": "application/json", "x-amzn-requestid": "req-42" });
  res.end(JSON.stringify({ ok: true }));
});
afterAll(() => site.close());

// Written against the survivors of `npm run test:mutation -- src/client/call.ts`.
describe("runCall as the caller sees it: messages, headers, logs, timers, secrets", () => {
  const on = (path: string, extra: Partial<CallPlan> = {}): CallPlan => ({
    ...plan(path, extra),
    url: `${site.url}${path}`,
  });
  const failure = (p: CallPlan, reader: AnswerReader<unknown, unknown> = json) =>
    drain(runCall(p, reader)).then(
      () => expect.unreachable("the call should fail"),
      (e: BedrockError) => e,
    );
  /** The promise's outcome, or "still waiting" after `ms`. */
  const within = async <T>(promise: Promise<T>, ms: number) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"still waiting">((r) => {
      timer = setTimeout(() => r("still waiting"), ms);
    });
    return Promise.race([promise, late]).finally(() => clearTimeout(timer));
  };
  /** A logger as a user passes one, and the lines it got. */
  const logTo = (level: "debug" | "warn") => {
    const target = capturingLogger();
    return { lines: target.lines, log: new LevelLogger(level, target, []) };
  };
  /** Reads only the response head: an operation that needs no body. */
  // biome-ignore lint/correctness/useYield: the answer is the status
  const head: AnswerReader<never, number> = async function* (response) {
    return response.status;
  };

  it("asks for JSON, or for an event stream, and says it sends JSON", async () => {
    const from = site.received.length;
    await drain(runCall(on("/ok"), json));
    await drain(runCall(on("/ok", { stream: true }), json));
    const [asJson, asStream] = site.received.slice(from).map((r) => r.headers);
    expect(asJson["content-type"]).toBe("application/json");
    expect(asJson.accept).toBe("application/json");
    expect(asStream["content-type"]).toBe("application/json");
    expect(asStream.accept).toBe("application/vnd.amazon.eventstream");
  });

  it("logs each answer's status and request id at debug level", async () => {
    const { lines, log } = logTo("debug");
    await drain(runCall(on("/ok", { log }), json));
    expect(lines).toContainEqual({ level: "debug", message: "HTTP 200", data: { requestId: "req-42" } });
  });

  it("warns before each retry with the error, the wait and the attempt number", async () => {
    hits.delete("/busy-once");
    const { lines, log } = logTo("warn");
    const delays: number[] = [];
    const { result } = await drain(
      runCall(on("/busy-once", { log, onRetry: (_e, _a, ms) => delays.push(ms) }), json),
    );
    expect(result).toEqual({ ok: true });
    expect(lines).toEqual([
      {
        level: "warn",
        message: `ServiceUnavailableException: try again; retrying in ${delays[0]} ms (attempt 2 of 3)`,
        data: undefined,
      },
    ]);
  });

  it("re-signs once after clock skew, says so, and does not ask the hook again", async () => {
    const { lines, log } = logTo("warn");
    let asked = 0;
    hits.delete("/skew-always");
    // The hook would keep saying "corrected" (up to 3 times): one re-sign per call is the rule.
    const error = await failure(on("/skew-always", { log, onAuthError: () => ++asked <= 3 }));
    expect(error.name).toBe("InvalidSignatureException");
    expect(asked).toBe(1);
    expect(hits.get("/skew-always")).toBe(2);
    expect(lines.map((l) => l.message)).toEqual([
      "the server says the request time is skewed: signing again with its clock",
    ]);
  });

  it("asks the clock-skew hook about a 403 only", async () => {
    let asked = 0;
    const error = await failure(on("/bad", { onAuthError: () => ++asked > 0 }));
    expect(error.name).toBe("ValidationException");
    expect(asked).toBe(0);
  });

  it("does not count the re-sign as a retry", async () => {
    hits.delete("/skew-then-busy");
    const { result } = await drain(
      runCall(on("/skew-then-busy", { maxRetries: 1, onAuthError: () => true }), json),
    );
    expect(result).toEqual({ ok: true });
    expect(hits.get("/skew-then-busy")).toBe(3);
  });

  it("cuts the backoff sleep at the call's deadline, however long Retry-After asks", async () => {
    const started = Date.now();
    const error = await within(failure(on("/busy-for-long", { timeoutMs: 300 })), 3000);
    expect(error).toMatchObject({ name: "TimeoutError", timeout: "timeoutMs" });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("names the first-byte timer when it ends before the deadline", async () => {
    const error = await within(
      failure(on("/hang", { firstByteTimeoutMs: 100, timeoutMs: 2000, maxRetries: 0 })),
      1500,
    );
    expect(error).toMatchObject({ name: "TimeoutError", timeout: "firstByteTimeoutMs" });
    expect((error as BedrockError).message).toBe("No response within 100 ms (firstByteTimeoutMs)");
  });

  it("waits under the deadline alone when the first-byte timer is off", async () => {
    const error = await within(
      failure(on("/hang", { firstByteTimeoutMs: 0, timeoutMs: 150, maxRetries: 0 })),
      1500,
    );
    expect(error).toMatchObject({ name: "TimeoutError", timeout: "timeoutMs" });
    expect((error as BedrockError).message).toBe("The call did not finish within 150 ms (timeoutMs)");
  });

  it("never takes a caller slow to read output for a stalled server", async () => {
    const run = runCall(on("/two-lines", { firstByteTimeoutMs: 100 }), lines);
    const seen: string[] = [];
    for (;;) {
      const step = await run.next();
      if (step.done) break;
      seen.push(step.value);
      await new Promise((r) => setTimeout(r, 250)); // the caller is busy past the first-byte timeout
    }
    expect(seen).toEqual(["one", "two"]);
  });

  it("leaves no timer behind once a call has failed, so the process can exit", async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const before = timers();
    const error = await failure(on("/bad", { firstByteTimeoutMs: 60_000, maxRetries: 0 }));
    expect(error.name).toBe("ValidationException");
    expect(timers()).toBe(before);
  });

  it("releases the connection when the call finishes before the body does", async () => {
    const { result } = await drain(runCall(on("/head-then-hang"), head));
    expect(result).toBe(200);
    for (let i = 0; i < 40 && !site.closed.includes("/head-then-hang"); i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(site.closed).toContain("/head-then-hang");
  });

  it("hands a custom fetch the signal that ends the request on a timeout", async () => {
    // A fetch wrapper that rebuilds the request from the URL, as proxies and polyfills do: only init's signal reaches it.
    const rebuilding: typeof fetch = async (input, init) => {
      const r = input as Request;
      return fetch(r.url, {
        method: r.method,
        headers: r.headers,
        body: await r.text(),
        signal: init?.signal,
      });
    };
    const error = await failure(
      on("/hang-for-a-custom-fetch", { fetch: rebuilding, firstByteTimeoutMs: 100, maxRetries: 0 }),
    );
    expect(error.name).toBe("TimeoutError");
    for (let i = 0; i < 40 && !site.closed.includes("/hang-for-a-custom-fetch"); i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(site.closed).toContain("/hang-for-a-custom-fetch");
  });

  it("leaves no abort listeners behind on a long body (one per pending read at most)", async () => {
    // A long answer in many small chunks: each read waits on the attempt's signal, and must stop listening once
    // it has its chunk (else the listeners pile up: a MaxListenersExceededWarning, and memory per chunk).
    const chunks = ["[0", ...Array.from({ length: 1600 }, (_, i) => `,${i + 1}`), "]"];
    let signal: AbortSignal | undefined;
    let listening = -1;
    const long: typeof fetch = async (_input, init) => {
      signal = init?.signal ?? undefined;
      return new Response(
        new ReadableStream({
          pull: (c) => {
            const next = chunks.shift();
            if (next === "]") listening = getEventListeners(signal!, "abort").length;
            if (next === undefined) c.close();
            else c.enqueue(new TextEncoder().encode(next));
          },
        }),
      );
    };
    const { result } = await drain(runCall(on("/ok", { fetch: long }), json));
    expect(result).toHaveLength(1601);
    expect(listening).toBeGreaterThanOrEqual(0);
    expect(listening).toBeLessThanOrEqual(2);
  });

  it("says a redirect without a location goes to an undisclosed origin", async () => {
    const error = await failure(on("/redirect"));
    expect(error.name).toBe("RedirectError");
    expect(error.message).toBe("HTTP 302: redirect to an undisclosed origin not followed");
  });

  it("reports an error answer whose body cannot be read by its status", async () => {
    const error = await failure(on("/cut-error", { maxRetries: 0 }));
    expect(error.name).toBe("InternalServerException");
    expect(error.message).toBe("HTTP 500");
  });

  it("reports an operation's own failure as an UnknownError naming the host", async () => {
    const error = await failure(on("/not-json", { maxRetries: 0 }));
    expect(error.name).toBe("UnknownError");
    expect(error.message).toMatch(/^Unexpected failure talking to 127\.0\.0\.1:\d+: Unexpected token/);
    expect(error.message).toContain(new URL(site.url).host);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it("wraps a signer's failure in a CredentialsError with a hint", async () => {
    const broken = new Error("token file unreadable");
    const error = await failure(on("/ok", { authorize: async () => Promise.reject(broken) }));
    expect(error.name).toBe("CredentialsError");
    expect(error.message).toBe(
      "Could not sign the request: token file unreadable (hint: check the credentials or the credentials provider)",
    );
    expect(error.hint).toBe("check the credentials or the credentials provider");
    expect(error.cause).toBe(broken);
  });

  it("wraps a signer's rejection with no error at all", async () => {
    const error = await failure(on("/ok", { authorize: () => Promise.reject(null) }));
    expect(error.name).toBe("CredentialsError");
    expect(error.message).toBe(
      "Could not sign the request: null (hint: check the credentials or the credentials provider)",
    );
  });

  it("passes a signer's own BedrockError through unchanged", async () => {
    const expired = new CredentialsError("The SSO session has expired", { hint: "run `aws sso login`" });
    const error = await failure(on("/ok", { authorize: () => Promise.reject(expired) }));
    expect(error).toBe(expired);
    expect(error.message).toBe("The SSO session has expired (hint: run `aws sso login`)");
  });

  it("passes a custom fetch's own BedrockError through unchanged, not as a NetworkError", async () => {
    const refused = new UnknownError("the proxy refused the call");
    const error = await failure(on("/ok", { fetch: () => Promise.reject(refused), maxRetries: 0 }));
    expect(error).toBe(refused);
    expect(error.message).toBe("the proxy refused the call");
  });

  it("passes a BedrockError from the body stream through, not as a lost connection", async () => {
    const broke = new UnknownError("the body decoder broke");
    const fetchBroken: typeof fetch = async () =>
      new Response(new ReadableStream({ start: (c) => c.error(broke) }), { status: 200 });
    const error = await failure(on("/ok", { fetch: fetchBroken, maxRetries: 0 }));
    expect(error).toBe(broke);
  });

  it("says which host it could not reach, with a hint", async () => {
    const gone = await loopback(() => {});
    await gone.close();
    const error = await failure({ ...plan("/"), url: `${gone.url}/`, maxRetries: 0 });
    expect(error.name).toBe("NetworkError");
    expect(error.message).toMatch(new RegExp(`^Could not reach ${new URL(gone.url).host}: fetch failed`));
    expect(error.hint).toBe("check `url` / `region` and that the proxy is running");
  });

  it.each(["Bearer ", "bearer\t "])(
    "keeps a bearer token (%j) and session token out of errors",
    async (prefix) => {
      const authorize = async (r: Request) => {
        const headers = new Headers(r.headers);
        headers.set("authorization", `${prefix}${TOKEN}`);
        headers.set("x-amz-security-token", SESSION);
        return new Request(r, { headers });
      };
      const error = await failure(on("/echo-credentials", { authorize }));
      expect(error.name).toBe("AccessDeniedException");
      expect(error.message).toBe("bad token [redacted], session [redacted]");
    },
  );

  it("keeps a SigV4 signature out of errors", async () => {
    const authorize = async (r: Request) => {
      const headers = new Headers(r.headers);
      headers.set(
        "authorization",
        `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature=${SIGNATURE}`,
      );
      return new Request(r, { headers });
    };
    const error = await failure(on("/echo-signature", { authorize }));
    expect(error.message).toBe("signature [redacted] does not match");
  });

  it("says a signal aborted beforehand stopped the request before it was sent", async () => {
    const error = await failure(on("/ok", { signal: AbortSignal.abort() }));
    expect(error).toMatchObject({
      name: "AbortError",
      message: "The request was aborted before it was sent",
    });
    const nulled = new AbortController();
    nulled.abort(null);
    const error2 = await failure(on("/ok", { signal: nulled.signal }));
    expect(error2).toMatchObject({
      name: "AbortError",
      message: "The request was aborted before it was sent",
    });
  });

  it("names an AbortSignal.timeout() that fired beforehand a TimeoutError", async () => {
    const signal = AbortSignal.timeout(1);
    await new Promise((r) => setTimeout(r, 20));
    const error = await failure(on("/ok", { signal }));
    expect(error).toMatchObject({
      name: "TimeoutError",
      message: "The request timed out before it was sent",
    });
  });

  it("says the request was aborted when the caller aborts while waiting", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await failure(on("/hang", { signal: controller.signal }));
    expect(error).toMatchObject({ name: "AbortError", message: "The request was aborted" });
  });

  it("ends a read at once when the caller aborts between chunks, even if the body ignores the signal", async () => {
    // A runtime whose body stream never hears the abort: one line, then nothing, ever.
    const deaf: typeof fetch = async () =>
      new Response(new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode("one\n")) }));
    const controller = new AbortController();
    const run = runCall(on("/ok", { fetch: deaf, signal: controller.signal, idleTimeoutMs: 0 }), lines);
    expect((await run.next()).value).toBe("one");
    controller.abort();
    const error = await within(
      run.next().catch((e) => e),
      1000,
    );
    expect(error).toMatchObject({ name: "AbortError", message: "The request was aborted", phase: "stream" });
  });
});
