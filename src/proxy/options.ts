import type { AwsCredentials, CredentialsProvider } from "../auth/types.ts";
import type { Logger } from "../client/log.ts";
import { normalizeOrigins, type OriginPolicy } from "./cors.ts";
import { type CallerLimits, checkLimits, DEFAULT_MAX_TOKENS, type ProxyLimits } from "./limits.ts";
import type { TokenUsage } from "./meter.ts";
import { REGION } from "./route.ts";
import { type Session, type SessionOptions, type SessionRefusal, sessionVerifier } from "./sessions.ts";
import { type LimitStore, memoryStore } from "./store.ts";

/** What `authorize` may return: true (every caller shares the subject "authorized"), or the caller's identity. */
export type AuthorizeResult = boolean | { subject: string; limits?: CallerLimits };

/** One call's record, given to `onUsage` when it has ended (for billing or analytics). */
export interface UsageRecord {
  /** The caller: a session token's `sub`, `token:<hash prefix>` for a static token, or authorize's subject. */
  subject: string;
  operation: string;
  region: string;
  modelId: string;
  /** What Bedrock reported (zeros when it reported nothing, e.g. an error answer). */
  usage: TokenUsage;
  /** Tokens counted against the caller's budgets: the usage, or the whole reservation when none was reported. */
  charged: number;
  /** Bedrock's HTTP status (the proxy's own for answers it made itself, e.g. 502). */
  status: number;
  /** How the answer's body ended. */
  end: "complete" | "error" | "cancelled";
  requestId?: string;
  /** From the request's arrival to the end of the answer. */
  ms: number;
}

export interface ProxyOptions {
  /**
   * Bearer tokens callers may present (`Authorization: Bearer <token>`), compared in constant time. Use long
   * random values (32+ bytes). Required unless `authorize` is given.
   */
  tokens?: readonly string[];
  /**
   * A custom caller check instead of `tokens`. Return true to let the request through (callers then share one
   * budget, subject "authorized"), or `{ subject, limits? }` to name the caller.
   */
  authorize?: (request: Request) => AuthorizeResult | Promise<AuthorizeResult>;
  /**
   * JSON Web Tokens as caller credentials: `{ secret }` for HS256 tokens your backend mints with
   * createSessionToken, or `{ jwks, issuer, audience }` for an identity provider's ID tokens. The caller is the
   * token's `sub`. Works beside `tokens` (a JWT-shaped bearer token is checked as a session).
   */
  sessions?: SessionOptions;
  /** Limits per caller (subject). A session token's `limits` claim can tighten them, never loosen them. */
  limits?: ProxyLimits;
  /** Where budgets live: memoryStore() (the default: one instance), durableObjectStore(ns) or redisStore(client). */
  store?: LimitStore;
  /** When the store cannot be reached within storeTimeoutMs: false (default) answers 503; true lets calls through unmetered. */
  failOpen?: boolean;
  /** How long to wait for the store. Default 2000 ms. */
  storeTimeoutMs?: number;
  /** Called once per call when its answer has ended: subject, usage, status... Errors it throws are logged. */
  onUsage?: (record: UsageRecord) => void | Promise<void>;
  /** AWS credentials (or an async provider, cached until shortly before expiry) to SigV4-sign upstream calls. */
  credentials?: AwsCredentials | CredentialsProvider;
  /** Instead of `credentials`: a Bedrock API key sent upstream as `Authorization: Bearer`. */
  upstreamKey?: string;
  /** Path prefix the proxy serves. Default `/model` (so the client's `url` is `https://proxy.example.com/model/`). */
  mount?: string;
  /** Region for paths without one (`{mount}/{modelId}/converse`). Unset: such paths get 404. */
  defaultRegion?: string;
  /** Only these regions may be called. Unset: any region name. */
  allowedRegions?: readonly string[];
  /** Only these model ids (as sent upstream, without the region) may be called. Unset: any. */
  allowedModels?: readonly string[];
  /** Browser origins allowed to call (exact `scheme://host[:port]`), or a predicate. Unset: no browser access. */
  allowedOrigins?: OriginPolicy;
  /** Largest request body accepted, in bytes; larger ones get 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /**
   * TESTS ONLY: an origin (`http://127.0.0.1:PORT`) that replaces `https://bedrock-runtime.{region}.amazonaws.com`,
   * e.g. the emulator's. Never set it in production: the fixed AWS host is part of the security model.
   */
  upstream?: string;
  /** The fetch used for upstream calls. Default: the global fetch. */
  fetch?: (request: Request) => Promise<Response>;
  /** Receives one line per request and upstream failures; never tokens, keys or signatures. */
  logger?: Logger;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const MAX_BODY_LIMIT = 100 * 1024 * 1024;

export interface NormalizedOptions {
  tokens?: readonly string[];
  authorize?: (request: Request) => AuthorizeResult | Promise<AuthorizeResult>;
  sessions?: (token: string) => Promise<Session | SessionRefusal>;
  /** The proxy's limits (maxTokensPerRequest filled in when a token budget is set), or undefined for none. */
  limits?: CallerLimits;
  overMaxTokens: "clamp" | "refuse";
  store: LimitStore;
  failOpen: boolean;
  storeTimeoutMs: number;
  onUsage?: (record: UsageRecord) => void | Promise<void>;
  credentials?: AwsCredentials | CredentialsProvider;
  upstreamKey?: string;
  mount: string;
  defaultRegion?: string;
  allowedRegions?: ReadonlySet<string>;
  allowedModels?: ReadonlySet<string>;
  origins: OriginPolicy;
  maxBodyBytes: number;
  upstream?: string;
  fetch: (request: Request) => Promise<Response>;
  logger?: Logger;
}

function fail(message: string): never {
  throw new TypeError(`createProxy: ${message}`);
}

const isText = (v: unknown): v is string => typeof v === "string" && v !== "";

function regionList(name: string, list: readonly string[] | undefined): ReadonlySet<string> | undefined {
  if (list === undefined) return undefined;
  if (!Array.isArray(list) || list.length === 0) fail(`${name} must be a non-empty array of region names`);
  for (const r of list)
    if (typeof r !== "string" || !REGION.test(r)) fail(`${name} holds "${r}", not a region like us-east-1`);
  return new Set(list);
}

/** Validates options once, with errors that name the option (and never print a secret). */
export function normalizeOptions(options: ProxyOptions): NormalizedOptions {
  if (!options || typeof options !== "object") fail("options must be an object");
  const { tokens, authorize, credentials, upstreamKey } = options;
  if (tokens !== undefined && authorize !== undefined) fail("give either tokens or authorize, not both");
  if (authorize !== undefined && typeof authorize !== "function") fail("authorize must be a function");
  if (authorize === undefined && (tokens !== undefined || options.sessions === undefined)) {
    if (!Array.isArray(tokens) || tokens.length === 0)
      fail("tokens must be a non-empty array of caller tokens (or give sessions or authorize)");
    tokens.forEach((t, i) => {
      if (!isText(t) || !/^[!-~]+$/.test(t)) fail(`tokens[${i}] must be printable ASCII without spaces`);
    });
  }
  if ((credentials === undefined) === (upstreamKey === undefined)) {
    fail("give exactly one of credentials (SigV4 signing) or upstreamKey (a Bedrock API key)");
  }
  if (upstreamKey !== undefined && (!isText(upstreamKey) || /\s/.test(upstreamKey))) {
    fail("upstreamKey must be a non-empty string without spaces");
  }
  if (credentials !== undefined && typeof credentials !== "function") {
    if (!isText(credentials?.accessKeyId) || !isText(credentials?.secretAccessKey)) {
      fail(
        "credentials needs accessKeyId and secretAccessKey (non-empty strings), or be a provider function",
      );
    }
  }
  let mount = options.mount ?? "/model";
  if (typeof mount !== "string" || !/^(\/[A-Za-z0-9._~-]+)*\/?$/.test(mount) || /\/\.\.?(\/|$)/.test(mount)) {
    fail(`mount must be a path like "/model", got ${JSON.stringify(mount)}`);
  }
  mount = mount.replace(/\/$/, "");
  const { defaultRegion } = options;
  if (defaultRegion !== undefined && (typeof defaultRegion !== "string" || !REGION.test(defaultRegion))) {
    fail(`defaultRegion must be a region like us-east-1, got ${JSON.stringify(defaultRegion)}`);
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1 || maxBodyBytes > MAX_BODY_LIMIT) {
    fail(`maxBodyBytes must be an integer from 1 to ${MAX_BODY_LIMIT}`);
  }
  const { allowedModels } = options;
  if (allowedModels !== undefined && (!Array.isArray(allowedModels) || !allowedModels.every(isText))) {
    fail("allowedModels must be an array of model ids");
  }
  let upstream: string | undefined;
  if (options.upstream !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(options.upstream);
    } catch {}
    if (!url || !/^https?:$/.test(url.protocol) || url.pathname !== "/" || url.search || url.username) {
      fail("upstream (tests only) must be an origin like http://127.0.0.1:8080");
    }
    upstream = url.origin;
  }
  if (options.fetch !== undefined && typeof options.fetch !== "function") fail("fetch must be a function");
  let limits: CallerLimits | undefined;
  if (options.limits !== undefined) {
    limits = checkLimits(options.limits, "createProxy: limits");
    if ((limits.tokensPerDay || limits.tokensPerMinute) && !limits.maxTokensPerRequest)
      limits.maxTokensPerRequest = DEFAULT_MAX_TOKENS;
  }
  const over = options.limits?.overMaxTokens ?? "clamp";
  if (over !== "clamp" && over !== "refuse") fail('limits.overMaxTokens must be "clamp" or "refuse"');
  const { store, onUsage } = options;
  if (store !== undefined && (typeof store?.admit !== "function" || typeof store?.settle !== "function"))
    fail("store must be memoryStore(), durableObjectStore(namespace) or redisStore(client)");
  if (onUsage !== undefined && typeof onUsage !== "function") fail("onUsage must be a function");
  const storeTimeoutMs = options.storeTimeoutMs ?? 2000;
  if (!Number.isInteger(storeTimeoutMs) || storeTimeoutMs < 1)
    fail("storeTimeoutMs must be a positive integer");
  return {
    tokens,
    authorize,
    sessions: options.sessions === undefined ? undefined : sessionVerifier(options.sessions),
    limits,
    overMaxTokens: over,
    store: store ?? memoryStore(),
    failOpen: options.failOpen === true,
    storeTimeoutMs,
    onUsage,
    credentials,
    upstreamKey,
    mount,
    defaultRegion,
    allowedRegions: regionList("allowedRegions", options.allowedRegions),
    allowedModels: allowedModels && new Set(allowedModels),
    origins: normalizeOrigins(options.allowedOrigins),
    maxBodyBytes,
    upstream,
    fetch: options.fetch ?? ((request) => fetch(request)),
    logger: options.logger,
  };
}
