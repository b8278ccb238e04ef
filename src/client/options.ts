import type { ChatEvent, TokenUsage, ToolCall } from "../stream/events";
import type { RequestParameters } from "../request/body";
import type { BedrockError } from "./errors";
import type { LogLevel } from "../config/schema";

export interface ReasonUpdate {
  status: "started" | "thinking" | "finished";
  /** The new text for `thinking`, the whole text for `finished`. */
  text: string;
  signature?: string;
  redacted?: string | string[];
}

/** Called in real time while streaming (and once each for a non-streaming call). */
export interface Callbacks {
  onMessageReceived?: (message: { type: "text"; text: string }) => void;
  onReason?: (update: ReasonUpdate) => void;
  /** Once per tool-input fragment as it streams. */
  onPrepareToolCall?: (call: { id: string; name: string; argumentsText: string }) => void;
  onUsageUpdated?: (usage: TokenUsage) => void;
  onError?: (error: BedrockError) => void;
  /** Every chat event, for callers that want them all. */
  onEvent?: (event: ChatEvent) => void;
}

/** Per-request options: parameters for the body, plus how to send it. */
export interface RequestOptions extends RequestParameters, Callbacks {
  /** An alias from the config's models, `bedrock/<alias>`, or a Bedrock model id / ARN. */
  model?: string;
  signal?: AbortSignal;
  logLevel?: LogLevel;
  maxRetries?: number;
  firstByteTimeoutMs?: number;
  idleTimeoutMs?: number;
  headers?: Record<string, string>;
}

export const CLIENT_OPTION_KEYS = [
  "model",
  "signal",
  "logLevel",
  "maxRetries",
  "firstByteTimeoutMs",
  "idleTimeoutMs",
  "headers",
  "onMessageReceived",
  "onReason",
  "onPrepareToolCall",
  "onUsageUpdated",
  "onError",
  "onEvent",
] as const;

export interface ReasoningResult {
  text: string;
  signature?: string;
  redacted?: string[];
}

/** What `request` resolves to. */
export interface ConverseResult {
  outputText: string;
  /** Tool calls for the caller to run (server-side tools excluded). Invalid inputs carry `invalid`. */
  toolsToCall: ToolCall[];
  stopReason: string;
  usage: TokenUsage | undefined;
  reasoning: ReasoningResult | undefined;
  /** The assistant turn, ready to append to the history. */
  message: { role: "assistant"; content: Record<string, unknown>[] };
  citations: Record<string, unknown>[];
  additionalModelResponseFields?: unknown;
  metrics?: { latencyMs: number };
  trace?: unknown;
}
