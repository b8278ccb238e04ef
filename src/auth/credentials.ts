import { CREDENTIAL_SOURCES, MissingCredentialsError } from "../errors/index.ts";
import { bearerAuthorizer } from "./bearer.ts";
import { createSigV4Authorizer } from "./sigv4.ts";
import type { Authorizer, AwsCredentials, CredentialsProvider } from "./types.ts";

type Env = Record<string, string | undefined>;

export { CREDENTIAL_SOURCES, MissingCredentialsError };

const value = (v: string | undefined) => (v === undefined || v === "" ? undefined : v);

/**
 * Picks the auth: explicit `key` -> Bearer; explicit `credentials` -> SigV4 (a provider is cached until shortly
 * before expiry); else env `AWS_BEARER_TOKEN_BEDROCK`, then `BEDROCK_API_KEY` -> Bearer; else env
 * `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`) -> SigV4. Empty strings count as unset.
 */
export function resolveAuth(
  input: { key?: string; credentials?: AwsCredentials | CredentialsProvider; region: string },
  env: Env,
): Authorizer {
  if (value(input.key)) return bearerAuthorizer(input.key!);
  const sigv4 = (credentials: AwsCredentials | CredentialsProvider) =>
    createSigV4Authorizer({ credentials, region: input.region });
  if (input.credentials) {
    const c = input.credentials;
    return sigv4(typeof c === "function" ? cachedCredentials(c) : c);
  }
  const key = value(env.AWS_BEARER_TOKEN_BEDROCK) ?? value(env.BEDROCK_API_KEY);
  if (key) return bearerAuthorizer(key);
  const accessKeyId = value(env.AWS_ACCESS_KEY_ID);
  const secretAccessKey = value(env.AWS_SECRET_ACCESS_KEY);
  if (accessKeyId && secretAccessKey) {
    const sessionToken = value(env.AWS_SESSION_TOKEN);
    return sigv4(
      sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey },
    );
  }
  const half = accessKeyId ? "AWS_SECRET_ACCESS_KEY" : secretAccessKey ? "AWS_ACCESS_KEY_ID" : "";
  throw new MissingCredentialsError(half && ` ${half} is not set, so the other AWS key was not used.`);
}

/** The config's region, else env `AWS_REGION`, else `AWS_DEFAULT_REGION`, else `us-east-1`. */
export function resolveRegion(configRegion: string | undefined, env: Env): string {
  return value(configRegion) ?? value(env.AWS_REGION) ?? value(env.AWS_DEFAULT_REGION) ?? "us-east-1";
}

export interface CachedCredentialsOptions {
  /** Refresh this long before `expiration`. Default 5 minutes. */
  refreshBeforeMs?: number;
  /** Epoch ms. Default Date.now. */
  clock?: () => number;
}

/**
 * Wraps a provider: its result is reused until `refreshBeforeMs` before its `expiration` (forever without
 * one). Callers that need a refresh at the same time share one call; a failed refresh rejects them, and the
 * next call tries again.
 */
export function cachedCredentials(
  provider: CredentialsProvider,
  { refreshBeforeMs = 5 * 60_000, clock = Date.now }: CachedCredentialsOptions = {},
): CredentialsProvider {
  let cached: { credentials: AwsCredentials; refreshAt: number } | undefined;
  let pending: Promise<AwsCredentials> | undefined;
  const refresh = async () => {
    const credentials = await provider();
    if (
      !credentials ||
      typeof credentials.accessKeyId !== "string" ||
      typeof credentials.secretAccessKey !== "string"
    ) {
      throw new TypeError("credentials provider returned no accessKeyId/secretAccessKey strings");
    }
    const expires =
      credentials.expiration === undefined ? Infinity : new Date(credentials.expiration).getTime();
    if (Number.isNaN(expires))
      throw new TypeError("credentials provider returned an invalid expiration date");
    cached = { credentials, refreshAt: expires - refreshBeforeMs };
    return credentials;
  };
  return () => {
    if (cached && clock() < cached.refreshAt) return Promise.resolve(cached.credentials);
    pending ??= refresh().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}
