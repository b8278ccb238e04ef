// bedrock-edge/core: the smallest client. Converse requests in AWS's wire shape, streamed through the same
// pipeline as createBedrock, with retries, timeouts and typed errors; an API key or an `auth` signer.

export type { Authorizer } from "./auth/types.ts";
export type { ConverseClient, ConverseInput, CoreCallOptions, CoreConfig } from "./client/core.ts";
export { createConverseClient } from "./client/core.ts";
export type { ChatEventStream } from "./client/deliver.ts";
export type { Logger } from "./client/log.ts";
export type { ConverseResult } from "./client/options.ts";
export type {
  AwsErrorName,
  BedrockErrorName,
  ErrorPhase,
  PartialResult,
  SdkErrorName,
} from "./errors/index.ts";
export {
  AbortError,
  BedrockError,
  ConfigError,
  CredentialsError,
  EventPayloadError,
  EventStreamError,
  IncompleteStreamError,
  NetworkError,
  RedirectError,
  RequestError,
  ResponseShapeError,
  ResponseTooLargeError,
  TimeoutError,
  UnexpectedResponseError,
  UnknownError,
} from "./errors/index.ts";
export type { AssistantMessage, ChatEvent, TokenUsage, ToolCall } from "./types/events.ts";
