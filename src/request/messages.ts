import { RequestError } from "../errors/index.ts";
import { bytesOf, bytesToBase64, isBytes } from "./bytes.ts";
import { detectAudioFormat, detectImageFormat, detectVideoFormat } from "./sniff.ts";

// The block helpers lived here first.
export { cachePoint, guardContent } from "./blocks.ts";

type Block = Record<string, unknown>;

export interface ConverseMessage {
  role: "user" | "assistant";
  content: Block[];
}

/** An OpenAI-style tool call on an assistant message. */
export interface OpenAIToolCall {
  id: string;
  type?: "function";
  function: { name: string; arguments: string | Record<string, unknown> };
}

/** OpenAI's text part. Media: `imageBlock`, `documentBlock`, `videoBlock` (they infer the format from the bytes). */
export type ContentPart = { type: "text"; text: string };

/** What `request`/`stream` accept as a message: simple strings, Bedrock content blocks, or OpenAI-style turns. */
export type InputMessage =
  | { role: "system" | "user" | "assistant"; content: string | Content[] }
  | { role: "assistant"; content?: string | Content[] | null; tool_calls: OpenAIToolCall[] }
  | {
      role: "tool";
      tool_call_id: string;
      content: string | Content[] | unknown;
      status?: "success" | "error";
    };

/** One piece of a message's content: text, a content part, or a Bedrock content block. */
export type Content = string | ContentPart | Block;

export interface NormalizedMessages {
  system: Block[];
  messages: ConverseMessage[];
}

/**
 * Messages to Converse's `system` + `messages`: system turns go to `system`, tool results become `toolResult`
 * blocks in a user turn, and consecutive turns of one role merge into one (Bedrock rejects two in a row).
 */
export function normalizeMessages(input: readonly InputMessage[]): NormalizedMessages {
  if (!Array.isArray(input)) throw new RequestError("messages", "expected an array of messages");
  const system: Block[] = [];
  const messages: ConverseMessage[] = [];
  const push = (role: "user" | "assistant", blocks: Block[]) => {
    const last = messages[messages.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  input.forEach((m: any, i) => {
    const path = `messages[${i}]`;
    if (!m || typeof m !== "object") throw new RequestError(path, "expected a message object");
    switch (m.role) {
      case "system":
        system.push(...toBlocks(m.content, `${path}.content`));
        return;
      case "user": {
        const blocks = toBlocks(m.content, `${path}.content`);
        // Bedrock answers ValidationException "The text field ... is blank" for an empty text block, and a turn
        // of nothing but whitespace is no prompt; a whitespace block next to real content passes (a recorded
        // request with a "\n" block between a document and a question got a 200).
        const blank = (b: Block) => typeof b.text === "string" && b.text.trim() === "";
        const allBlank = blocks.every(blank);
        blocks.forEach((b, j) => {
          if (b.text === "" || (allBlank && blank(b)))
            throw new RequestError(
              typeof m.content === "string" ? `${path}.content` : `${path}.content[${j}]`,
              `blank text in user message ${i}: Bedrock rejects a text block that is empty or only whitespace`,
            );
        });
        push("user", blocks);
        return;
      }
      case "assistant": {
        const blocks = m.content == null || m.content === "" ? [] : toBlocks(m.content, `${path}.content`);
        if (m.tool_calls !== undefined) {
          if (!Array.isArray(m.tool_calls)) throw new RequestError(`${path}.tool_calls`, "expected an array");
          m.tool_calls.forEach((call: any, j: number) => {
            blocks.push(toolUseBlock(call, `${path}.tool_calls[${j}]`));
          });
        }
        if (blocks.length === 0)
          throw new RequestError(path, "assistant message has no content and no tool calls");
        push("assistant", blocks);
        return;
      }
      case "tool": {
        if (typeof m.tool_call_id !== "string" || !m.tool_call_id) {
          throw new RequestError(
            `${path}.tool_call_id`,
            "a tool message needs the id of the call it answers",
          );
        }
        push("user", [toolResultBlock(m.tool_call_id, m.content, m.status)]);
        return;
      }
      default:
        throw new RequestError(
          `${path}.role`,
          `unknown role ${JSON.stringify(m.role)} (use system, user, assistant or tool)`,
        );
    }
  });
  // Bedrock wants tool results first in their user turn, right after the calls they answer.
  for (const m of messages) {
    if (m.role === "user" && m.content.some((b) => "toolResult" in b)) {
      m.content.sort((a, b) => Number("toolResult" in b) - Number("toolResult" in a));
    }
  }
  return { system, messages };
}

function toBlocks(content: unknown, path: string): Block[] {
  if (typeof content === "string") return [{ text: content }];
  if (!Array.isArray(content))
    throw new RequestError(path, "expected a string or an array of content blocks");
  return content.map((block, i) => toBlock(block, `${path}[${i}]`));
}

function toBlock(block: any, path: string): Block {
  if (typeof block === "string") return { text: block };
  if (!block || typeof block !== "object") throw new RequestError(path, "expected a content block object");
  if (typeof block.type === "string") return fromPart(block, path);
  if (Object.keys(block).length === 0) throw new RequestError(path, "empty content block");
  return withWireMedia(block, path);
}

const HELPERS: Record<string, string> = {
  image: "imageBlock(bytes | base64 | data: URL | s3:// URI)",
  image_url: "imageBlock(dataUrl); Bedrock cannot fetch http(s) URLs",
  document: "documentBlock(source, {name})",
  video: "videoBlock(source)",
};

/**
 * A typed part: OpenAI's `{type: "text"}`. Media parts are built with the exported helpers instead (they infer the
 * format from the bytes), which keeps format detection out of bundles that never send media.
 */
function fromPart(part: any, path: string): Block {
  if (part.type === "text" && typeof part.text === "string") return { text: part.text };
  const helper = HELPERS[part.type];
  throw new RequestError(
    `${path}.type`,
    helper
      ? `use ${helper} for ${part.type} content: it infers the format and writes the bytes as base64`
      : `unknown content part type ${JSON.stringify(part.type)} (use text, a Bedrock block, or imageBlock / documentBlock / videoBlock)`,
  );
}

// Documents are not sniffed here (their detection is the heavy part of media.ts): documentBlock does it.
const SNIFFERS: Record<string, (bytes: Uint8Array) => string | undefined> = {
  image: detectImageFormat,
  video: detectVideoFormat,
  audio: detectAudioFormat,
};

/**
 * A Bedrock media block (`image`, `document`, `video`, `audio`, also inside `toolResult` and `guardContent`) whose
 * `source.bytes` are raw bytes: written as base64 (JSON has no bytes), the format inferred when missing.
 * Blocks without raw bytes are returned as they are (no copy).
 */
function withWireMedia(block: Block, path: string): Block {
  for (const kind of ["image", "document", "video", "audio"]) {
    const media = block[kind] as Record<string, any> | undefined;
    if (media && typeof media === "object" && isBytes(media.source?.bytes)) {
      const raw = media.source.bytes;
      const bytes = bytesOf(raw);
      const format = media.format ?? SNIFFERS[kind]?.(bytes);
      if (format === undefined) {
        throw new RequestError(
          `${path}.${kind}.format`,
          `${kind === "document" ? "missing" : `could not infer the ${kind} format from the bytes`}: ${kind === "audio" ? "pass format (mp3, wav, flac, ogg, aac, opus, m4a, webm, ...)" : `pass format, or build the block with ${HELPERS[kind]}`}`,
        );
      }
      return {
        ...block,
        [kind]: { ...media, format, source: { ...media.source, bytes: bytesToBase64(bytes) } },
      };
    }
  }
  const result = block.toolResult as Record<string, any> | undefined;
  if (result && Array.isArray(result.content)) {
    const content = result.content.map((c: any, i: number) =>
      c && typeof c === "object" ? withWireMedia(c, `${path}.toolResult.content[${i}]`) : c,
    );
    if (content.some((c: unknown, i: number) => c !== result.content[i]))
      return { ...block, toolResult: { ...result, content } };
  }
  const guard = block.guardContent as Record<string, any> | undefined;
  if (guard?.image && isBytes(guard.image.source?.bytes)) {
    const image = withWireMedia({ image: guard.image }, `${path}.guardContent`).image;
    return { ...block, guardContent: { ...guard, image } };
  }
  return block;
}

function toolUseBlock(call: any, path: string): Block {
  if (!call || typeof call.id !== "string" || typeof call.function?.name !== "string") {
    throw new RequestError(path, "expected {id, function: {name, arguments}}");
  }
  let input = call.function.arguments ?? {};
  if (typeof input === "string") {
    try {
      input = input.trim() === "" ? {} : JSON.parse(input);
    } catch {
      throw new RequestError(`${path}.function.arguments`, "arguments are not valid JSON");
    }
  }
  return { toolUse: { toolUseId: call.id, name: call.function.name, input } };
}

function toolResultBlock(toolUseId: string, content: unknown, status?: string): Block {
  let blocks: Block[];
  if (typeof content === "string") blocks = [{ text: content }];
  else if (Array.isArray(content))
    blocks = content.map((c, i) => toBlock(c, `toolResult(${toolUseId}).content[${i}]`));
  else blocks = [{ json: content ?? null }];
  return { toolResult: { toolUseId, content: blocks, ...(status && { status }) } };
}
