// The two event vocabularies of the pipeline: Converse events (what AWS sends, one per frame, with a `type`
// tag), and chat events (what callers want: text, reasoning, tool calls, usage, finish).
import type { JsonValue } from "./converse.ts";

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
  /** Tokens written to the cache per TTL. */
  cacheDetails?: { ttl: string; inputTokens: number }[];
}

export interface ContentBlockDeltaPayload {
  text?: string;
  toolUse?: { input: string };
  reasoningContent?: { text?: string; signature?: string; redactedContent?: string };
  citation?: Record<string, unknown>;
  toolResult?: unknown[];
  image?: unknown;
  [other: string]: unknown;
}

export type ConverseEvent =
  | { type: "messageStart"; role: string }
  | {
      type: "contentBlockStart";
      contentBlockIndex: number;
      start: { toolUse?: { toolUseId: string; name: string; type?: string }; [other: string]: unknown };
    }
  | { type: "contentBlockDelta"; contentBlockIndex: number; delta: ContentBlockDeltaPayload }
  | { type: "contentBlockStop"; contentBlockIndex: number }
  | { type: "messageStop"; stopReason: string; additionalModelResponseFields?: unknown }
  | {
      type: "metadata";
      usage: TokenUsage;
      metrics?: { latencyMs: number };
      trace?: unknown;
      performanceConfig?: unknown;
      serviceTier?: unknown;
    }
  /** An event type this SDK does not know yet: passed through, never dropped. */
  | { type: "unknown"; eventType: string; payload: unknown };

export type ConverseEventType = ConverseEvent["type"];

/** A JSON object: a tool's input (tools take an object, their input schema's `type: "object"`). */
export type JsonObject = { [key: string]: JsonValue };

export interface ToolCall {
  id: string;
  name: string;
  /** Parsed JSON input; `{}` for a tool called with no input, and for an `invalid` one. */
  arguments: JsonObject;
  /** The input exactly as streamed. */
  argumentsText: string;
  /** Set when the streamed input is not valid JSON: `arguments` is then `{}` and `argumentsText` holds the text. */
  invalid?: { message: string };
}

/** A content block of the assistant turn, in AWS's Converse shape. */
export type AssistantContentBlock = Record<string, unknown>;

export interface AssistantMessage {
  role: "assistant";
  content: AssistantContentBlock[];
}

export type ChatEvent =
  | { type: "message-start"; role: string }
  | { type: "text"; index: number; text: string }
  | { type: "reasoning-start"; index: number }
  | { type: "reasoning"; index: number; text?: string; signature?: string; redacted?: string }
  | { type: "reasoning-end"; index: number; text: string; signature?: string; redacted?: string[] }
  | { type: "tool-call-start"; index: number; id: string; name: string }
  | {
      type: "tool-call-delta";
      index: number;
      id: string;
      name: string;
      /** This fragment of the input. */
      argumentsText: string;
      /**
       * Best-effort parse of the input so far (through at least this fragment), for UIs that render arguments as
       * they stream: strings grow, containers gain members, numbers appear once complete. Parsed incrementally,
       * on first read (a getter: spread and JSON.stringify leave it out). Live: the same objects grow as later
       * fragments are read; copy (structuredClone) to keep a state. The complete, validated input is the
       * `tool-call` event's `arguments`. Present when the accumulator has a `partialJson` parser (createBedrock's
       * client always does; `bedrock-edge/core` does not ship one).
       */
      readonly partial?: unknown;
    }
  | ({ type: "tool-call"; index: number } & ToolCall)
  | { type: "citation"; index: number; citation: Record<string, unknown> }
  | { type: "block-delta"; index: number; delta: ContentBlockDeltaPayload }
  | { type: "block-end"; index: number; block: AssistantContentBlock }
  | { type: "usage"; usage: TokenUsage }
  | ({
      type: "finish";
      stopReason: string;
      usage?: TokenUsage;
      message: AssistantMessage;
      /** Tool calls for the caller to run (server-side tools excluded); invalid inputs carry `invalid`. */
      toolCalls: ToolCall[];
    } & ResponseExtras)
  | { type: "unknown"; eventType: string; payload: unknown };

/** What only some responses carry, passed through to the `finish` event and the result as AWS sent it. */
export interface ResponseExtras {
  /** With a `responseFormat` (or outputConfig json_schema): the answer's JSON, checked against the schema. */
  structured?: unknown;
  additionalModelResponseFields?: unknown;
  metrics?: { latencyMs: number };
  /** The guardrail (and prompt router) trace, when the request asked for it. */
  trace?: unknown;
  /** The latency setting the call ran with, when the service says (performanceConfig requests). */
  performanceConfig?: unknown;
  /** The service tier the call ran in, when the service says. */
  serviceTier?: unknown;
}
