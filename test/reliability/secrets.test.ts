import { inspect } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { createBedrock } from "../../src/client/create";
import type { ResolveOptions } from "../../src/config/resolve";
import { createEmulator } from "../../src/emulator";
import { BedrockError } from "../../src/errors";
import { serve } from "../../src/node";
import { eventFrame, exceptionFrame } from "../helpers/frames";
import { capturingLogger, FAULT, MODEL } from "./helpers";

// No key, Authorization value, secret key or session token in any log line or anything thrown, whatever the
// level: every scenario of this suite (success, every fault, hostile servers echoing credentials, config
// errors, network errors, aborts) runs with recognisable secrets, and everything logged and thrown is scanned.

const KEY = "ABSKQmVkcm9ja0FQSUtleS1zZWNyZXQtdmFsdWUtOTg3NjU0MzIx";
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEYEXAMPLE";
const TOKEN = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKENvalue0123456789abcdef";
const ACCESS_KEY_ID = "AKIDSECRETSTEST01";

const emulator = createEmulator();
/** Every Authorization / x-amz-security-token value that went over the wire. */
const sentAuth = new Set<string>();

const echoOf = (req: Request) =>
  `auth=${req.headers.get("authorization")} token=${req.headers.get("x-amz-security-token")}`;

/** The emulator, plus hostile answers that echo the credentials back when asked (x-echo). */
const server = await serve({
  async fetch(req) {
    for (const name of ["authorization", "x-amz-security-token"]) {
      const value = req.headers.get(name);
      if (value) sentAuth.add(value);
    }
    const echo = req.headers.get("x-echo");
    const text = echoOf(req);
    switch (echo) {
      case "http-400":
        return Response.json(
          { message: `Bad request: ${text}` },
          { status: 400, headers: { "x-amzn-errortype": "ValidationException" } },
        );
      case "http-403-skew":
        return Response.json(
          { message: `Signature expired: 20200101T000000Z is now earlier than 20200101T000500Z ${text}` },
          {
            status: 403,
            headers: {
              "x-amzn-errortype": "InvalidSignatureException",
              date: new Date(Date.now() + 3_600_000).toUTCString(),
            },
          },
        );
      case "html-502":
        return new Response(`<html><body>Bad gateway for ${text}</body></html>`, {
          status: 502,
          headers: { "content-type": "text/html" },
        });
      case "plain-500":
        return new Response(`upstream said ${text}`, {
          status: 500,
          headers: { "content-type": "text/plain" },
        });
      case "json-200":
        return Response.json({ echoed: text }, { status: 200 });
      case "exception-frame": {
        const frame = exceptionFrame("validationException", {
          message: `rejected ${text}`,
          originalMessage: text,
        });
        return new Response(frame as Uint8Array<ArrayBuffer>, {
          headers: { "content-type": "application/vnd.amazon.eventstream" },
        });
      }
      case "payload": {
        const frame = eventFrame("contentBlockDelta", new TextEncoder().encode(`not json ${text}`));
        return new Response(frame as Uint8Array<ArrayBuffer>, {
          headers: { "content-type": "application/vnd.amazon.eventstream" },
        });
      }
    }
    return emulator.fetch(req);
  },
});
afterAll(() => server.close());

type AuthMode = "config key" | "env key" | "config SigV4 + session token" | "env SigV4 + session token";
const AUTH_MODES: AuthMode[] = [
  "config key",
  "env key",
  "config SigV4 + session token",
  "env SigV4 + session token",
];

function configFor(mode: AuthMode, extra: Record<string, unknown> = {}, options: ResolveOptions = {}) {
  const block: Record<string, unknown> = {
    url: `${server.url}/model/`,
    region: "us-east-1",
    modelIdPrefix: "none",
    logLevel: "debug",
    models: { claude: { modelName: MODEL } },
  };
  const env: Record<string, string> = {};
  if (mode === "config key") block.key = KEY;
  if (mode === "env key") env.AWS_BEARER_TOKEN_BEDROCK = KEY;
  if (mode === "config SigV4 + session token") {
    block.credentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET, sessionToken: TOKEN };
  }
  if (mode === "env SigV4 + session token") {
    Object.assign(env, {
      AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: SECRET,
      AWS_SESSION_TOKEN: TOKEN,
    });
  }
  return { block: { ...block, ...extra }, options: { env, ...options } };
}

interface Seen {
  logs: ReturnType<typeof capturingLogger>["lines"];
  thrown: unknown[];
  reported: unknown[];
  results: unknown[];
  /** Errors thrown by createBedrock itself (before any call, so no onError). */
  construction: number;
}
const seenBy = new Map<AuthMode, Seen>();
/** Which secrets a mode holds: the scan looks for those (a key pasted as a model id in SigV4 mode is just text). */
const SECRETS_OF: Record<AuthMode, string[]> = {
  "config key": [KEY],
  "env key": [KEY],
  "config SigV4 + session token": [SECRET, TOKEN],
  "env SigV4 + session token": [SECRET, TOKEN],
};

/** One call, everything it logs, throws, reports or returns kept for the scan. */
async function scenario(
  mode: AuthMode,
  options: Record<string, unknown> = {},
  setup: {
    extra?: Record<string, unknown>;
    resolve?: ResolveOptions;
    api?: "request" | "stream";
    env?: Record<string, string>;
  } = {},
) {
  const seen = seenBy.get(mode)!;
  const logger = capturingLogger();
  const { block, options: resolveOptions } = configFor(mode, setup.extra, { logger, ...setup.resolve });
  resolveOptions.env = { ...resolveOptions.env, ...setup.env };
  const messages = [{ role: "user" as const, content: "Write 12 words" }];
  const opts = { maxRetries: 0, ...options, onError: (e: unknown) => seen.reported.push(e) };
  try {
    let client: ReturnType<typeof createBedrock>;
    try {
      client = createBedrock(block, resolveOptions);
    } catch (error) {
      seen.construction++;
      throw error;
    }
    if (setup.api === "stream") {
      const events: unknown[] = [];
      for await (const e of client.stream(messages, opts)) events.push(e);
      seen.results.push(events);
    } else {
      seen.results.push(await client.request(messages, opts));
    }
  } catch (error) {
    seen.thrown.push(error);
  } finally {
    seen.logs.push(...logger.lines);
  }
}

const faults = [
  "throttle",
  "access-denied",
  "validation",
  "internal",
  "throttle-frame;after=3",
  "model-stream-error;after=2",
  "internal-frame;after=0",
  "validation-frame;after=4",
  "truncate;after=3",
  "delay;ms=10,reset;after=3",
  "reset;after=0",
  "bad-crc;after=2",
  "bad-crc;after=2;part=prelude",
  "stall;ms=2000;after=3",
  "slow-first-byte;ms=2000",
  "json-200",
  "fail-first;count=1;code=ServiceUnavailableException",
  "http;status=400;code=NotARealException",
];
const echoes = [
  "http-400",
  "http-403-skew",
  "html-502",
  "plain-500",
  "json-200",
  "exception-frame",
  "payload",
];

/** Everything an error exposes: message, stack, every property (own, hidden, nested), causes, JSON. */
function exposure(value: unknown): string {
  const parts: string[] = [inspect(value, { depth: 12, showHidden: true, getters: true })];
  try {
    parts.push(JSON.stringify(value) ?? "");
  } catch {
    // circular: inspect covers it
  }
  let cause: unknown = value;
  for (let i = 0; cause instanceof Error && i < 10; i++) {
    parts.push(
      String(cause.message),
      String(cause.stack),
      ...Object.getOwnPropertyNames(cause).map((k) => String((cause as any)[k])),
    );
    cause = cause.cause;
  }
  return parts.join("\n");
}

function secretsFor(mode: AuthMode): string[] {
  const out = [...SECRETS_OF[mode]];
  for (const value of sentAuth) {
    out.push(value);
    const signature = /Signature=([0-9a-f]{64})/.exec(value);
    if (signature) out.push(signature[1]);
  }
  return out;
}

describe("secrets never appear in logs or errors", () => {
  for (const mode of AUTH_MODES) {
    it(`${mode}: success, every fault, hostile echoes, network errors, aborts and config errors`, async () => {
      seenBy.set(mode, { logs: [], thrown: [], reported: [], results: [], construction: 0 });
      const [mine, other = mine] = SECRETS_OF[mode];
      for (const stream of [true, false]) {
        await scenario(mode, { stream });
        await scenario(mode, { stream }, { api: "stream" });
        for (const fault of faults) {
          await scenario(mode, {
            stream,
            headers: {
              [FAULT]: fault,
              "x-bedrock-edge-fault-key": `${mode}-${fault}-${stream}-${Math.random()}`,
            },
            idleTimeoutMs: 150,
            firstByteTimeoutMs: 150,
            maxRetries: fault.startsWith("fail-first") ? 1 : 0,
          });
        }
        for (const echo of echoes) {
          await scenario(mode, { stream, headers: { "x-echo": echo }, maxRetries: 1 });
          await scenario(mode, { stream, headers: { "x-echo": echo } }, { api: "stream" });
        }
      }
      // Network error, a user abort, a timeout while the signal is also set.
      await scenario(mode, {}, { extra: { url: "http://127.0.0.1:9/model/" } });
      await scenario(mode, { signal: AbortSignal.abort() });
      await scenario(mode, {
        signal: AbortSignal.timeout(80),
        headers: { [FAULT]: "stall;ms=2000;after=2" },
      });
      // A fetch that puts the request's Authorization into its own error (some proxies' client libraries do).
      const leaky: typeof fetch = async (input) => {
        throw new TypeError(`fetch failed for ${echoOf(input as Request)}`, {
          cause: new Error(echoOf(input as Request)),
        });
      };
      await scenario(mode, {}, { resolve: { fetch: leaky } });
      // Log level from the environment rather than the config.
      await scenario(mode, {}, { extra: { logLevel: undefined }, env: { BEDROCK_EDGE_LOG_LEVEL: "debug" } });
      // Config and option errors, with the secrets present (one even pasted into the wrong field).
      await scenario(mode, {}, { extra: { region: "moon-1" } });
      await scenario(mode, {}, { extra: { modelIdPrefix: mine } });
      await scenario(mode, {}, { extra: { url: `not a url ${other}` } });
      await scenario(mode, {}, { extra: { models: {} } });
      await scenario(mode, { temperature: mine });
      await scenario(mode, { apiKey: mine });
      await scenario(mode, { model: other });
      await scenario(mode, { headers: { "x-api-key": "proxy-key-0123456789", [FAULT]: "validation" } });
    });
  }

  for (const mode of AUTH_MODES) {
    it(`${mode}: scans what every scenario logged, threw, reported and returned`, () => {
      const seen = seenBy.get(mode)!;
      // The scenarios really exercised the paths: many failures, logs at debug and warn, credentials sent.
      expect(seen.thrown.length).toBeGreaterThan(60);
      expect(seen.thrown.every((e) => e instanceof BedrockError)).toBe(true);
      expect(new Set(seen.thrown.map((e) => (e as BedrockError).name)).size).toBeGreaterThan(15);
      expect(seen.results.length).toBeGreaterThan(5);
      // onError once per failed call (createBedrock's own config errors come before any call).
      expect(seen.construction).toBe(3);
      expect(seen.reported.length).toBe(seen.thrown.length - seen.construction);
      expect(seen.logs.filter((l) => l.level === "debug").length).toBeGreaterThan(100);
      expect(seen.logs.some((l) => l.level === "warn")).toBe(true);

      const list = secretsFor(mode);
      const leaks: string[] = [];
      const check = (where: string, text: string) => {
        for (const s of list) if (text.includes(s)) leaks.push(`${where}: ${s.slice(0, 12)}...`);
      };
      for (const [i, l] of seen.logs.entries()) {
        check(`log ${i} (${l.level} ${l.message})`, `${l.message}\n${exposure(l.data)}`);
      }
      for (const [i, e] of seen.thrown.entries()) check(`thrown ${i} (${(e as Error).name})`, exposure(e));
      for (const [i, e] of seen.reported.entries()) check(`onError ${i}`, exposure(e));
      for (const [i, r] of seen.results.entries()) check(`result ${i}`, exposure(r));
      expect(leaks).toEqual([]);
      // The hostile echoes reached errors and were redacted there (so the scrubbing, not luck, kept them out).
      const redacted = seen.thrown.filter((e) => (e as Error).message.includes("[redacted]"));
      expect(redacted.length).toBeGreaterThanOrEqual(10);
      // The scan would have found a secret had one been there.
      check(
        "control",
        exposure(new BedrockError("UnknownError", "x", { cause: new Error(`inner ${list[0]}`) })),
      );
      expect(leaks).toHaveLength(1);
    });
  }

  it("the credentials really went over the wire (so the scans had something to find)", () => {
    expect([...sentAuth].some((v) => v === `Bearer ${KEY}`)).toBe(true);
    expect([...sentAuth].some((v) => v.startsWith(`AWS4-HMAC-SHA256 Credential=${ACCESS_KEY_ID}/`))).toBe(
      true,
    );
    expect(sentAuth.has(TOKEN)).toBe(true);
  });
});
