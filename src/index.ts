// bedrock-edge: Amazon Bedrock Converse / ConverseStream on web standards.
export { createBedrock, request, stream, planCall } from "./client/create";
export type { BedrockClient, ChatEventStream, ConfigInput } from "./client/create";
export type { Callbacks, ConverseResult, ReasonUpdate, ReasoningResult, RequestOptions } from "./client/options";
// The core client, the error classes and the event types (everything bedrock-edge/core exports).
export * from "./core";
export { errorFromResponse, isRetryable } from "./client/errors";
export { resolveConfig, resolveModel } from "./config/resolve";
export type { BedrockConfig, ResolveOptions, ResolvedModel } from "./config/resolve";
export type { LogLevel, ModelIdPrefix, ProviderConfigInput } from "./config/schema";
export { buildEndpoint } from "./endpoint/build";
export { geographyOf, prefixModelId } from "./endpoint/model-id";
export { buildConverseBody } from "./request/body";
export type { RequestParameters, ReasoningOption } from "./request/body";
export { cachePoint, guardContent, normalizeMessages } from "./request/messages";
export type { ContentPart, InputMessage, ConverseMessage } from "./request/messages";
export { StructuredOutputError, parseStructured, validateJson } from "./request/structured";
export type { JsonSchema, ResponseFormat, SchemaIssue } from "./request/structured";
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
export { LazyPartialJson, PartialJsonParser } from "./stream/partial-json";
export type { ToolInput, ToolChoiceInput } from "./request/tools";
export { bearerAuthorizer } from "./auth/bearer";
// SigV4, credential providers and API keys (also alone, for the core client: bedrock-edge/sigv4).
export * from "./sigv4";
export { EventStreamDecoder, EventStreamDecoderStream, MAX_FRAME_BYTES } from "./stream/decode";
export type { EventStreamMessage, DecoderOptions } from "./stream/decode";
export { ConverseEventStream, parseConverseMessage } from "./stream/parse";
export { ToolCallAccumulator, ToolCallAccumulatorStream, parseToolCall } from "./stream/accumulate";
export { ConversePipeline } from "./stream/pipeline";
export type { ChatEvent, ConverseEvent, TokenUsage, ToolCall, AssistantMessage } from "./stream/events";
export {
  MediaFormatError,
  detectDocumentFormat,
  detectImageFormat,
  detectVideoFormat,
  documentBlock,
  imageBlock,
  videoBlock,
} from "./request/media";
export type { DocumentOptions, MediaKind, MediaSource } from "./request/media";
export { base64ToBytes, bytesToBase64 } from "./request/base64";
/** Wire types of the whole Converse / ConverseStream API, as AWS's service model defines them. */
export type * as Wire from "./types";
