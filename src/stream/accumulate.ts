import { EventPayloadError, IncompleteStreamError, ResponseTooLargeError } from "../errors/index.ts";
import type {
  AssistantContentBlock,
  AssistantMessage,
  ChatEvent,
  ConverseEvent,
  TokenUsage,
  ToolCall,
} from "../types/events.ts";
import { definedFields, RESPONSE_EXTRAS } from "./fields.ts";
import type { LazyPartialJson } from "./partial-json.ts";

/** One content block being assembled, keyed by contentBlockIndex. */
interface Block {
  kind: "text" | "reasoning" | "tool" | "other";
  text: string;
  /** The latest pieces of `text`, not yet joined onto it (see `append`). */
  tail: string[];
  signature?: string;
  redacted?: string[];
  citations?: Record<string, unknown>[];
  toolUse?: { toolUseId: string; name: string; type?: string };
  /** The tool input's snapshot parser, fed only when a `partial` is read. */
  input?: LazyPartialJson;
  /** The parsed call, once the block has stopped (parsed once: tool inputs can be megabytes). */
  call?: ToolCall;
  start?: Record<string, unknown>;
  deltas?: unknown[];
  done: boolean;
}

/**
 * Push accumulator: Converse events in, chat events out. Keeps the assistant turn as it is built, so that the
 * final message (reasoning signatures, citations, tool inputs) can go back into the history exactly as received.
 */
export class MessageAccumulator {
  /**
   * Makes the parser behind `tool-call-delta` events' `partial` snapshots; unset, those events carry no
   * `partial`. Injected (createBedrock passes `LazyPartialJson`) so that callers who never read snapshots do
   * not ship the parser.
   */
  partialJson: (new () => LazyPartialJson) | undefined;
  private blocks = new Map<number, Block>();
  /** The text blocks in the order their text began: `outputText` is theirs joined, the text kept once. */
  private textBlocks: Block[] = [];
  private lastText: Block | undefined;
  /** Only once text blocks interleave (Bedrock does not): `outputText` from then on, as one running list. */
  private texts: string[] | undefined;
  /** Characters of text, reasoning and tool input so far (see MAX_ANSWER_CHARS). */
  chars = 0;
  readonly toolCalls: ToolCall[] = [];
  stopReason: string | undefined;
  usage: TokenUsage | undefined;
  private stopEvent: Extract<ConverseEvent, { type: "messageStop" }> | undefined;
  private metadata: Extract<ConverseEvent, { type: "metadata" }> | undefined;
  /** The `finish` event, once the stream is complete (what a call's result is made from). */
  finishEvent: Extract<ChatEvent, { type: "finish" }> | undefined;

  constructor(options: { partialJson?: new () => LazyPartialJson } = {}) {
    this.partialJson = options.partialJson;
  }

  get outputText(): string {
    if (!this.texts) return this.textBlocks.map(textOf).join("");
    if (this.texts.length > 1) this.texts = [this.texts.join("")];
    return this.texts[0] ?? "";
  }

  push(event: ConverseEvent, out: ChatEvent[]): void {
    switch (event.type) {
      case "contentBlockDelta":
        this.delta(event.contentBlockIndex, event.delta, out);
        return;
      case "contentBlockStart":
        this.start(event.contentBlockIndex, event.start, out);
        return;
      case "contentBlockStop":
        this.stop(event.contentBlockIndex, out);
        return;
      case "messageStart":
        out.push({ type: "message-start", role: event.role });
        return;
      case "messageStop":
        this.stopReason = event.stopReason;
        this.stopEvent = event;
        return;
      case "metadata":
        this.metadata = event;
        this.usage = event.usage;
        out.push({ type: "usage", usage: event.usage });
        return;
      default:
        out.push(event);
    }
  }

  /**
   * Call when the body has ended: emits `finish`, or throws if the stream never said it was complete. A stream
   * ends with messageStop then metadata (usage): one that ends between the two was cut off, and a finish would
   * drop the usage. `json`: a /converse body, complete without usage.
   */
  end(out: ChatEvent[], json?: boolean): void {
    if (this.finishEvent) return;
    if (!this.stopEvent) {
      throw new IncompleteStreamError("The stream ended before messageStop: the response is incomplete");
    }
    if (!(json || this.metadata))
      throw new IncompleteStreamError(
        "The stream ended after messageStop but before its metadata event (usage): the response was cut off",
      );
    // Blocks a model left open (no contentBlockStop) still belong to the message.
    for (const [index, block] of this.blocks) if (!block.done) this.stop(index, out);
    this.finishEvent = {
      type: "finish",
      stopReason: this.stopEvent.stopReason,
      usage: this.usage,
      message: this.message(),
      toolCalls: this.toolCalls,
      ...definedFields({ ...this.metadata, ...this.stopEvent }, RESPONSE_EXTRAS),
    };
    out.push(this.finishEvent);
  }

  /** The assistant turn so far, content blocks in index order, in Converse's shape. */
  message(): AssistantMessage {
    const indices = [...this.blocks.keys()].sort((a, b) => a - b);
    const content: AssistantContentBlock[] = [];
    for (const i of indices) {
      const block = toContentBlock(this.blocks.get(i)!);
      if (block) content.push(block);
    }
    return { role: "assistant", content };
  }

  private block(index: number, kind: Block["kind"]): Block {
    let block = this.blocks.get(index);
    if (!block) {
      block = { kind, text: "", tail: [], done: false };
      this.blocks.set(index, block);
    }
    return block;
  }

  private start(index: number, start: Record<string, any>, out: ChatEvent[]): void {
    if (start.toolUse) {
      const block = this.block(index, "tool");
      block.kind = "tool";
      block.toolUse = start.toolUse;
      out.push({ type: "tool-call-start", index, id: start.toolUse.toolUseId, name: start.toolUse.name });
      return;
    }
    const block = this.block(index, "other");
    block.start = start;
  }

  /** @internal The contentBlockDelta step; ConversePipeline calls it directly, skipping the event object. */
  delta(index: number, delta: Record<string, any>, out: ChatEvent[]): void {
    if (typeof delta.text === "string") {
      const block = this.block(index, "text");
      if (block !== this.lastText && !this.texts) {
        // Back to a block that already has text: the order of blocks no longer gives the order of the text.
        if (block.text || block.tail.length) this.texts = [this.outputText];
        else this.textBlocks.push(block);
        this.lastText = block;
      }
      append(this, block, delta.text);
      // Joined in runs, like block text (see append).
      if (this.texts && this.texts.push(delta.text) === RUN) void this.outputText;
      out.push({ type: "text", index, text: delta.text });
      return;
    }
    if (delta.toolUse) {
      const block = this.blocks.get(index);
      if (!block?.toolUse) {
        throw new EventPayloadError(
          "contentBlockDelta",
          `toolUse delta for block ${index} without a toolUse contentBlockStart`,
        );
      }
      const fragment = delta.toolUse.input;
      if (typeof fragment !== "string") {
        throw new EventPayloadError("contentBlockDelta", `toolUse.input for block ${index} must be a string`);
      }
      append(this, block, fragment);
      const { toolUseId: id, name } = block.toolUse;
      if (!this.partialJson) {
        out.push({ type: "tool-call-delta", index, id, name, argumentsText: fragment });
        return;
      }
      block.input ??= new this.partialJson();
      out.push(block.input.event(index, id, name, fragment));
      return;
    }
    if (delta.reasoningContent) {
      const r = delta.reasoningContent;
      const fresh = !this.blocks.has(index);
      const block = this.block(index, "reasoning");
      if (fresh) out.push({ type: "reasoning-start", index });
      if (typeof r.text === "string") append(this, block, r.text);
      if (typeof r.signature === "string") block.signature = (block.signature ?? "") + r.signature;
      if (typeof r.redactedContent === "string") {
        block.redacted ??= [];
        block.redacted.push(r.redactedContent);
      }
      out.push({
        type: "reasoning",
        index,
        ...(r.text !== undefined && { text: r.text }),
        ...(r.signature !== undefined && { signature: r.signature }),
        ...(r.redactedContent !== undefined && { redacted: r.redactedContent }),
      });
      return;
    }
    if (delta.citation) {
      const block = this.block(index, "text");
      block.citations ??= [];
      block.citations.push(delta.citation);
      out.push({ type: "citation", index, citation: delta.citation });
      return;
    }
    // toolResult (server tools), images and future delta kinds: kept in the block, passed on as they are.
    const block = this.block(index, "other");
    block.deltas ??= [];
    block.deltas.push(delta);
    out.push({ type: "block-delta", index, delta });
  }

  private stop(index: number, out: ChatEvent[]): void {
    const block = this.blocks.get(index);
    if (!block || block.done) return;
    block.done = true;
    textOf(block);
    if (block.kind === "reasoning") {
      out.push({
        type: "reasoning-end",
        index,
        text: block.text,
        ...(block.signature !== undefined && { signature: block.signature }),
        ...(block.redacted && { redacted: block.redacted }),
      });
    } else if (block.kind === "tool" && block.toolUse) {
      const call = parseToolCall(block.toolUse.toolUseId, block.toolUse.name, block.text);
      block.call = call;
      // Server-side tools (type "server_tool_use") ran at AWS: they are not for the caller to run.
      if (block.toolUse.type !== "server_tool_use") this.toolCalls.push(call);
      out.push({ type: "tool-call", index, ...call });
    }
    const content = toContentBlock(block);
    if (content) out.push({ type: "block-end", index, block: content });
  }
}

const RUN = 256;
/**
 * The most characters an answer may stream (text, reasoning and tool input together), far above what any model
 * writes: an endless stream ends in this typed error, with what came before it, instead of a string too long
 * for the runtime (a raw RangeError).
 */
export const MAX_ANSWER_CHARS = 2 ** 26;

/**
 * Appends a streamed piece to a block's text. Pieces are joined a run at a time: a long answer then costs about
 * its own length in memory, where `text += piece` kept a string and a cons cell per delta (~15x the text).
 */
function append(acc: MessageAccumulator, block: Block, piece: string): void {
  acc.chars += piece.length;
  if (acc.chars > MAX_ANSWER_CHARS)
    throw new ResponseTooLargeError(`The answer passed ${MAX_ANSWER_CHARS} characters`);
  if (block.tail.push(piece) === RUN) textOf(block);
}

/** The block's whole text (joins the pending pieces). */
function textOf(block: Block): string {
  if (block.tail.length) {
    block.text += block.tail.join("");
    block.tail = [];
  }
  return block.text;
}

/** Parses streamed tool input. Empty input means a tool with no parameters: `{}`; so does invalid input (flagged). */
export function parseToolCall(id: string, name: string, text: string): ToolCall {
  if (text.trim() === "") return { id, name, arguments: {}, argumentsText: text };
  try {
    return { id, name, arguments: JSON.parse(text), argumentsText: text };
  } catch (error) {
    return {
      id,
      name,
      arguments: {},
      argumentsText: text,
      invalid: { message: (error as Error).message },
    };
  }
}

function toContentBlock(block: Block): AssistantContentBlock | undefined {
  textOf(block);
  switch (block.kind) {
    case "text":
      if (block.citations) {
        return {
          citationsContent: { content: block.text ? [{ text: block.text }] : [], citations: block.citations },
        };
      }
      return { text: block.text };
    case "reasoning":
      if (block.redacted && !block.text && block.signature === undefined) {
        return { reasoningContent: { redactedContent: block.redacted.join("") } };
      }
      return {
        reasoningContent: {
          reasoningText: {
            text: block.text,
            ...(block.signature !== undefined && { signature: block.signature }),
          },
        },
      };
    case "tool": {
      const t = block.toolUse!;
      const parsed = block.call ?? parseToolCall(t.toolUseId, t.name, block.text);
      return {
        toolUse: {
          toolUseId: t.toolUseId,
          name: t.name,
          input: parsed.invalid ? {} : parsed.arguments,
          ...(t.type !== undefined && { type: t.type }),
        },
      };
    }
    default: {
      const start = block.start ?? {};
      const key = Object.keys(start)[0];
      if (key === "toolResult") {
        const content = (block.deltas ?? []).flatMap((d: any) =>
          Array.isArray(d.toolResult) ? d.toolResult : [],
        );
        return { toolResult: { ...(start.toolResult as object), content } };
      }
      if (key)
        return {
          [key]: { ...(start[key] as object), ...(block.deltas?.length ? { deltas: block.deltas } : {}) },
        };
      return block.deltas?.length ? { deltas: block.deltas } : undefined;
    }
  }
}

/** The accumulator under its first name (it builds the whole message, tool calls included). */
export type ToolCallAccumulator = MessageAccumulator;
export const ToolCallAccumulator = MessageAccumulator;
