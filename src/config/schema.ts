import * as v from "valibot";
import { ConfigError } from "../client/errors";

const LOG_LEVELS = ["silent", "error", "warn", "info", "debug"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const MODEL_ID_PREFIXES = ["region", "geo", "none"] as const;
export type ModelIdPrefix = (typeof MODEL_ID_PREFIXES)[number];

// The schemas are built on first use: at import they would cost cold start, and keep valibot in bundles that
// never validate a config.
const schemas = () => {
  const nonNegative = v.pipe(v.number(), v.integer(), v.minValue(0));
  const model = v.strictObject({
    modelName: v.pipe(v.string(), v.minLength(1)),
    extraPayload: v.optional(v.record(v.string(), v.unknown())),
  });
  const credentials = v.strictObject({
    accessKeyId: v.pipe(v.string(), v.minLength(1)),
    secretAccessKey: v.pipe(v.string(), v.minLength(1)),
    sessionToken: v.optional(v.string()),
  });
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

export type ProviderConfigInput = v.InferInput<Schemas["provider"]>;
export type ModelConfig = v.InferOutput<Schemas["model"]>;

/** Validates and returns the provider block, or throws ConfigError naming the first bad path. */
export function parseProvider(raw: unknown, pathPrefix: string): v.InferOutput<Schemas["provider"]> {
  built ??= schemas();
  const result = v.safeParse(built.provider, raw);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const dot = v.getDotPath(issue);
  const path = [pathPrefix, dot].filter(Boolean).join(".");
  let message: string;
  if (issue.type === "strict_object" && issue.expected === "never") {
    const key = dot?.split(".").pop();
    const allowed = Object.keys(
      issue.path?.length && dot?.includes("models") ? built.model.entries : built.provider.entries,
    );
    message = `unknown key "${key}" (allowed: ${allowed.join(", ")})`;
  } else if (issue.expected && issue.kind === "schema") {
    message = `expected ${issue.expected}, received ${issue.received}`;
  } else {
    message = issue.message;
  }
  throw new ConfigError(path, message);
}
