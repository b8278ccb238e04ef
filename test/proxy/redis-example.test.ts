import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBedrock } from "../../src/client/create";
import { createSessionToken } from "../../src/proxy";
import { type RedisServer, startRedis } from "../helpers/redis";
import { HAIKU, startUpstream, type Upstream } from "./setup";

// examples/proxy-redis run as a user runs it (node server.mjs, the built package by self-reference), with a
// real redis-server and the emulator as the upstream: session tokens admitted, budgets kept in Redis, one
// onUsage line per call.

const ROOT = join(import.meta.dirname, "..", "..");
const SECRET = "example-session-secret-0123456789abcdef01";
let redis: RedisServer;
let upstream: Upstream;
let child: ChildProcess;
let url: string;
const out: string[] = [];

beforeAll(async () => {
  redis = await startRedis();
  upstream = await startUpstream();
  child = spawn(process.execPath, ["examples/proxy-redis/server.mjs"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      PORT: "0",
      REDIS_URL: redis.url,
      BEDROCK_EDGE_PROXY_SESSION_SECRET: SECRET,
      BEDROCK_API_KEY: "emulator-key",
      AWS_REGION: "us-east-1",
      BEDROCK_EDGE_PROXY_TOKENS_PER_DAY: "400",
      BEDROCK_EDGE_PROXY_MAX_TOKENS_PER_REQUEST: "200",
      BEDROCK_EDGE_TEST_UPSTREAM: upstream.url,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  url = await new Promise<string>((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`the example did not start:\n${text}`)), 15_000);
    const take = (chunk: Buffer) => {
      text += chunk;
      out.push(...String(chunk).split("\n"));
      const m = /proxy listening on (\S+)/.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on("data", take);
    child.stderr!.on("data", take);
  });
}, 30_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }
  await upstream?.close();
  await redis?.stop();
});

describe("examples/proxy-redis", () => {
  it("admits session tokens, spends the budget kept in Redis, and logs one usage line per call", async () => {
    const token = await createSessionToken({ secret: SECRET, subject: "example-user" });
    const client = createBedrock({ url: `${url}/model/`, key: token, region: "us-east-1" }, { env: {} });
    const names: string[] = [];
    for (let i = 0; i < 20 && names.at(-1) !== "ServiceQuotaExceededException"; i++) {
      try {
        await client.request([{ role: "user", content: "Hello from the Redis example" }], { model: HAIKU });
        names.push("ok");
      } catch (error) {
        names.push((error as Error).name);
      }
    }
    expect(names[0]).toBe("ok");
    expect(names.at(-1)).toBe("ServiceQuotaExceededException");
    await expect
      .poll(() => out.filter((l) => l.startsWith('{"usage"')).length)
      .toBe(names.filter((n) => n === "ok").length);
    const record = JSON.parse(out.find((l) => l.startsWith('{"usage"'))!).usage;
    expect(record).toMatchObject({ subject: "example-user", modelId: HAIKU, status: 200 });
    expect(out.join("\n")).not.toContain(token);
  });
});
