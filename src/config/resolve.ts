import type { Authorizer, AwsCredentials, CredentialsProvider } from "../auth/types.ts";
import { ConfigError } from "../errors/index.ts";
import { isObject } from "../types/json.ts";
import type { Logger } from "../types/logger.ts";
import { ambientEnv, type EnvRecord, type FileReader, interpolateEnv, wantsAmbientEnv } from "./env.ts";
import { type LogLevel, type ModelConfig, type ModelIdPrefix, parseProvider } from "./schema.ts";

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
  /** The provider's name in an ECA document (`corp-bedrock`): `corp-bedrock/alias` names a model too. */
  providerName?: string;
  /** The model used when a call names none: an ECA document's `defaultModel`, when it names this provider. */
  defaultModel?: string;
  /** The environment `${env:...}` and credential lookups read from. */
  env: EnvRecord;
  fetch?: typeof fetch;
  logger?: Logger;
  /** Replaces the built-in auth (bearer / SigV4) with your own request signer. */
  auth?: Authorizer;
}

export interface ResolveOptions {
  /**
   * Where `${env:...}`, credential and region fallbacks are read. Left out, the process environment is used (Node,
   * Bun, Deno) only when the config has no key or credentials of its own or writes `${env:...}`; else nothing is
   * read. On Workers pass the Worker's `env`.
   */
  env?: EnvRecord;
  fetch?: typeof fetch;
  logger?: Logger;
  auth?: Authorizer;
  credentials?: AwsCredentials | CredentialsProvider;
  /**
   * Which provider of an ECA document to use, when several have `api: "bedrock"` (else the one `defaultModel`
   * names, or the only one).
   */
  provider?: string;
  /**
   * Reads `${file:PATH}` files. Web runtimes have none (a `${file:...}` is then a ConfigError); on Node pass
   * `fileReader()` from bedrock-edge/node (relative paths from the working directory, or the directory you give).
   */
  readFile?: FileReader;
}

/** ECA's environment fallbacks for a provider: `corp-bedrock` (or `corpBedrock`) reads CORP_BEDROCK_API_KEY. */
export const envNameOf = (provider: string, suffix: "API_KEY" | "API_URL") =>
  `${provider
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .toUpperCase()}_${suffix}`;

/**
 * The Bedrock provider of an ECA document: providers are named freely and `api: "bedrock"` marks Bedrock ones
 * (a provider named `bedrock` with no `api` counts too). Several: `options.provider`, else the one `defaultModel`
 * names; an ambiguous choice is an error that lists them.
 */
export function chooseProvider(doc: Record<string, unknown>, wanted: string | undefined): string {
  const providers = doc.providers;
  if (!isObject(providers)) throw new ConfigError("providers", "expected an object of providers");
  const isBedrock = (name: string) => {
    const p = providers[name];
    return isObject(p) && (p.api === "bedrock" || (p.api === undefined && name === "bedrock"));
  };
  const names = Object.keys(providers);
  const bedrock = names.filter(isBedrock);
  if (wanted !== undefined) {
    if (!Object.hasOwn(providers, wanted))
      throw new ConfigError(
        "provider",
        `no provider "${wanted}" in the document (it has ${names.join(", ") || "none"})`,
      );
    if (!isBedrock(wanted)) {
      const api = (providers[wanted] as { api?: unknown } | undefined)?.api;
      throw new ConfigError(
        `providers.${wanted}.api`,
        `expected "bedrock", received ${JSON.stringify(api)}: bedrock-edge speaks only to Bedrock providers`,
      );
    }
    return wanted;
  }
  if (bedrock.length === 1) return bedrock[0];
  const fromDefault = typeof doc.defaultModel === "string" ? doc.defaultModel.split("/")[0] : undefined;
  if (fromDefault !== undefined && bedrock.includes(fromDefault)) return fromDefault;
  if (bedrock.length === 0)
    throw new ConfigError(
      "providers",
      `no Bedrock provider: mark one with "api": "bedrock" (the document has ${names.join(", ") || "none"})`,
    );
  throw new ConfigError(
    "providers",
    `several Bedrock providers (${bedrock.join(", ")}): choose one with the provider option (CLI: --provider) or defaultModel`,
  );
}

/** ECA keys that do not apply to Bedrock calls: accepted so that a working ECA config loads, and ignored. */
const IGNORED_PROVIDER_KEYS = ["fetchModels", "httpClient", "thinkTagStart", "thinkTagEnd"];
const IGNORED_MODEL_KEYS = ["reasoningHistory"];

function withoutIgnored(block: Record<string, unknown>): Record<string, unknown> {
  const out = { ...block };
  for (const k of IGNORED_PROVIDER_KEYS) delete out[k];
  if (isObject(out.models)) {
    const models: Record<string, unknown> = {};
    for (const [alias, m] of Object.entries(out.models)) {
      if (!isObject(m)) models[alias] = m;
      else {
        const copy = { ...m };
        for (const k of IGNORED_MODEL_KEYS) delete copy[k];
        models[alias] = copy;
      }
    }
    out.models = models;
  }
  return out;
}

/**
 * Validates a provider block (or a whole ECA `{"providers": {...}}` document) and interpolates `${env:VAR}`,
 * `${env:VAR:default}` and `${file:PATH}`. Throws ConfigError with the path of the first bad value.
 */
export function resolveConfig(raw: unknown, options: ResolveOptions = {}): BedrockConfig {
  let block = raw;
  let prefix = "";
  let name: string | undefined;
  let defaultModel: string | undefined;
  if (isObject(raw) && "providers" in raw) {
    name = chooseProvider(raw, options.provider);
    block = (raw.providers as Record<string, unknown>)[name];
    prefix = `providers.${name}`;
    const dm = raw.defaultModel;
    if (dm !== undefined && typeof dm !== "string")
      throw new ConfigError("defaultModel", `expected "provider/model", received ${JSON.stringify(dm)}`);
    // ECA's "provider/model": only a model of this provider applies here.
    if (dm?.startsWith(`${name}/`)) defaultModel = dm.slice(name.length + 1);
  }
  if (!block || typeof block !== "object" || Array.isArray(block)) {
    throw new ConfigError(prefix, "expected an object (the bedrock provider block)");
  }
  const explicitAuth = options.auth !== undefined || options.credentials !== undefined;
  const env =
    options.env ?? (wantsAmbientEnv(block as Record<string, unknown>, explicitAuth) ? ambientEnv() : {});
  const provider = interpolateEnv(
    withoutIgnored(block as Record<string, unknown>),
    { env, readFile: options.readFile },
    prefix,
  ) as Record<string, unknown>;
  // As ECA does: no key or url in the provider means <PROVIDER>_API_KEY / <PROVIDER>_API_URL.
  if (name !== undefined) {
    for (const [field, suffix] of [
      ["key", "API_KEY"],
      ["url", "API_URL"],
    ] as const) {
      const value = provider[field] === undefined ? env[envNameOf(name, suffix)] : undefined;
      if (value) provider[field] = value;
    }
  }
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
  const { api: _, ...settings } = parsed;
  const config: BedrockConfig = { ...settings, models: parsed.models ?? {}, env };
  if (name !== undefined) config.providerName = name;
  if (defaultModel !== undefined) config.defaultModel = defaultModel;
  if (options.fetch) config.fetch = options.fetch;
  if (options.logger) config.logger = options.logger;
  if (options.auth) config.auth = options.auth;
  if (options.credentials) config.credentials = options.credentials;
  return config;
}

/** An id Bedrock itself accepts: `vendor.model...`, a geo/region-prefixed id, or an ARN. */
export function looksLikeModelId(name: string): boolean {
  // The emulator's `fault.SPEC` and `replay.NAME` ids (docs/emulator.md) go to it as they are.
  return (
    name.startsWith("arn:") ||
    /^(fault|replay)\.\S+$/.test(name) ||
    /^[a-z0-9-]+\.[A-Za-z0-9._:/-]+$/.test(name)
  );
}

export interface ResolvedModel {
  /** The alias the caller used, if it was one. */
  alias?: string;
  modelName: string;
  extraPayload: Record<string, unknown>;
  /** Headers sent with every request to this model (ECA's `extraHeaders`). */
  extraHeaders?: Record<string, string>;
}

/**
 * `claude` and `bedrock/claude` resolve through `models`; an unknown name that looks like a Bedrock model id or
 * ARN is used as is; a config with a single model needs no name.
 */
export function resolveModel(
  config: Pick<BedrockConfig, "models" | "providerName" | "defaultModel">,
  name?: string,
): ResolvedModel {
  const aliases = Object.keys(config.models);
  if ((name === undefined || name === "") && config.defaultModel) name = config.defaultModel;
  if (name === undefined || name === "") {
    if (aliases.length === 1)
      return { alias: aliases[0], ...modelEntry(aliases[0], config.models[aliases[0]]) };
    throw new ConfigError(
      "model",
      aliases.length === 0
        ? "no model given and the config has no models: pass options.model (an alias or a Bedrock model id)"
        : `no model given and the config has several: pass options.model, one of ${aliases.join(", ")}`,
    );
  }
  const own = [`${config.providerName ?? "bedrock"}/`, "bedrock/"].find((p) => name.startsWith(p));
  const alias = own ? name.slice(own.length) : name;
  const entry = Object.hasOwn(config.models, alias) ? config.models[alias] : undefined;
  if (entry) return { alias, ...modelEntry(alias, entry) };
  if (looksLikeModelId(alias)) return { modelName: alias, extraPayload: {} };
  throw new ConfigError(
    "model",
    `unknown model "${name}": not an alias in models (${aliases.join(", ") || "none"}) and not a Bedrock model id or ARN`,
  );
}

function modelEntry(alias: string, m: ModelConfig): Omit<ResolvedModel, "alias"> {
  return {
    modelName: m.modelName ?? alias,
    extraPayload: m.extraPayload ?? {},
    ...(m.extraHeaders && { extraHeaders: m.extraHeaders }),
  };
}
