// bedrock-edge/proxy: the signing CORS proxy as a web-standard fetch handler. See docs/proxy.md.

export type { OriginPolicy } from "./cors.ts";
export {
  type BudgetNamespace,
  type BudgetObjectState,
  durableObjectStore,
  ProxyBudget,
} from "./durable-object-store.ts";
export { PROXY_ENV, proxyOptionsFromEnv } from "./env.ts";
export type { CallerLimits, ProxyLimits } from "./limits.ts";
export type { TokenUsage } from "./meter.ts";
export {
  type AuthorizeResult,
  DEFAULT_MAX_BODY_BYTES,
  type ProxyOptions,
  type UsageRecord,
} from "./options.ts";
export { type BedrockProxy, createProxy, type ProxyContext } from "./proxy.ts";
export { type RedisClient, type RedisStoreOptions, redisStore } from "./redis-store.ts";
export { type Operation, parseRoute, REGION, type Route, upstreamUrl } from "./route.ts";
export { createSessionToken, type SessionOptions, type SessionTokenOptions } from "./sessions.ts";
export { type Admission, type AdmitResult, type LimitName, type LimitStore, memoryStore } from "./store.ts";
