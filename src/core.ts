// bedrock-edge/core: the smallest client. Converse requests in AWS's wire shape, streamed through the same
// pipeline as createBedrock, with retries, timeouts and typed errors; an API key or an `auth` signer.

export type { Authorizer } from "./auth/types.ts";
export type { ConverseClient, ConverseInput, CoreCallOptions, CoreConfig } from "./client/core.ts";
export { createConverseClient } from "./client/core.ts";
export type { ChatEventStream } from "./client/deliver.ts";
export type { ErrorPhase, PartialResult } from "./client/errors.ts";
export {
  AbortError,
  BedrockError,
  ConfigError,
  EventPayloadError,
  EventStreamError,
  NetworkError,
  TimeoutError,
} from "./client/errors.ts";
export type { Logger } from "./client/log.ts";
export type { ConverseResult } from "./client/options.ts";
export { RequestError } from "./request/errors.ts";
export type { AssistantMessage, ChatEvent, TokenUsage, ToolCall } from "./stream/events.ts";
