// bedrock-edge: Amazon Bedrock Converse / ConverseStream on web standards.

export { bearerAuthorizer } from "./auth/bearer.ts";
export type { BedrockClient, ChatEventStream, ConfigInput } from "./client/create.ts";
export { createBedrock, planCall, request, stream } from "./client/create.ts";
export type { BedrockErrorOptions } from "./client/errors.ts";
export { errorFromResponse, isRetryable } from "./client/errors.ts";
export type { CountTokensResult } from "./client/operations/count-tokens.ts";
export { countTokens } from "./client/operations/count-tokens.ts";
export type {
  EmbedImage,
  EmbedOptions,
  EmbedPurpose,
  EmbedResult,
  EmbedValue,
} from "./client/operations/embed.ts";
export { embed, embeddingFamily } from "./client/operations/embed.ts";
export type { ApplyGuardrailInput } from "./client/operations/guardrail.ts";
export { applyGuardrail } from "./client/operations/guardrail.ts";
export type {
  InvokeChunkStream,
  InvokeOptions,
  InvokeResult,
  InvokeUsage,
} from "./client/operations/invoke.ts";
export { invoke, invokeStream } from "./client/operations/invoke.ts";
export type { ModelOperationOptions, OperationOptions } from "./client/operations/plan.ts";
export type {
  Callbacks,
  ConverseResult,
  ReasoningResult,
  ReasonUpdate,
  RequestOptions,
} from "./client/options.ts";
export type { EnvRecord } from "./config/env.ts";
export type { BedrockConfig, ResolvedModel, ResolveOptions } from "./config/resolve.ts";
export { resolveConfig, resolveModel } from "./config/resolve.ts";
export type {
  ConfigCredentials,
  LogLevel,
  ModelConfig,
  ModelIdPrefix,
  ProviderConfigInput,
} from "./config/schema.ts";
// The core client, the error classes and the event types (everything bedrock-edge/core exports).
export * from "./core.ts";
export { buildEndpoint } from "./endpoint/build.ts";
export { geographyOf, prefixModelId } from "./endpoint/model-id.ts";
export { base64ToBytes, bytesToBase64 } from "./request/base64.ts";
export type { ReasoningOption, RequestParameters } from "./request/body.ts";
export { buildConverseBody } from "./request/body.ts";
export type { DocumentOptions, MediaKind, MediaSource } from "./request/media.ts";
export {
  detectDocumentFormat,
  detectImageFormat,
  detectVideoFormat,
  documentBlock,
  imageBlock,
  MediaFormatError,
  videoBlock,
} from "./request/media.ts";
export type { ContentPart, ConverseMessage, InputMessage } from "./request/messages.ts";
export { cachePoint, guardContent, normalizeMessages } from "./request/messages.ts";
export type { JsonSchema, ResponseFormat, SchemaIssue } from "./request/structured.ts";
export { parseStructured, StructuredOutputError, validateJson } from "./request/structured.ts";
export type { ToolChoiceInput, ToolInput } from "./request/tools.ts";
// SigV4, credential providers and API keys (also alone, for the core client: bedrock-edge/sigv4).
export * from "./sigv4.ts";
export { parseToolCall, ToolCallAccumulator, ToolCallAccumulatorStream } from "./stream/accumulate.ts";
export type { DecoderOptions, EventStreamMessage } from "./stream/decode.ts";
export { EventStreamDecoder, EventStreamDecoderStream, MAX_FRAME_BYTES } from "./stream/decode.ts";
export type {
  AssistantContentBlock,
  AssistantMessage,
  ChatEvent,
  ConverseEvent,
  JsonObject,
  ResponseExtras,
  TokenUsage,
  ToolCall,
} from "./stream/events.ts";
export { ConverseEventStream, parseConverseMessage } from "./stream/parse.ts";
export { LazyPartialJson, PartialJsonParser } from "./stream/partial-json.ts";
export { ConversePipeline } from "./stream/pipeline.ts";
export { runTools, streamTools } from "./tools/loop.ts";
export type {
  RunToolsOptions,
  StepResult,
  ToolContext,
  ToolDefinition,
  ToolLoopEvent,
  ToolLoopResult,
  ToolOutput,
  ToolResultRecord,
} from "./tools/types.ts";
/** Wire types of the whole Converse / ConverseStream API, as AWS's service model defines them. */
export type * as Wire from "./types/converse.ts";
export type { JsonValue } from "./types/converse.ts";
