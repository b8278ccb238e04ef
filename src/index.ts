// bedrock-edge: Amazon Bedrock Converse / ConverseStream on web standards.

export { bearerAuthorizer } from "./auth/bearer";
export type { BedrockClient, ChatEventStream, ConfigInput } from "./client/create";
export { createBedrock, planCall, request, stream } from "./client/create";
export type { BedrockErrorOptions } from "./client/errors";
export { errorFromResponse, isRetryable } from "./client/errors";
export type {
  Callbacks,
  ConverseResult,
  ReasoningResult,
  ReasonUpdate,
  RequestOptions,
} from "./client/options";
export type { EnvRecord } from "./config/env";
export type { BedrockConfig, ResolvedModel, ResolveOptions } from "./config/resolve";
export { resolveConfig, resolveModel } from "./config/resolve";
export type {
  ConfigCredentials,
  LogLevel,
  ModelConfig,
  ModelIdPrefix,
  ProviderConfigInput,
} from "./config/schema";
// The core client, the error classes and the event types (everything bedrock-edge/core exports).
export * from "./core";
export { buildEndpoint } from "./endpoint/build";
export { geographyOf, prefixModelId } from "./endpoint/model-id";
export { base64ToBytes, bytesToBase64 } from "./request/base64";
export type { ReasoningOption, RequestParameters } from "./request/body";
export { buildConverseBody } from "./request/body";
export type { DocumentOptions, MediaKind, MediaSource } from "./request/media";
export {
  detectDocumentFormat,
  detectImageFormat,
  detectVideoFormat,
  documentBlock,
  imageBlock,
  MediaFormatError,
  videoBlock,
} from "./request/media";
export type { ContentPart, ConverseMessage, InputMessage } from "./request/messages";
export { cachePoint, guardContent, normalizeMessages } from "./request/messages";
export type { JsonSchema, ResponseFormat, SchemaIssue } from "./request/structured";
export { parseStructured, StructuredOutputError, validateJson } from "./request/structured";
export type { ToolChoiceInput, ToolInput } from "./request/tools";
// SigV4, credential providers and API keys (also alone, for the core client: bedrock-edge/sigv4).
export * from "./sigv4";
export { parseToolCall, ToolCallAccumulator, ToolCallAccumulatorStream } from "./stream/accumulate";
export type { DecoderOptions, EventStreamMessage } from "./stream/decode";
export { EventStreamDecoder, EventStreamDecoderStream, MAX_FRAME_BYTES } from "./stream/decode";
export type {
  AssistantContentBlock,
  AssistantMessage,
  ChatEvent,
  ConverseEvent,
  JsonObject,
  ResponseExtras,
  TokenUsage,
  ToolCall,
} from "./stream/events";
export { ConverseEventStream, parseConverseMessage } from "./stream/parse";
export { LazyPartialJson, PartialJsonParser } from "./stream/partial-json";
export { ConversePipeline } from "./stream/pipeline";
export { runTools, streamTools } from "./tools/loop";
export type {
  RunToolsOptions,
  StepResult,
  ToolContext,
  ToolDefinition,
  ToolLoopEvent,
  ToolLoopResult,
  ToolOutput,
  ToolResultRecord,
} from "./tools/types";
/** Wire types of the whole Converse / ConverseStream API, as AWS's service model defines them. */
export type * as Wire from "./types/converse";
export type { JsonValue } from "./types/converse";
