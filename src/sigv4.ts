// bedrock-edge/sigv4: AWS Signature Version 4 on crypto.subtle, credential providers and short-term Bedrock API
// keys. createBedrock uses these on its own; import them to sign for bedrock-edge/core or your own fetch calls.

export type { BedrockApiKeyOptions } from "./auth/api-key.ts";
export { createBedrockApiKey, MAX_API_KEY_SECONDS } from "./auth/api-key.ts";
export type { CachedCredentialsOptions } from "./auth/credentials.ts";
export {
  cachedCredentials,
  MissingCredentialsError,
  resolveAuth,
  resolveRegion,
} from "./auth/credentials.ts";
export type { PresignOptions, SignOptions, SigV4AuthorizerOptions } from "./auth/sigv4.ts";
export { createSigV4Authorizer, presignUrl, signRequest } from "./auth/sigv4.ts";
export type { Authorizer, AwsCredentials, CredentialsProvider, SigV4Authorizer } from "./auth/types.ts";
