import type { LogLevel } from "../config/schema.ts";
import type { BedrockError } from "../errors/index.ts";
import type { RequestParameters } from "../request/body.ts";
import type { ChatEvent, ResponseExtras, TokenUsage, ToolCall } from "../types/events.ts";

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
  /**
   * Once per tool-input fragment as it streams. `partial` is a best-effort parse of the input so far (parsed
   * incrementally, only when read).
   */
  onPrepareToolCall?: (call: {
    id: string;
    name: string;
    argumentsText: string;
    readonly partial: unknown;
  }) => void;
  /** Once, when the model's turn ends with tool calls for the caller to run (also in `result.toolsToCall`). */
  onToolsCalled?: (calls: ToolCall[]) => void;
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
  /** An overall deadline for the call, retries included (default 0: none). */
  timeoutMs?: number;
  headers?: Record<string, string>;
}

export const CLIENT_OPTION_KEYS = [
  "model",
  "signal",
  "logLevel",
  "maxRetries",
  "firstByteTimeoutMs",
  "idleTimeoutMs",
  "timeoutMs",
  "headers",
  "onMessageReceived",
  "onReason",
  "onPrepareToolCall",
  "onToolsCalled",
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
export interface ConverseResult extends ResponseExtras {
  outputText: string;
  /** Tool calls for the caller to run (server-side tools excluded). Invalid inputs carry `invalid`. */
  toolsToCall: ToolCall[];
  stopReason: string;
  usage: TokenUsage | undefined;
  reasoning: ReasoningResult | undefined;
  /** The assistant turn, ready to append to the history. */
  message: { role: "assistant"; content: Record<string, unknown>[] };
  /** Every citation of the answer, with its location in the source (also kept in `message` as citationsContent). */
  citations: Record<string, unknown>[];
}
