import type { ProxyOptions } from "./options.ts";

type Env = Readonly<Record<string, unknown>>;

/** The environment variables `proxyOptionsFromEnv` reads (a Worker's bindings, the process environment, Deno.env). */
export const PROXY_ENV = {
  tokens: "BEDROCK_EDGE_PROXY_TOKENS",
  origins: "BEDROCK_EDGE_PROXY_ORIGINS",
  mount: "BEDROCK_EDGE_PROXY_MOUNT",
  maxBodyBytes: "BEDROCK_EDGE_PROXY_MAX_BODY_BYTES",
  regions: "BEDROCK_EDGE_PROXY_REGIONS",
  models: "BEDROCK_EDGE_PROXY_MODELS",
  sessionSecret: "BEDROCK_EDGE_PROXY_SESSION_SECRET",
  requestsPerMinute: "BEDROCK_EDGE_PROXY_REQUESTS_PER_MINUTE",
  tokensPerMinute: "BEDROCK_EDGE_PROXY_TOKENS_PER_MINUTE",
  tokensPerDay: "BEDROCK_EDGE_PROXY_TOKENS_PER_DAY",
  concurrentRequests: "BEDROCK_EDGE_PROXY_CONCURRENT_REQUESTS",
  maxTokensPerRequest: "BEDROCK_EDGE_PROXY_MAX_TOKENS_PER_REQUEST",
} as const;

const LIMIT_NAMES = [
  "requestsPerMinute",
  "tokensPerMinute",
  "tokensPerDay",
  "concurrentRequests",
  "maxTokensPerRequest",
] as const;

const text = (env: Env, name: string): string | undefined => {
  const v = env[name];
  return typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;
};
const list = (env: Env, name: string) =>
  text(env, name)
    ?.split(/[\s,]+/)
    .filter(Boolean);

/**
 * Proxy options from environment variables (values are never echoed in errors):
 * - BEDROCK_EDGE_PROXY_TOKENS: caller tokens, comma- or space-separated (required)
 * - upstream auth, in the core's order: AWS_BEARER_TOKEN_BEDROCK or BEDROCK_API_KEY (an API key), else
 *   AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN) for SigV4
 * - AWS_REGION / AWS_DEFAULT_REGION: the default region
 * - BEDROCK_EDGE_PROXY_ORIGINS, _REGIONS, _MODELS: allow-lists; _MOUNT; _MAX_BODY_BYTES
 * - BEDROCK_EDGE_PROXY_SESSION_SECRET: accept HS256 session tokens (createSessionToken) signed with it
 * - BEDROCK_EDGE_PROXY_REQUESTS_PER_MINUTE, _TOKENS_PER_MINUTE, _TOKENS_PER_DAY, _CONCURRENT_REQUESTS,
 *   _MAX_TOKENS_PER_REQUEST: per-caller limits (the store, e.g. durableObjectStore(env.BUDGETS), is an override)
 * `overrides` win over the environment.
 */
export function proxyOptionsFromEnv(env: Env, overrides: Partial<ProxyOptions> = {}): ProxyOptions {
  const options: ProxyOptions = {};
  const tokens = list(env, PROXY_ENV.tokens);
  if (tokens) options.tokens = tokens;
  const key = text(env, "AWS_BEARER_TOKEN_BEDROCK") ?? text(env, "BEDROCK_API_KEY");
  const accessKeyId = text(env, "AWS_ACCESS_KEY_ID");
  const secretAccessKey = text(env, "AWS_SECRET_ACCESS_KEY");
  if (key) options.upstreamKey = key;
  else if (accessKeyId && secretAccessKey) {
    const sessionToken = text(env, "AWS_SESSION_TOKEN");
    options.credentials = sessionToken
      ? { accessKeyId, secretAccessKey, sessionToken }
      : { accessKeyId, secretAccessKey };
  }
  const region = text(env, "AWS_REGION") ?? text(env, "AWS_DEFAULT_REGION");
  if (region) options.defaultRegion = region;
  const origins = list(env, PROXY_ENV.origins);
  if (origins) options.allowedOrigins = origins;
  const regions = list(env, PROXY_ENV.regions);
  if (regions) options.allowedRegions = regions;
  const models = list(env, PROXY_ENV.models);
  if (models) options.allowedModels = models;
  const mount = text(env, PROXY_ENV.mount);
  if (mount) options.mount = mount;
  const max = text(env, PROXY_ENV.maxBodyBytes);
  if (max) {
    if (!/^\d+$/.test(max)) throw new TypeError(`${PROXY_ENV.maxBodyBytes} must be a whole number of bytes`);
    options.maxBodyBytes = Number(max);
  }
  const secret = text(env, PROXY_ENV.sessionSecret);
  if (secret) options.sessions = { secret };
  const limits: Record<string, number> = {};
  for (const name of LIMIT_NAMES) {
    const value = text(env, PROXY_ENV[name]);
    if (value === undefined) continue;
    if (!/^\d+$/.test(value) || Number(value) < 1)
      throw new TypeError(`${PROXY_ENV[name]} must be a positive whole number`);
    limits[name] = Number(value);
  }
  if (Object.keys(limits).length) options.limits = limits;
  const merged = { ...options, ...overrides };
  if (overrides.credentials || overrides.upstreamKey) {
    delete merged.credentials;
    delete merged.upstreamKey;
    Object.assign(
      merged,
      overrides.credentials ? { credentials: overrides.credentials } : { upstreamKey: overrides.upstreamKey },
    );
  }
  const missing: string[] = [];
  if (!merged.tokens && !merged.authorize && !merged.sessions)
    missing.push(`${PROXY_ENV.tokens} (or ${PROXY_ENV.sessionSecret})`);
  if (!merged.credentials && !merged.upstreamKey) {
    missing.push(
      "AWS_BEARER_TOKEN_BEDROCK (or BEDROCK_API_KEY), or AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY",
    );
  }
  if (missing.length) throw new TypeError(`bedrock-edge proxy: missing settings: ${missing.join("; ")}`);
  return merged;
}
