import { Redis } from "ioredis";
import { createClient } from "redis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createBedrock } from "../../src/client/create";
import { type LimitStore, memoryStore, redisStore, type UsageRecord } from "../../src/proxy";
import { type RedisServer, startRedis } from "../helpers/redis";
import { closer, HAIKU, startProxy, startUpstream, TOKEN } from "./setup";

// Shared budgets in a real redis-server (started on a free loopback port), through both Redis clients users
// have: node-redis (`redis`) and `ioredis`. Three proxy instances share one store; a caller's budget holds
// across them under concurrency, every reservation is settled, and an unreachable store fails closed (503).

const servers = closer();
afterEach(() => servers.closeAll());
let redis: RedisServer;
const clients: { close(): Promise<unknown> }[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
  await redis?.stop();
});

const KINDS = {
  redis: async (url: string, prefix?: string) => {
    const client = createClient({ url, socket: { reconnectStrategy: 50 } });
    client.on("error", () => {});
    await client.connect();
    clients.push({ close: async () => client.destroy() });
    return { store: redisStore(client, { prefix }), raw: (key: string) => client.get(key) };
  },
  ioredis: async (url: string, prefix?: string) => {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    client.on("error", () => {});
    await client.connect();
    clients.push({ close: async () => client.disconnect() });
    return { store: redisStore(client, { prefix }), raw: (key: string) => client.get(key) };
  },
};

const BODY = (text: string) => JSON.stringify({ messages: [{ role: "user", content: [{ text }] }] });

async function threeProxies(stores: LimitStore[], limits: Record<string, number>) {
  const upstream = servers.add(await startUpstream());
  const usage: UsageRecord[] = [];
  const proxies = [];
  for (const store of stores)
    proxies.push(
      servers.add(await startProxy(upstream, { store, limits, onUsage: (r) => void usage.push(r) })),
    );
  return { upstream, proxies, usage };
}

for (const [kind, connect] of Object.entries(KINDS)) {
  describe(`redisStore with ${kind}`, () => {
    it("three proxies sharing it never let a caller's concurrent calls spend past the daily budget", async () => {
      const prefix = `test-${kind}:`;
      const connected = await Promise.all([0, 1, 2].map(() => connect(redis.url, prefix)));
      const { proxies, usage, upstream } = await threeProxies(
        connected.map((c) => c.store),
        { tokensPerDay: 2000, maxTokensPerRequest: 100 },
      );
      const responses = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          fetch(`${proxies[i % 3].url}/model/us-east-1.${HAIKU}/converse-stream`, {
            method: "POST",
            headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
            body: BODY(`Question number ${i}`),
          }).then(async (r) => ({
            status: r.status,
            type: r.headers.get("x-amzn-errortype"),
            body: await r.arrayBuffer(),
          })),
        ),
      );
      const admitted = responses.filter((r) => r.status === 200).length;
      expect(admitted).toBeGreaterThan(0);
      expect(admitted).toBeLessThan(30);
      for (const r of responses.filter((r) => r.status !== 200))
        expect(r.type === "ServiceQuotaExceededException" || r.type === "ThrottlingException").toBe(true);
      await expect.poll(() => usage.filter((u) => u.status === 200).length).toBe(admitted);
      const spent = usage.reduce((sum, u) => sum + u.charged, 0);
      expect(spent).toBeLessThanOrEqual(2000);
      expect(upstream.seen).toHaveLength(admitted);
      // Every reservation settled: the caller's state holds none.
      const key = (await connected[0].raw(`${prefix}${usage[0].subject}`)) as string;
      const state = JSON.parse(key);
      expect(Object.keys(state.f)).toHaveLength(0);
      expect(state.dt).toBe(spent);
      expect(state.dh).toBe(0);
    });
  });
}

describe("an unreachable store", () => {
  it("fails closed with 503 ServiceUnavailableException within storeTimeoutMs; failOpen lets calls through", async () => {
    const dead = await startRedis();
    const { store } = await KINDS.redis(dead.url);
    await dead.stop();
    const upstream = servers.add(await startUpstream());
    const closed = servers.add(
      await startProxy(upstream, { store, limits: { requestsPerMinute: 100 }, storeTimeoutMs: 300 }),
    );
    const client = createBedrock(
      { url: `${closed.url}/model/`, key: TOKEN, region: "us-east-1" },
      { env: {} },
    );
    const started = Date.now();
    const response = await fetch(`${closed.url}/model/us-east-1.${HAIKU}/converse`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: BODY("Hi"),
    });
    expect(response.status).toBe(503);
    expect(response.headers.get("x-amzn-errortype")).toBe("ServiceUnavailableException");
    expect((await response.json()).message).toMatch(/usage store is unavailable/);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(upstream.seen).toHaveLength(0);
    const error = await client
      .request([{ role: "user", content: "Hi" }], { model: HAIKU, maxRetries: 0 } as never)
      .catch((e) => e);
    expect(error).toMatchObject({ name: "ServiceUnavailableException", status: 503 });

    const open = servers.add(
      await startProxy(upstream, {
        store,
        limits: { requestsPerMinute: 100 },
        storeTimeoutMs: 300,
        failOpen: true,
      }),
    );
    const through = await fetch(`${open.url}/model/us-east-1.${HAIKU}/converse`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: BODY("Hi"),
    });
    expect(through.status).toBe(200);
  });

  it("memoryStore is the default and keeps callers apart", async () => {
    const upstream = servers.add(await startUpstream());
    const proxy = servers.add(
      await startProxy(upstream, {
        tokens: [TOKEN, `${TOKEN}-2`],
        store: memoryStore(),
        limits: { requestsPerMinute: 1 },
      }),
    );
    const post = (token: string) =>
      fetch(`${proxy.url}/model/us-east-1.${HAIKU}/converse`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
        body: BODY("Hi"),
      }).then((r) => r.status);
    expect([await post(TOKEN), await post(TOKEN), await post(`${TOKEN}-2`)]).toEqual([200, 429, 200]);
  });
});
