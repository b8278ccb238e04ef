import * as v from "valibot";
import { ConfigError } from "../errors/index.ts";

const LOG_LEVELS = ["silent", "error", "warn", "info", "debug"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const MODEL_ID_PREFIXES = ["region", "geo", "none"] as const;
export type ModelIdPrefix = (typeof MODEL_ID_PREFIXES)[number];

const credentialsSchema = () =>
  v.strictObject({
    accessKeyId: v.pipe(v.string(), v.minLength(1)),
    secretAccessKey: v.pipe(v.string(), v.minLength(1)),
    sessionToken: v.optional(v.string()),
  });

// The schemas are built on first use: at import they would cost cold start, and keep valibot in bundles that
// never validate a config.
const schemas = () => {
  const nonNegative = v.pipe(v.number(), v.integer(), v.minValue(0));
  const model = v.strictObject({
    // As in ECA, optional: the alias is the model id when it is left out.
    modelName: v.optional(v.pipe(v.string(), v.minLength(1))),
    extraPayload: v.optional(v.record(v.string(), v.unknown())),
    extraHeaders: v.optional(v.record(v.string(), v.string())),
  });
  const credentials = credentialsSchema();
  /** The provider block as users write it (JSON): everything a config file can hold. */
  const provider = v.strictObject({
    api: v.optional(v.literal("bedrock")),
    key: v.optional(v.string()),
    url: v.optional(v.pipe(v.string(), v.url())),
    region: v.optional(
      v.pipe(
        v.string(),
        v.regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d+$/, "expected an AWS region such as us-east-1"),
      ),
    ),
    modelIdPrefix: v.optional(v.picklist(MODEL_ID_PREFIXES)),
    models: v.optional(v.record(v.string(), model)),
    credentials: v.optional(credentials),
    logLevel: v.optional(v.picklist(LOG_LEVELS)),
    maxRetries: v.optional(nonNegative),
    firstByteTimeoutMs: v.optional(nonNegative),
    idleTimeoutMs: v.optional(nonNegative),
    timeoutMs: v.optional(nonNegative),
    headers: v.optional(v.record(v.string(), v.string())),
  });
  return { model, provider };
};
let built: ReturnType<typeof schemas> | undefined;
type Schemas = ReturnType<typeof schemas>;

// The public config types are written out, not inferred from the schema: valibot is bundled into the JavaScript,
// so an inferred type would make the published declarations import a package users do not get. The `Same`
// checks below break the build if the schema and these types ever disagree.

/** A model entry of the provider block: `models: { alias: { modelName, extraPayload, extraHeaders } }`. */
export interface ModelConfig {
  /** The Bedrock model id (or ARN) the alias stands for; as in ECA, the alias itself when left out. */
  modelName?: string;
  /** Per-model request defaults (`temperature`, `max_tokens`, `stream`, native Converse keys, ...). */
  extraPayload?: Record<string, unknown>;
  /** HTTP headers sent with every request to this model (ECA's `extraHeaders`). */
  extraHeaders?: Record<string, string>;
}

/** Static AWS credentials as a config file holds them. */
export interface ConfigCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The bedrock provider block as users write it (JSON): everything a config file can hold. */
export interface ProviderConfigInput {
  api?: "bedrock";
  /** A Bedrock API key (or a proxy token), sent as `Authorization: Bearer`. */
  key?: string;
  /** A proxy base URL: calls go to `url + region + "." + modelName`. */
  url?: string;
  /** An AWS region such as `us-east-1`. */
  region?: string;
  modelIdPrefix?: ModelIdPrefix;
  models?: Record<string, ModelConfig>;
  credentials?: ConfigCredentials;
  logLevel?: LogLevel;
  maxRetries?: number;
  firstByteTimeoutMs?: number;
  idleTimeoutMs?: number;
  /** An overall deadline for a call, retries included (none by default). */
  timeoutMs?: number;
  headers?: Record<string, string>;
}

/**
 * True when the two types agree (same keys, each side assignable to the other); else an object type whose fields
 * name the difference, so the build error says what to add to the hand-written type (or the schema).
 */
type Same<Written, Schema> = [Written, keyof Written] extends [Schema, keyof Schema]
  ? [Schema, keyof Schema] extends [Written, keyof Written]
    ? true
    : Differs<Exclude<keyof Schema, keyof Written>, Exclude<keyof Written, keyof Schema>>
  : Differs<Exclude<keyof Schema, keyof Written>, Exclude<keyof Written, keyof Schema>>;
type Differs<OnlyInSchema, OnlyHandWritten> = {
  differsFromSchema: true;
  onlyInSchema: OnlyInSchema;
  onlyHandWritten: OnlyHandWritten;
};
type Agree<T extends true> = T;
type _SchemaAgrees = [
  Agree<Same<ProviderConfigInput, v.InferInput<Schemas["provider"]>>>,
  Agree<Same<ProviderConfigInput, v.InferOutput<Schemas["provider"]>>>,
  Agree<Same<ModelConfig, v.InferOutput<Schemas["model"]>>>,
  Agree<Same<ConfigCredentials, v.InferOutput<ReturnType<typeof credentialsSchema>>>>,
];

/** Validates and returns the provider block, or throws ConfigError naming the first bad path. */
export function parseProvider(raw: unknown, pathPrefix: string): ProviderConfigInput {
  built ??= schemas();
  const result = v.safeParse(built.provider, raw);
  if (result.success) return result.output;
  // A misspelt key (`modelname`) also makes its intended key missing: name the unknown key, the cause.
  const issue =
    result.issues.find((i) => i.type === "strict_object" && i.expected === "never") ?? result.issues[0];
  const dot = v.getDotPath(issue);
  const path = [pathPrefix, dot].filter(Boolean).join(".");
  let message: string;
  if (issue.type === "strict_object" && issue.expected === "never") {
    const key = dot?.split(".").pop();
    const allowed = Object.keys(
      issue.path?.length && dot?.includes("models") ? built.model.entries : built.provider.entries,
    );
    const near = key && closest(key, allowed);
    message = `unknown key "${key}" (${near ? `did you mean "${near}"? ` : ""}allowed: ${allowed.join(", ")})`;
  } else if (issue.expected && issue.kind === "schema") {
    message = `expected ${issue.expected}, received ${issue.received}`;
  } else {
    message = issue.message;
  }
  throw new ConfigError(path, message);
}

/** The allowed key a misspelt one most likely meant: same letters in another case, or one or two edits away. */
export function closest(key: string, allowed: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of allowed) {
    const d = candidate.toLowerCase() === lower ? 0 : distance(lower, candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

/** Levenshtein distance (short strings: config keys). */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++)
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}
