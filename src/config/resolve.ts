import type { Authorizer, AwsCredentials, CredentialsProvider } from "../auth/types";
import { ConfigError } from "../client/errors";
import type { Logger } from "../client/log";
import { ambientEnv, type EnvRecord, interpolateEnv } from "./env";
import { type LogLevel, type ModelConfig, type ModelIdPrefix, parseProvider } from "./schema";

/** A validated provider config, plus the things a JSON file cannot hold (fetch, logger, auth). */
export interface BedrockConfig {
  key?: string;
  url?: string;
  region?: string;
  modelIdPrefix?: ModelIdPrefix;
  models: Record<string, ModelConfig>;
  credentials?: AwsCredentials | CredentialsProvider;
  logLevel?: LogLevel;
  maxRetries?: number;
  firstByteTimeoutMs?: number;
  idleTimeoutMs?: number;
  timeoutMs?: number;
  headers?: Record<string, string>;
  /** The environment `${env:...}` and credential lookups read from. */
  env: EnvRecord;
  fetch?: typeof fetch;
  logger?: Logger;
  /** Replaces the built-in auth (bearer / SigV4) with your own request signer. */
  auth?: Authorizer;
}

export interface ResolveOptions {
  /** Defaults to the process environment where one exists (Node, Bun); pass `Deno.env.toObject()` or a Worker's `env` elsewhere. */
  env?: EnvRecord;
  fetch?: typeof fetch;
  logger?: Logger;
  auth?: Authorizer;
  credentials?: AwsCredentials | CredentialsProvider;
}

/**
 * Validates a provider block (or a whole `{"providers": {"bedrock": {...}}}` document) and interpolates
 * `${env:VAR}` / `${env:VAR:default}`. Throws ConfigError with the path of the first bad value.
 */
export function resolveConfig(raw: unknown, options: ResolveOptions = {}): BedrockConfig {
  const env = options.env ?? ambientEnv();
  let block = raw;
  let prefix = "";
  if (raw && typeof raw === "object" && "providers" in raw) {
    const providers = (raw as { providers: unknown }).providers;
    if (!providers || typeof providers !== "object" || !("bedrock" in providers)) {
      throw new ConfigError("providers.bedrock", "missing: the document has no bedrock provider");
    }
    block = (providers as { bedrock: unknown }).bedrock;
    prefix = "providers.bedrock";
  }
  if (!block || typeof block !== "object" || Array.isArray(block)) {
    throw new ConfigError(prefix, "expected an object (the bedrock provider block)");
  }
  const provider = interpolateEnv(block, env, prefix) as Record<string, unknown>;
  // As the AWS SDKs do: no region in the config means the environment's.
  const regionVar =
    provider.region !== undefined
      ? undefined
      : ["AWS_REGION", "AWS_DEFAULT_REGION"].find((name) => env[name]);
  let parsed: ReturnType<typeof parseProvider>;
  try {
    parsed = parseProvider(regionVar ? { ...provider, region: env[regionVar] } : provider, prefix);
  } catch (error) {
    if (!regionVar || !(error instanceof ConfigError) || !error.path.endsWith("region")) throw error;
    throw new ConfigError(`env.${regionVar}`, `"${env[regionVar]}" is not an AWS region such as us-east-1`);
  }
  const config: BedrockConfig = { ...parsed, models: parsed.models ?? {}, env };
  if (options.fetch) config.fetch = options.fetch;
  if (options.logger) config.logger = options.logger;
  if (options.auth) config.auth = options.auth;
  if (options.credentials) config.credentials = options.credentials;
  return config;
}

/** An id Bedrock itself accepts: `vendor.model...`, a geo/region-prefixed id, or an ARN. */
export function looksLikeModelId(name: string): boolean {
  return name.startsWith("arn:") || /^[a-z0-9-]+\.[A-Za-z0-9._:/-]+$/.test(name);
}

export interface ResolvedModel {
  /** The alias the caller used, if it was one. */
  alias?: string;
  modelName: string;
  extraPayload: Record<string, unknown>;
}

/**
 * `claude` and `bedrock/claude` resolve through `models`; an unknown name that looks like a Bedrock model id or
 * ARN is used as is; a config with a single model needs no name.
 */
export function resolveModel(config: Pick<BedrockConfig, "models">, name?: string): ResolvedModel {
  const aliases = Object.keys(config.models);
  if (name === undefined || name === "") {
    if (aliases.length === 1) return { alias: aliases[0], ...modelEntry(config.models[aliases[0]]) };
    throw new ConfigError(
      "model",
      aliases.length === 0
        ? "no model given and the config has no models: pass options.model (an alias or a Bedrock model id)"
        : `no model given and the config has several: pass options.model, one of ${aliases.join(", ")}`,
    );
  }
  const alias = name.startsWith("bedrock/") ? name.slice("bedrock/".length) : name;
  const entry = Object.hasOwn(config.models, alias) ? config.models[alias] : undefined;
  if (entry) return { alias, ...modelEntry(entry) };
  if (looksLikeModelId(alias)) return { modelName: alias, extraPayload: {} };
  throw new ConfigError(
    "model",
    `unknown model "${name}": not an alias in models (${aliases.join(", ") || "none"}) and not a Bedrock model id or ARN`,
  );
}

function modelEntry(m: ModelConfig): Omit<ResolvedModel, "alias"> {
  return { modelName: m.modelName, extraPayload: m.extraPayload ?? {} };
}
