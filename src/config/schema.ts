import * as v from "valibot";
import { ConfigError } from "../client/errors";

const LOG_LEVELS = ["silent", "error", "warn", "info", "debug"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const MODEL_ID_PREFIXES = ["region", "geo", "none"] as const;
export type ModelIdPrefix = (typeof MODEL_ID_PREFIXES)[number];

const nonNegative = v.pipe(v.number(), v.integer(), v.minValue(0));

const ModelSchema = v.strictObject({
  modelName: v.pipe(v.string(), v.minLength(1)),
  extraPayload: v.optional(v.record(v.string(), v.unknown())),
});

const CredentialsSchema = v.strictObject({
  accessKeyId: v.pipe(v.string(), v.minLength(1)),
  secretAccessKey: v.pipe(v.string(), v.minLength(1)),
  sessionToken: v.optional(v.string()),
});

/** The provider block as users write it (JSON): everything a config file can hold. */
export const ProviderSchema = v.strictObject({
  api: v.optional(v.literal("bedrock")),
  key: v.optional(v.string()),
  url: v.optional(v.pipe(v.string(), v.url())),
  region: v.optional(v.pipe(v.string(), v.regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d+$/, "expected an AWS region such as us-east-1"))),
  modelIdPrefix: v.optional(v.picklist(MODEL_ID_PREFIXES)),
  models: v.optional(v.record(v.string(), ModelSchema)),
  credentials: v.optional(CredentialsSchema),
  logLevel: v.optional(v.picklist(LOG_LEVELS)),
  maxRetries: v.optional(nonNegative),
  firstByteTimeoutMs: v.optional(nonNegative),
  idleTimeoutMs: v.optional(nonNegative),
  headers: v.optional(v.record(v.string(), v.string())),
});

export type ProviderConfigInput = v.InferInput<typeof ProviderSchema>;
export type ModelConfig = v.InferOutput<typeof ModelSchema>;

/** Validates and returns the provider block, or throws ConfigError naming the first bad path. */
export function parseProvider(raw: unknown, pathPrefix: string): v.InferOutput<typeof ProviderSchema> {
  const result = v.safeParse(ProviderSchema, raw);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const dot = v.getDotPath(issue);
  const path = [pathPrefix, dot].filter(Boolean).join(".");
  let message: string;
  if (issue.type === "strict_object" && issue.expected === "never") {
    const key = dot?.split(".").pop();
    const allowed = Object.keys(issue.path?.length && dot?.includes("models") ? ModelSchema.entries : ProviderSchema.entries);
    message = `unknown key "${key}" (allowed: ${allowed.join(", ")})`;
  } else if (issue.expected && issue.kind === "schema") {
    message = `expected ${issue.expected}, received ${issue.received}`;
  } else {
    message = issue.message;
  }
  throw new ConfigError(path, message);
}
