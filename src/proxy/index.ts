// bedrock-edge/proxy: the signing CORS proxy as a web-standard fetch handler. See docs/proxy.md.

export type { OriginPolicy } from "./cors.ts";
export { PROXY_ENV, proxyOptionsFromEnv } from "./env.ts";
export { DEFAULT_MAX_BODY_BYTES, type ProxyOptions } from "./options.ts";
export { type BedrockProxy, createProxy } from "./proxy.ts";
export { type Operation, parseRoute, REGION, type Route, upstreamUrl } from "./route.ts";
