// Chat events (the pipeline's output) to the AI SDK's stream parts and content, in one pass per batch: no
// second parser and no extra stream stage between the network and the caller.
import type {
  LanguageModelV4Citation,
  LanguageModelV4Content,
  LanguageModelV4FinishReason,
  LanguageModelV4Source,
  LanguageModelV4StreamPart,
  LanguageModelV4Usage,
  SharedV4ProviderMetadata,
} from "@ai-sdk/provider";
import type { ChatEvent, TokenUsage } from "../index.ts";
import { OPTIONS_KEY } from "./prompt.ts";

type Finish = Extract<ChatEvent, { type: "finish" }>;

/** Every Bedrock stop reason (StopReason in the service model) to the AI SDK's unified reason. */
export function finishReasonOf(stopReason: string | undefined): LanguageModelV4FinishReason {
  let unified: LanguageModelV4FinishReason["unified"];
  switch (stopReason) {
    case "end_turn":
    case "stop_sequence":
      unified = "stop";
      break;
    case "max_tokens":
    case "model_context_window_exceeded":
      unified = "length";
      break;
    case "guardrail_intervened":
    case "content_filtered":
      unified = "content-filter";
      break;
    case "tool_use":
      unified = "tool-calls";
      break;
    case "malformed_model_output":
    case "malformed_tool_use":
      unified = "error";
      break;
    default:
      unified = "other";
  }
  return { unified, raw: stopReason };
}

/** Bedrock's usage to the AI SDK's: Bedrock's inputTokens leave out the cached tokens, the total counts them. */
export function usageOf(usage: TokenUsage | undefined): LanguageModelV4Usage {
  if (!usage)
    return {
      inputTokens: { total: undefined, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
      outputTokens: { total: undefined, text: undefined, reasoning: undefined },
    };
  const read = usage.cacheReadInputTokens ?? 0;
  const write = usage.cacheWriteInputTokens ?? 0;
  return {
    inputTokens: {
      total: usage.inputTokens + read + write,
      noCache: usage.inputTokens,
      cacheRead: read,
      cacheWrite: write,
    },
    outputTokens: { total: usage.outputTokens, text: usage.outputTokens, reasoning: undefined },
    raw: usage as unknown as LanguageModelV4Usage["raw"],
  };
}

/** What the result has that the spec has no field for, under providerMetadata.bedrock. */
export function metadataOf(
  finish: Finish,
  citations: Record<string, unknown>[],
): SharedV4ProviderMetadata | undefined {
  const m: Record<string, any> = {};
  const u = finish.usage;
  if (u?.cacheWriteInputTokens != null || u?.cacheDetails != null)
    m.usage = {
      ...(u.cacheWriteInputTokens != null && { cacheWriteInputTokens: u.cacheWriteInputTokens }),
      ...(u.cacheDetails != null && { cacheDetails: u.cacheDetails }),
    };
  if (finish.trace !== undefined) m.trace = finish.trace;
  if (finish.performanceConfig !== undefined) m.performanceConfig = finish.performanceConfig;
  if (finish.serviceTier !== undefined) m.serviceTier = finish.serviceTier;
  if (finish.metrics !== undefined) m.metrics = finish.metrics;
  const extra = finish.additionalModelResponseFields as Record<string, any> | undefined;
  if (extra !== undefined) m.additionalModelResponseFields = extra;
  const stop = extra?.delta?.stop_sequence;
  m.stopSequence = typeof stop === "string" ? stop : null;
  if (citations.length) m.citations = citations;
  return { [OPTIONS_KEY]: m };
}

/** A Bedrock citation to a source: a web URL, else the cited document. */
export function sourceOf(citation: Record<string, any>, id: string): LanguageModelV4Source {
  const web = citation.location?.web;
  const providerMetadata = { [OPTIONS_KEY]: { citation } } as SharedV4ProviderMetadata;
  if (typeof web?.url === "string")
    return {
      type: "source",
      sourceType: "url",
      id,
      url: web.url,
      ...(typeof citation.title === "string" && { title: citation.title }),
      providerMetadata,
    };
  return {
    type: "source",
    sourceType: "document",
    id,
    mediaType: "application/octet-stream",
    title: typeof citation.title === "string" ? citation.title : "document",
    providerMetadata,
  };
}

function citationOf(citation: Record<string, any>, source: LanguageModelV4Source): LanguageModelV4Citation {
  const cited = Array.isArray(citation.sourceContent)
    ? citation.sourceContent.map((c: any) => c?.text ?? "").join("")
    : undefined;
  return { source, ...(cited && { citedText: cited }) };
}

type Controller = ReadableStreamDefaultController<LanguageModelV4StreamPart>;

/**
 * The streaming mapper: `push(events, controller)` enqueues the parts of one batch. Text blocks open on their
 * first delta (Bedrock's contentBlockStart is optional for text) and close at block-end; tool inputs and
 * reasoning follow the pipeline's own start/end events.
 */
export class PartMapper {
  /** Text blocks open, by block index; their citations so far. */
  private open = new Map<number, LanguageModelV4Citation[]>();
  private citations: Record<string, unknown>[] = [];
  private sources = 0;
  private input = "";
  finished = false;
  usage: TokenUsage | undefined;

  push(events: ChatEvent[], c: Controller): void {
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      switch (e.type) {
        case "text": {
          const id = String(e.index);
          if (!this.open.has(e.index)) {
            this.open.set(e.index, []);
            c.enqueue({ type: "text-start", id });
          }
          if (e.text) c.enqueue({ type: "text-delta", id, delta: e.text });
          break;
        }
        case "reasoning-start":
          c.enqueue({ type: "reasoning-start", id: String(e.index) });
          break;
        case "reasoning":
          if (e.text) c.enqueue({ type: "reasoning-delta", id: String(e.index), delta: e.text });
          break;
        case "reasoning-end": {
          const meta: Record<string, string> = {};
          if (e.signature !== undefined) meta.signature = e.signature;
          if (e.redacted) meta.redactedData = e.redacted.join("");
          c.enqueue(
            e.signature !== undefined || e.redacted
              ? { type: "reasoning-end", id: String(e.index), providerMetadata: { [OPTIONS_KEY]: meta } }
              : { type: "reasoning-end", id: String(e.index) },
          );
          break;
        }
        case "tool-call-start":
          c.enqueue({ type: "tool-input-start", id: e.id, toolName: e.name });
          break;
        case "tool-call-delta":
          c.enqueue({ type: "tool-input-delta", id: e.id, delta: e.argumentsText });
          break;
        case "tool-call":
          // Sent at its block-end, next in the same batch: that event says whether AWS ran it (a server tool).
          this.input = e.argumentsText;
          break;
        case "citation": {
          const source = sourceOf(e.citation, `citation-${this.sources++}`);
          this.citations.push(e.citation);
          if (!this.open.has(e.index)) {
            this.open.set(e.index, []);
            c.enqueue({ type: "text-start", id: String(e.index) });
          }
          this.open.get(e.index)!.push(citationOf(e.citation, source));
          c.enqueue(source);
          break;
        }
        case "block-end": {
          const t = e.block.toolUse as Record<string, any> | undefined;
          if (t) {
            c.enqueue({ type: "tool-input-end", id: t.toolUseId });
            c.enqueue({
              type: "tool-call",
              toolCallId: t.toolUseId,
              toolName: t.name,
              input: this.input || "{}",
              ...(t.type === "server_tool_use" && { providerExecuted: true }),
            });
            break;
          }
          const cited = this.open.get(e.index);
          if (cited) {
            this.open.delete(e.index);
            c.enqueue(
              cited.length
                ? { type: "text-end", id: String(e.index), citations: cited }
                : { type: "text-end", id: String(e.index) },
            );
          }
          break;
        }
        case "usage":
          this.usage = e.usage;
          break;
        case "finish": {
          this.finished = true;
          const providerMetadata = metadataOf(e, this.citations);
          c.enqueue({
            type: "finish",
            finishReason: finishReasonOf(e.stopReason),
            usage: usageOf(e.usage),
            ...(providerMetadata && { providerMetadata }),
          });
          break;
        }
        default:
          // message-start, block-delta (server tool results and future kinds), unknown: kept in the message
          break;
      }
    }
  }
}

/** The non-streamed result's content, from the assistant message the accumulator built. */
export function contentOf(finish: Finish): {
  content: LanguageModelV4Content[];
  citations: Record<string, unknown>[];
} {
  const content: LanguageModelV4Content[] = [];
  const citations: Record<string, unknown>[] = [];
  const calls = new Map(finish.toolCalls.map((c) => [c.id, c.argumentsText]));
  for (const block of finish.message.content as Record<string, any>[]) {
    if (typeof block.text === "string") {
      if (block.text) content.push({ type: "text", text: block.text });
    } else if (block.citationsContent) {
      const cc = block.citationsContent;
      const cited: LanguageModelV4Citation[] = [];
      const sources: LanguageModelV4Source[] = [];
      for (const citation of cc.citations ?? []) {
        const source = sourceOf(citation, `citation-${citations.length}`);
        citations.push(citation);
        sources.push(source);
        cited.push(citationOf(citation, source));
      }
      const text = (cc.content ?? []).map((c: any) => c?.text ?? "").join("");
      content.push({ type: "text", text, ...(cited.length && { citations: cited }) }, ...sources);
    } else if (block.reasoningContent) {
      const r = block.reasoningContent;
      if (r.redactedContent !== undefined) {
        content.push({
          type: "reasoning",
          text: "",
          providerMetadata: { [OPTIONS_KEY]: { redactedData: String(r.redactedContent) } },
        });
      } else {
        const t = r.reasoningText ?? {};
        content.push({
          type: "reasoning",
          text: t.text ?? "",
          ...(t.signature !== undefined && {
            providerMetadata: { [OPTIONS_KEY]: { signature: t.signature } },
          }),
        });
      }
    } else if (block.toolUse) {
      const t = block.toolUse;
      const server = t.type === "server_tool_use";
      content.push({
        type: "tool-call",
        toolCallId: t.toolUseId,
        toolName: t.name,
        // An invalid input is {} in the message; the AI SDK reports it from the text as streamed.
        input: calls.get(t.toolUseId) || JSON.stringify(t.input ?? {}),
        ...(server && { providerExecuted: true }),
      });
    }
  }
  return { content, citations };
}
