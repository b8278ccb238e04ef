import { afterEach, describe, expect, it } from "vitest";
import { request } from "../../src/client/create";
import {
  backoffDelay,
  MAX_RETRY_DELAY_MS,
  RETRY_BASE_MS,
  retryAfterMs,
  retryDelay,
  THROTTLING_RETRY_BASE_MS,
} from "../../src/client/retry";
import { ConfigError, NetworkError } from "../../src/errors";
import { verifyOnServer } from "../auth/helpers";
import { capture } from "../helpers/fixtures";
import { EVENT_STREAM, loopback } from "../helpers/server";
import { countingFetch, resolvedFor } from "./helpers";

let server: Awaited<ReturnType<typeof loopback>> | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const hi = [{ role: "user" as const, content: "Hello" }];
const recorded = capture("test_bedrock_model_stream");
const recordedText = recorded.frames.map((f) => JSON.parse(f.payload).delta?.text ?? "").join("");

describe("retry timing (AWS SDK standard mode)", () => {
  it("full jitter: the delay is uniform in [0, base * 2^attempt), capped at 20 s", () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const ceiling = Math.min(MAX_RETRY_DELAY_MS, RETRY_BASE_MS * 2 ** attempt);
      expect(backoffDelay(attempt, RETRY_BASE_MS, MAX_RETRY_DELAY_MS, () => 0)).toBe(0);
      expect(backoffDelay(attempt, RETRY_BASE_MS, MAX_RETRY_DELAY_MS, () => 0.999999)).toBe(ceiling - 1);
    }
    const samples = Array.from({ length: 2000 }, () => backoffDelay(3));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...samples)).toBeLessThan(800);
    // Jittered, not fixed: the samples spread over the range.
    expect(new Set(samples).size).toBeGreaterThan(300);
  });

  it("throttling waits on a larger base", () => {
    expect(retryDelay(0, true, undefined, () => 0.999999)).toBe(THROTTLING_RETRY_BASE_MS - 1);
    expect(retryDelay(0, false, undefined, () => 0.999999)).toBe(RETRY_BASE_MS - 1);
  });

  it("Retry-After is a floor, capped at 20 s", () => {
    expect(retryDelay(0, false, 3000, () => 0)).toBe(3000);
    expect(retryDelay(0, false, 3_600_000, () => 0)).toBe(MAX_RETRY_DELAY_MS);
    expect(retryDelay(4, false, 10, () => 0.5)).toBe(Math.floor(0.5 * RETRY_BASE_MS * 2 ** 4));
  });

  it("Retry-After in seconds or as an HTTP date", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(retryAfterMs("2", now)).toBe(2000);
    expect(retryAfterMs("0.5", now)).toBe(500);
    expect(retryAfterMs("Wed, 01 Jan 2025 00:00:07 GMT", now)).toBe(7000);
    expect(retryAfterMs("Tue, 31 Dec 2024 23:00:00 GMT", now)).toBe(0);
    expect(retryAfterMs("soon", now)).toBeUndefined();
    expect(retryAfterMs("-3", now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});

describe("retries against a loopback server", () => {
  it("honours Retry-After: the second attempt waits at least that long", async () => {
    const arrivals: number[] = [];
    server = await loopback((_, res) => {
      arrivals.push(Date.now());
      if (arrivals.length === 1) {
        res.writeHead(429, {
          "content-type": "application/json",
          "retry-after": "1",
          "x-amzn-errortype": "ThrottlingException",
        });
        return void res.end('{"message":"slow down"}');
      }
      res.writeHead(200, EVENT_STREAM);
      res.end(recorded.bytes);
    });
    const result = await request(resolvedFor(server.url), hi, { maxRetries: 1 });
    expect(result.outputText).toBe(recordedText);
    expect(arrivals).toHaveLength(2);
    expect(arrivals[1] - arrivals[0]).toBeGreaterThanOrEqual(950);
  });

  it("a final throttling error carries Retry-After for the caller", async () => {
    server = await loopback((_, res) => {
      res.writeHead(429, { "content-type": "application/json", "retry-after": "30" });
      res.end('{"message":"Too many tokens"}');
    });
    const error = await request(resolvedFor(server.url), hi, { maxRetries: 0 }).catch((e) => e);
    expect(error.name).toBe("ThrottlingException");
    expect(error.retryAfterMs).toBe(30_000);
    expect(error.hint).toMatch(/quota/);
  });

  it("an AbortSignal ends the wait between attempts", async () => {
    server = await loopback((_, res) => {
      res.writeHead(429, { "content-type": "application/json", "retry-after": "15" });
      res.end('{"message":"slow down"}');
    });
    const started = Date.now();
    const error = await request(resolvedFor(server.url), hi, {
      maxRetries: 2,
      signal: AbortSignal.timeout(150),
    }).catch((e) => e);
    expect(error.name).toBe("TimeoutError");
    expect(error.message).toMatch(/waiting to retry/);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(server.received).toHaveLength(1);
  });

  it("idleTimeoutMs: 0 disables the idle timer", async () => {
    const at = recorded.frames[4].offset;
    server = await loopback(async (_, res) => {
      res.writeHead(200, EVENT_STREAM);
      res.write(recorded.bytes.subarray(0, at));
      await new Promise((r) => setTimeout(r, 400));
      res.end(recorded.bytes.subarray(at));
    });
    const result = await request(resolvedFor(server.url), hi, { idleTimeoutMs: 0, maxRetries: 0 });
    expect(result.outputText).toBe(recordedText);
  });

  it("a refused connection is a NetworkError, retried maxRetries times", async () => {
    server = await loopback(() => {});
    const url = server.url;
    await server.close();
    server = undefined;
    const counter = countingFetch();
    const error = await request(resolvedFor(url, {}, { fetch: counter.fetch }), hi, { maxRetries: 2 }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.message).toMatch(/^Could not reach 127\.0\.0\.1:\d+: fetch failed \(.*ECONNREFUSED/);
    expect(error.retryable).toBe(true);
    expect(counter.attempts).toBe(3);
  });

  it("a body cut by the server before any event is retried; the answer arrives once", async () => {
    let n = 0;
    server = await loopback((_, res, raw) => {
      res.writeHead(200, EVENT_STREAM);
      if (++n === 1) {
        res.flushHeaders();
        return void setTimeout(() => raw.socket.destroy(), 10);
      }
      res.end(recorded.bytes);
    });
    const texts: string[] = [];
    const result = await request(resolvedFor(server.url), hi, {
      onMessageReceived: (m) => texts.push(m.text),
    });
    expect(n).toBe(2);
    expect(texts.join("")).toBe(recordedText);
    expect(result.outputText).toBe(recordedText);
  });

  it("a cut after events were delivered is never retried", async () => {
    let n = 0;
    server = await loopback((_, res, raw) => {
      n++;
      res.writeHead(200, EVENT_STREAM);
      res.write(recorded.bytes.subarray(0, recorded.frames[5].offset), () =>
        setTimeout(() => raw.socket.destroy(), 20),
      );
    });
    const error = await request(resolvedFor(server.url), hi, { maxRetries: 3 }).catch((e) => e);
    expect(n).toBe(1);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.phase).toBe("stream");
    expect(error.message).toContain(`(${recorded.frames[5].offset} bytes received)`);
    expect(error.partial.outputText).toBe(
      recorded.frames
        .slice(0, 5)
        .map((f) => JSON.parse(f.payload).delta?.text ?? "")
        .join(""),
    );
  });
});

describe("SigV4 through the client (resolveAuth) with clock-skew correction", () => {
  const credentials = {
    accessKeyId: "AKIDRELIABILITY",
    secretAccessKey: "reliability/Secret+Key/0123456789abcdef",
  };

  async function awsLike(serverAheadMs: number) {
    const dates: string[] = [];
    const verdicts: boolean[] = [];
    server = await loopback((req, res) => {
      dates.push(String(req.headers["x-amz-date"]));
      const verdict = verifyOnServer({
        method: req.method,
        target: req.url,
        headers: req.headers,
        body: new TextEncoder().encode(req.body),
        secret: credentials.secretAccessKey,
      });
      verdicts.push(verdict.ok);
      const now = Date.now() + serverAheadMs;
      const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(dates.at(-1)!)!.slice(1).map(Number);
      const signedAt = Date.UTC(m[0], m[1] - 1, m[2], m[3], m[4], m[5]);
      if (!verdict.ok || Math.abs(signedAt - now) > 300_000) {
        res.writeHead(403, {
          "content-type": "application/json",
          "x-amzn-errortype":
            "InvalidSignatureException:http://internal.amazon.com/coral/com.amazon.coral.service/",
          date: new Date(now).toUTCString(),
        });
        return void res.end(
          JSON.stringify({ message: verdict.ok ? "Signature expired: the clock is off" : "bad signature" }),
        );
      }
      res.writeHead(200, EVENT_STREAM);
      res.end(recorded.bytes);
    });
    return { dates, verdicts };
  }

  it("signs with config credentials; a 'Signature expired' 403 is re-signed with the server's clock once", async () => {
    const { dates, verdicts } = await awsLike(20 * 60_000);
    const result = await request(resolvedFor(server!.url, { key: undefined, credentials }), hi, {
      maxRetries: 0,
    });
    expect(result.outputText).toBe(recordedText);
    expect(verdicts).toEqual([true, true]);
    expect(dates).toHaveLength(2);
    const ms = (d: string) =>
      Date.parse(d.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, "$1-$2-$3T$4:$5:$6Z"));
    // The retry was signed on the server's clock, 20 minutes ahead of ours.
    expect(Math.abs(ms(dates[1]) - ms(dates[0]) - 20 * 60_000)).toBeLessThan(5_000);
    expect(server!.received[0].headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDRELIABILITY\//,
    );
  });

  it("a 403 that is not about the clock is not retried", async () => {
    await awsLike(0);
    const wrong = { ...credentials, secretAccessKey: "wrong-secret-wrong-secret" };
    const error = await request(resolvedFor(server!.url, { key: undefined, credentials: wrong }), hi).catch(
      (e) => e,
    );
    expect(error.name).toBe("InvalidSignatureException");
    expect(error.status).toBe(403);
    expect(server!.received).toHaveLength(1);
  });

  it("env AWS keys are used when no key is configured (resolveAuth's order)", async () => {
    await awsLike(0);
    const env = {
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    };
    const result = await request(resolvedFor(server!.url, { key: undefined }, { env }), hi);
    expect(result.outputText).toBe(recordedText);
    expect(server!.received[0].headers.authorization).toMatch(/^AWS4-HMAC-SHA256/);
  });

  it("a credentials provider that throws: CredentialsError, nothing sent", async () => {
    await awsLike(0);
    const provider = async () => {
      throw new Error("STS is down");
    };
    const error = await request(
      resolvedFor(server!.url, { key: undefined }, { credentials: provider }),
      hi,
    ).catch((e) => e);
    expect(error.name).toBe("CredentialsError");
    expect(error.message).toContain("STS is down");
    expect(server!.received).toHaveLength(0);
  });

  it("no credentials at all: a ConfigError that lists where it looked", async () => {
    const error = await request(resolvedFor("http://127.0.0.1:9", { key: undefined }), hi).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/AWS_BEARER_TOKEN_BEDROCK.*BEDROCK_API_KEY.*AWS_ACCESS_KEY_ID/);
  });
});
