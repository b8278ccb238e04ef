// The signing proxy for a public page on Node (or Deno, Bun), with per-caller budgets shared through Redis by
// every instance you run. Callers present session tokens your backend mints (see mint-session.mjs); each
// token's subject has its own limits and daily token budget, and usage goes to onUsage for billing.
//
//   REDIS_URL=redis://127.0.0.1:6379 BEDROCK_EDGE_PROXY_SESSION_SECRET=... AWS_ACCESS_KEY_ID=... \
//   AWS_SECRET_ACCESS_KEY=... BEDROCK_EDGE_PROXY_ORIGINS=https://app.example.com node server.mjs
import { serve } from "bedrock-edge/node";
import { createProxy, proxyOptionsFromEnv, redisStore } from "bedrock-edge/proxy";
import { createClient } from "redis";

const env = process.env;
const redis = createClient({ url: env.REDIS_URL ?? "redis://127.0.0.1:6379" });
redis.on("error", (error) => console.error(`redis: ${error.message}`));
await redis.connect();

const defaults = {
  // Used when the environment sets none (BEDROCK_EDGE_PROXY_TOKENS_PER_DAY and friends override them).
  limits: { requestsPerMinute: 10, tokensPerMinute: 20_000, tokensPerDay: 50_000, concurrentRequests: 2, maxTokensPerRequest: 1024 },
};
const options = proxyOptionsFromEnv(env, {
  store: redisStore(redis),
  logger: console,
  // One line per call, for billing or analytics (here: stdout as JSON).
  onUsage: (record) => console.log(JSON.stringify({ usage: record })),
});
const proxy = createProxy({
  ...defaults,
  ...options,
  // TESTS ONLY: the emulator instead of AWS (test/proxy/redis-example.test.ts).
  ...(env.BEDROCK_EDGE_TEST_UPSTREAM ? { upstream: env.BEDROCK_EDGE_TEST_UPSTREAM } : {}),
});
const server = await serve(proxy, { port: Number(env.PORT ?? 8080) });
console.log(`proxy listening on ${server.url}`);
process.on("SIGTERM", async () => {
  await server.close();
  await redis.quit();
});
