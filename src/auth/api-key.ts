import { presignUrl } from "./sigv4.ts";
import type { AwsCredentials, CredentialsProvider } from "./types.ts";

/** AWS caps short-term Bedrock API keys at 12 hours. */
export const MAX_API_KEY_SECONDS = 43_200;

export interface BedrockApiKeyOptions {
  credentials: AwsCredentials | CredentialsProvider;
  region: string;
  /** 1 to 43200 (12 hours, the default). The key also stops working when a session token in it expires. */
  expiresInSeconds?: number;
  now?: Date;
}

/**
 * A short-term Bedrock API key, the same token `@aws/bedrock-token-generator` makes:
 * `bedrock-api-key-` + base64 of a SigV4 presigned `POST https://bedrock.amazonaws.com/?Action=CallWithBearerToken`
 * URL (without `https://`) + `&Version=1`. Use it as `Authorization: Bearer <key>`.
 */
export async function createBedrockApiKey(options: BedrockApiKeyOptions): Promise<string> {
  const { region, expiresInSeconds = MAX_API_KEY_SECONDS, now } = options;
  if (!Number.isInteger(expiresInSeconds) || expiresInSeconds < 1 || expiresInSeconds > MAX_API_KEY_SECONDS) {
    throw new RangeError(
      `createBedrockApiKey: expiresInSeconds must be a whole number from 1 to ${MAX_API_KEY_SECONDS} (12 hours), got ${expiresInSeconds}`,
    );
  }
  const credentials =
    typeof options.credentials === "function" ? await options.credentials() : options.credentials;
  const url = await presignUrl("https://bedrock.amazonaws.com/?Action=CallWithBearerToken", {
    method: "POST",
    credentials,
    region,
    service: "bedrock",
    expiresIn: expiresInSeconds,
    now,
  });
  return `bedrock-api-key-${btoa(`${url.slice("https://".length)}&Version=1`)}`;
}
