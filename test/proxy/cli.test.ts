import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { CliError } from "../../src/cli/errors";
import type { Io } from "../../src/cli/io";
import { runProxyCommand } from "../../src/cli/proxy-command";
import { createStyle } from "../../src/cli/style";
import { createBedrock } from "../../src/client/create";
import { proxyOptionsFromEnv } from "../../src/proxy";
import { closer, HAIKU, startUpstream, TOKEN, UPSTREAM_KEY } from "./setup";

// `bedrock-edge proxy` run in-process: the real command, a real port, the emulator as upstream.

const servers = closer();
/** `${env:NAME}` as a config file writes it. */
const envRef = (name: string) => ["$", "{env:", name, "}"].join("");
afterEach(() => servers.closeAll());

function testIo(env: Record<string, string>) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c) => {
    out += c;
  });
  stderr.on("data", (c) => {
    err += c;
  });
  const stop = new AbortController();
  const io: Io = {
    stdout,
    stderr,
    stdin: new PassThrough(),
    env,
    signal: stop.signal,
    out: createStyle(false),
    err: createStyle(false),
  };
  return { io, stop, out: () => out, err: () => err };
}

async function listening(read: () => string): Promise<string> {
  for (let i = 0; i < 500; i++) {
    const match = /^listening on (http:\/\/\S+)\n/.exec(read());
    if (match) return match[1];
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`the proxy did not start: ${read()}`);
}

describe("bedrock-edge proxy", () => {
  it("serves from environment settings, logs a line per request without secrets, stops on the signal", async () => {
    const upstream = servers.add(await startUpstream({ apiKeys: [UPSTREAM_KEY] }));
    const t = testIo({ BEDROCK_EDGE_PROXY_TOKENS: `other-token, ${TOKEN}`, BEDROCK_API_KEY: UPSTREAM_KEY });
    const exit = runProxyCommand(["--port", "0", "--region", "us-west-2", "--upstream", upstream.url], t.io);
    const url = await listening(t.out);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const client = createBedrock({ url: `${url}/model/`, key: TOKEN, region: "us-west-2" }, { env: {} });
    const result = await client.request([{ role: "user", content: "Hello via the CLI proxy" }], {
      model: HAIKU,
    });
    expect(result.stopReason).toBe("end_turn");
    expect(upstream.seen[0].headers.get("authorization")).toBe(`Bearer ${UPSTREAM_KEY}`);
    t.stop.abort();
    expect(await exit).toBe(0);
    const log = t.err();
    expect(log).toMatch(/proxy converse-stream us-west-2 anthropic\.claude-3-haiku-20240307-v1:0 -> 200/);
    expect(log).toContain("TESTING ONLY");
    expect(log).toContain("proxy stopped");
    expect(log + t.out()).not.toContain(TOKEN);
    expect(log + t.out()).not.toContain(UPSTREAM_KEY);
  });

  it("reads a config file with env references; flags override it", async () => {
    const upstream = servers.add(await startUpstream({ accessKeyIds: ["AKIDFROMFILE"] }));
    const dir = mkdtempSync(join(tmpdir(), "proxy-cli-"));
    const file = join(dir, "proxy.json");
    writeFileSync(
      file,
      JSON.stringify({
        proxy: {
          tokens: [envRef("MY_PROXY_TOKEN")],
          credentials: { accessKeyId: "AKIDFROMFILE", secretAccessKey: envRef("MY_SECRET") },
          defaultRegion: "eu-west-1",
          allowedOrigins: ["https://app.example.com"],
          mount: "/ignored",
        },
      }),
    );
    const t = testIo({ MY_PROXY_TOKEN: TOKEN, MY_SECRET: "file-secret-value" });
    const exit = runProxyCommand(
      ["--port", "0", "--config", file, "--mount", "/bedrock", "--upstream", upstream.url],
      t.io,
    );
    const url = await listening(t.out);
    const response = await fetch(`${url}/bedrock/${HAIKU}/converse`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, origin: "https://app.example.com" },
      body: JSON.stringify({ messages: [{ role: "user", content: [{ text: "Hi" }] }] }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(upstream.seen[0].headers.get("authorization")).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDFROMFILE\/\d{8}\/eu-west-1\/bedrock\/aws4_request/,
    );
    t.stop.abort();
    expect(await exit).toBe(0);
    expect(t.err()).not.toContain("file-secret-value");
  });

  it.each([
    [[], {}, /BEDROCK_EDGE_PROXY_TOKENS.*AWS_BEARER_TOKEN_BEDROCK/],
    [[], { BEDROCK_EDGE_PROXY_TOKENS: "t" }, /AWS_ACCESS_KEY_ID/],
    [["--region", "mars-1"], { BEDROCK_EDGE_PROXY_TOKENS: "t", BEDROCK_API_KEY: "k" }, /defaultRegion/],
    [["--origin", "*"], { BEDROCK_EDGE_PROXY_TOKENS: "t", BEDROCK_API_KEY: "k" }, /allowedOrigins/],
    [["--port", "x"], {}, /--port/],
    [["--nope"], {}, /nope/],
  ])("exits 2 with a clear message for %j", async (argv, env, message) => {
    const t = testIo(env as Record<string, string>);
    const error = await runProxyCommand(argv as string[], t.io).catch((e) => e);
    expect(error).toBeInstanceOf(CliError);
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(message);
  });

  it("names a bad config file key and a missing variable", async () => {
    const dir = mkdtempSync(join(tmpdir(), "proxy-cli-"));
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ proxy: { tokens: ["t"], upstreamKey: "k", token: "typo" } }));
    const e1 = await runProxyCommand(["--config", bad], testIo({}).io).catch((e) => e);
    expect(e1.message).toMatch(/proxy\.token is not a setting/);
    const missing = join(dir, "missing.json");
    writeFileSync(
      missing,
      JSON.stringify({ proxy: { tokens: [envRef("NOT_SET_ANYWHERE")], upstreamKey: "k" } }),
    );
    const e2 = await runProxyCommand(["--config", missing], testIo({}).io).catch((e) => e);
    expect(e2.message).toMatch(/NOT_SET_ANYWHERE/);
  });

  it("--help prints the usage", async () => {
    const t = testIo({});
    expect(await runProxyCommand(["--help"], t.io)).toBe(0);
    expect(t.out()).toMatch(/^Usage: bedrock-edge proxy/);
  });
});

describe("proxyOptionsFromEnv", () => {
  it("follows the core's order: an API key, else SigV4 keys; region from AWS_REGION", () => {
    const base = { BEDROCK_EDGE_PROXY_TOKENS: "a,b  c" };
    expect(
      proxyOptionsFromEnv({
        ...base,
        AWS_BEARER_TOKEN_BEDROCK: "k1",
        AWS_ACCESS_KEY_ID: "A",
        AWS_SECRET_ACCESS_KEY: "S",
      }),
    ).toMatchObject({ tokens: ["a", "b", "c"], upstreamKey: "k1" });
    const sigv4 = proxyOptionsFromEnv({
      ...base,
      AWS_ACCESS_KEY_ID: "A",
      AWS_SECRET_ACCESS_KEY: "S",
      AWS_SESSION_TOKEN: "T",
      AWS_DEFAULT_REGION: "eu-west-1",
      BEDROCK_EDGE_PROXY_ORIGINS: "https://a.example, https://b.example",
      BEDROCK_EDGE_PROXY_MAX_BODY_BYTES: "2048",
    });
    expect(sigv4).toMatchObject({
      credentials: { accessKeyId: "A", secretAccessKey: "S", sessionToken: "T" },
      defaultRegion: "eu-west-1",
      allowedOrigins: ["https://a.example", "https://b.example"],
      maxBodyBytes: 2048,
    });
    expect(sigv4.upstreamKey).toBeUndefined();
  });

  it("explicit credentials override an API key from the environment", () => {
    const options = proxyOptionsFromEnv(
      { BEDROCK_EDGE_PROXY_TOKENS: "t", BEDROCK_API_KEY: "k" },
      { credentials: { accessKeyId: "A", secretAccessKey: "S" } },
    );
    expect(options.upstreamKey).toBeUndefined();
    expect(options.credentials).toEqual({ accessKeyId: "A", secretAccessKey: "S" });
  });

  it("never prints values in its errors", () => {
    expect(() =>
      proxyOptionsFromEnv({ AWS_ACCESS_KEY_ID: "AKIDVISIBLE", BEDROCK_EDGE_PROXY_MAX_BODY_BYTES: "12kb" }),
    ).toThrow(/BEDROCK_EDGE_PROXY_MAX_BODY_BYTES must be a whole number/);
    const error = (() => {
      try {
        proxyOptionsFromEnv({ AWS_ACCESS_KEY_ID: "AKIDVISIBLE" });
      } catch (e) {
        return String(e);
      }
    })();
    expect(error).toMatch(/missing settings/);
    expect(error).not.toContain("AKIDVISIBLE");
  });
});
