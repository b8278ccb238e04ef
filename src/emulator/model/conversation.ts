import type {
  ContentBlock,
  ConverseRequest,
  DocumentBlock,
  Message,
  ToolResultBlock,
} from "../../types/index.ts";
import { countTokens } from "./tokens.ts";

// Reading a validated request: the prompt the model answers, documents, tool results, and the input
// token count (per segment, so prompt caching can split it at cache points).

/** Tokens charged for an image, video, audio clip or a binary document the emulator does not read. */
const MEDIA_TOKENS = 100;
const TEXT_FORMATS = new Set(["txt", "md", "csv", "html"]);

export function lastUserMessage(request: ConverseRequest): Message | undefined {
  const messages = request.messages ?? [];
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i].role === "user") return messages[i];
  return undefined;
}

/** The text of a message's text blocks (and guarded text), joined by newlines. */
export function messageText(message: Message | undefined): string {
  if (!message) return "";
  return message.content
    .flatMap((b) =>
      b.text !== undefined ? [b.text] : b.guardContent?.text ? [b.guardContent.text.text] : [],
    )
    .join("\n")
    .trim();
}

export function toolResults(message: Message | undefined): ToolResultBlock[] {
  return message?.content.flatMap((b) => (b.toolResult ? [b.toolResult] : [])) ?? [];
}

/** The name of the tool a toolUseId was issued for, looked up in the assistant turns. */
export function toolNameFor(request: ConverseRequest, toolUseId: string): string {
  for (const message of request.messages ?? []) {
    for (const block of message.content)
      if (block.toolUse?.toolUseId === toolUseId) return block.toolUse.name;
  }
  return "tool";
}

/** A document's text, when it is text (source.text, text content, or bytes of a text format). */
export function documentText(doc: DocumentBlock): string | undefined {
  const source = doc.source;
  if (source.text !== undefined) return source.text;
  if (source.content) return source.content.map((c) => c.text ?? "").join("\n");
  if (source.bytes !== undefined && TEXT_FORMATS.has(doc.format ?? "")) {
    try {
      return new TextDecoder().decode(Uint8Array.from(atob(source.bytes), (c) => c.charCodeAt(0)));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Every document block in the request, in order, with its index (as citations count them). */
export function documents(request: ConverseRequest): { index: number; doc: DocumentBlock }[] {
  const out: { index: number; doc: DocumentBlock }[] = [];
  for (const message of request.messages ?? []) {
    for (const block of message.content)
      if (block.document) out.push({ index: out.length, doc: block.document });
  }
  return out;
}

export function blockTokens(block: ContentBlock): number {
  if (block.text !== undefined) return countTokens(block.text);
  if (block.image || block.video || block.audio) return MEDIA_TOKENS;
  if (block.document) {
    const text = documentText(block.document);
    return text === undefined ? MEDIA_TOKENS : countTokens(text);
  }
  if (block.toolUse) return countTokens(`${block.toolUse.name} ${JSON.stringify(block.toolUse.input)}`);
  if (block.toolResult) {
    return block.toolResult.content.reduce(
      (sum, c) =>
        sum +
        (c.text !== undefined
          ? countTokens(c.text)
          : c.json !== undefined
            ? countTokens(JSON.stringify(c.json))
            : MEDIA_TOKENS),
      0,
    );
  }
  if (block.guardContent?.text) return countTokens(block.guardContent.text.text);
  if (block.reasoningContent?.reasoningText) return countTokens(block.reasoningContent.reasoningText.text);
  if (block.citationsContent) {
    return (block.citationsContent.content ?? []).reduce((sum, c) => sum + countTokens(c.text ?? ""), 0);
  }
  if (block.searchResult) return block.searchResult.content.reduce((sum, c) => sum + countTokens(c.text), 0);
  return 0;
}

/** One unit of input in prompt order: its tokens, canonical text (for cache keys), and cache point. */
export interface InputSegment {
  tokens: number;
  key: string;
  cachePoint?: { ttl?: string };
}

/** The input in the order Bedrock builds the prompt: tools, system, messages. */
export function inputSegments(request: ConverseRequest): InputSegment[] {
  const segments: InputSegment[] = [];
  for (const tool of request.toolConfig?.tools ?? []) {
    if (tool.cachePoint) segments.push({ tokens: 0, key: "", cachePoint: tool.cachePoint });
    else if (tool.toolSpec) {
      const { name, description, inputSchema } = tool.toolSpec;
      const text = `${name} ${description ?? ""} ${JSON.stringify(inputSchema.json)}`;
      segments.push({ tokens: countTokens(text), key: text });
    } else segments.push({ tokens: 1, key: JSON.stringify(tool) });
  }
  for (const block of request.system ?? []) {
    if (block.cachePoint) segments.push({ tokens: 0, key: "", cachePoint: block.cachePoint });
    else
      segments.push({
        tokens: block.text !== undefined ? countTokens(block.text) : 0,
        key: JSON.stringify(block),
      });
  }
  for (const message of request.messages ?? []) {
    for (const block of message.content) {
      if (block.cachePoint) segments.push({ tokens: 0, key: "", cachePoint: block.cachePoint });
      else segments.push({ tokens: blockTokens(block), key: `${message.role}:${JSON.stringify(block)}` });
    }
  }
  return segments;
}

export function countInputTokens(request: ConverseRequest): number {
  return inputSegments(request).reduce((sum, s) => sum + s.tokens, 0);
}
