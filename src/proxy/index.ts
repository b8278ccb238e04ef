// bedrock-edge/proxy: the signing CORS proxy as a web-standard fetch handler. See docs/proxy.md.

export type { OriginPolicy } from "./cors";
export { PROXY_ENV, proxyOptionsFromEnv } from "./env";
export { DEFAULT_MAX_BODY_BYTES, type ProxyOptions } from "./options";
export { type BedrockProxy, createProxy } from "./proxy";
export { type Operation, parseRoute, REGION, type Route, upstreamUrl } from "./route";
