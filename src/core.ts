// bedrock-edge/core: the smallest client. Converse requests in AWS's wire shape, streamed through the same
// pipeline as createBedrock, with retries, timeouts and typed errors; an API key or an `auth` signer.

export type { Authorizer } from "./auth/types";
export type { ConverseClient, ConverseInput, CoreCallOptions, CoreConfig } from "./client/core";
export { createConverseClient } from "./client/core";
export type { ChatEventStream } from "./client/deliver";
export type { ErrorPhase, PartialResult } from "./client/errors";
export {
  AbortError,
  BedrockError,
  ConfigError,
  EventPayloadError,
  EventStreamError,
  NetworkError,
  TimeoutError,
} from "./client/errors";
export type { Logger } from "./client/log";
export type { ConverseResult } from "./client/options";
export { RequestError } from "./request/errors";
export type { AssistantMessage, ChatEvent, TokenUsage, ToolCall } from "./stream/events";
