import type {
  ContentBlock,
  ConverseRequest,
  ConverseTrace,
  JsonValue,
  StopReason,
  TokenUsage,
} from "../types/index.ts";
import type { Fault } from "./faults/spec.ts";
import type { Operation } from "./http/route.ts";

/**
 * What a model answers, in Converse's output shapes: the emulator turns it into a /converse body or a
 * /converse-stream event sequence. Output blocks may be text, toolUse, reasoningContent or citationsContent.
 */
export interface ModelReply {
  content: ContentBlock[];
  /** Default: "tool_use" when content has a toolUse block, else "end_turn". */
  stopReason?: StopReason;
  /** Missing counts are computed (input from the request, output from the content). */
  usage?: Partial<TokenUsage>;
  additionalModelResponseFields?: JsonValue;
  trace?: ConverseTrace;
}

export interface ResponderContext {
  modelId: string;
  operation: Operation;
  requestId: string;
  /** Aborts when the client goes away or the emulator shuts down. */
  signal: AbortSignal;
  /** The built-in deterministic model's reply to this request, to wrap or adjust. */
  builtin(): ModelReply;
}

/** A custom model. Return a reply (a string is one text block); throw EmulatorError to answer an error. */
export type Responder = (
  request: ConverseRequest,
  context: ResponderContext,
) => ModelReply | string | Promise<ModelReply | string>;

/** Recordings to replay verbatim: a map of name -> bytes, or a loader (e.g. from a directory). */
export type Recordings =
  | Readonly<Record<string, Uint8Array>>
  | ((name: string) => Uint8Array | undefined | Promise<Uint8Array | undefined>);

export interface EmulatorOptions {
  /** Accepted bearer tokens (compared in constant time). Unset: any Authorization header is accepted. */
  apiKeys?: readonly string[];
  /** Accepted SigV4 access key ids. Unset: any SigV4-looking Authorization header is accepted. */
  accessKeyIds?: readonly string[];
  /** Accepted model ids; others get ValidationException "The provided model identifier is invalid." */
  models?: readonly string[];
  /** Split every response body into chunks of this many bytes (>= 1). Header x-bedrock-edge-chunk-size overrides. */
  chunkSize?: number;
  /** Pause between stream events, in ms. */
  eventDelayMs?: number;
  /** Captures served verbatim on /converse-stream, chosen by header x-bedrock-edge-replay or model id replay.<name>. */
  recordings?: Recordings;
  /** A custom model replacing the built-in one. */
  model?: Responder;
  /** Faults applied to every request (same syntax as the x-bedrock-edge-fault header, or built with `fault`). */
  faults?: string | readonly Fault[];
  /** Prepended to every x-amzn-RequestId (a UUID). */
  requestIdPrefix?: string;
  /** Called once per request when its response head is ready. Never sees Authorization values. */
  onRequest?: (info: RequestInfo) => void;
  /** Aborting ends every open stream and makes new requests fail with ServiceUnavailableException. */
  signal?: AbortSignal;
  /** Built-in model: words that trigger a guardrail intervention (default ["BLOCKME"]). */
  blockedWords?: readonly string[];
  /** Built-in model: the text a guardrail answers with. */
  blockedMessage?: string;
  /** Fixed metrics.latencyMs (default: measured). */
  latencyMs?: number;
  /** Request bodies larger than this get ValidationException (default 20 MiB). */
  maxBodyBytes?: number;
  /** Answer CORS preflights and add CORS headers, for browser apps (default true). */
  cors?: boolean;
}

export interface RequestInfo {
  requestId: string;
  method: string;
  path: string;
  operation?: Operation;
  modelId?: string;
  /** The parsed request body, when it was valid. */
  body?: ConverseRequest;
  /** Request headers, with authorization and x-amz-security-token redacted. */
  headers: Record<string, string>;
  status: number;
  /** The error code answered, if any (also for mid-stream exception faults). */
  errorCode?: string;
  faults: Fault[];
  replay?: string;
}

export interface Emulator {
  fetch(request: Request): Promise<Response>;
  /** Forgets prompt-cache entries and fail-first counters. */
  reset(): void;
}
