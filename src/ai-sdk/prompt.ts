// The AI SDK's prompt (LanguageModelV4Prompt) to Converse messages in Bedrock's own block shape. The request
// builder (normalizeMessages, via planCall) then merges consecutive turns, base64s the bytes and sniffs formats,
// so this module only maps one vocabulary onto the other.
import type {
  LanguageModelV4FilePart,
  LanguageModelV4Prompt,
  LanguageModelV4ToolResultOutput,
  SharedV4ProviderOptions,
} from "@ai-sdk/provider";
import { UnsupportedFunctionalityError } from "@ai-sdk/provider";
import { base64ToBytes } from "../index.ts";

type Block = Record<string, unknown>;
export type PromptMessage = { role: "system" | "user" | "assistant"; content: Block[] };

/** The providerOptions key this provider reads (the official Bedrock provider's, so options carry over). */
export const OPTIONS_KEY = "bedrock";

const S3 = /^s3:\/\//i;
const IMAGE_FORMATS: Record<string, string> = {
  jpg: "jpeg",
  jpeg: "jpeg",
  png: "png",
  gif: "gif",
  webp: "webp",
};
const VIDEO_FORMATS: Record<string, string> = {
  mp4: "mp4",
  quicktime: "mov",
  "x-matroska": "mkv",
  webm: "webm",
  "x-flv": "flv",
  mpeg: "mpeg",
  "x-ms-wmv": "wmv",
  "3gpp": "three_gp",
};
const DOCUMENT_FORMATS: Record<string, string> = {
  "application/pdf": "pdf",
  "text/csv": "csv",
  "application/msword": "doc",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
  "application/vnd.ms-excel": "xls",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
  "text/html": "html",
  "text/plain": "txt",
  "text/markdown": "md",
};
const AUDIO_FORMATS: Record<string, string> = {
  mpeg: "mp3",
  mp3: "mp3",
  wav: "wav",
  "x-wav": "wav",
  flac: "flac",
  ogg: "ogg",
  aac: "aac",
  opus: "opus",
  webm: "webm",
  mp4: "m4a",
};

function bedrockOptions(options: SharedV4ProviderOptions | undefined): Record<string, any> | undefined {
  return options?.[OPTIONS_KEY] as Record<string, any> | undefined;
}

/** `providerOptions.bedrock.cachePoint` on a message or part: a cache point after it. */
function cachePointOf(options: SharedV4ProviderOptions | undefined): Block | undefined {
  const cp = bedrockOptions(options)?.cachePoint;
  if (!cp) return undefined;
  return { cachePoint: typeof cp === "object" ? { type: "default", ...cp } : { type: "default" } };
}

function withCachePoint(blocks: Block[], options: SharedV4ProviderOptions | undefined): Block[] {
  const cp = cachePointOf(options);
  if (cp) blocks.push(cp);
  return blocks;
}

/** A file part to an image, document, video or audio block. */
export function fileBlock(
  part: Pick<LanguageModelV4FilePart, "data" | "mediaType" | "filename" | "providerOptions">,
  n: number,
): Block {
  const [top, sub = ""] = part.mediaType.toLowerCase().split("/");
  let source: Block;
  const data = part.data;
  if (data.type === "data") {
    // base64 text stays text (the wire's form) when the format is known; bytes are sniffed when it is not.
    source = { bytes: data.data };
  } else if (data.type === "url") {
    if (!S3.test(data.url.href))
      throw new UnsupportedFunctionalityError({
        functionality: "file URLs",
        message: `Bedrock takes files by bytes or by S3 URI (s3://...), not ${data.url.protocol} URLs: download the file first`,
      });
    source = { s3Location: { uri: data.url.href } };
  } else if (data.type === "text") {
    source = { bytes: new TextEncoder().encode(data.text) };
  } else {
    throw new UnsupportedFunctionalityError({ functionality: "file references" });
  }
  const needsBytes = (format: string | undefined) => {
    if (format === undefined && typeof source.bytes === "string")
      source = { bytes: base64ToBytes(source.bytes) };
  };
  if (top === "image") {
    const format = IMAGE_FORMATS[sub];
    needsBytes(format);
    return { image: { ...(format && { format }), source } };
  }
  if (top === "video") {
    const format = VIDEO_FORMATS[sub];
    needsBytes(format);
    return { video: { ...(format && { format }), source } };
  }
  if (top === "audio") {
    const format = AUDIO_FORMATS[sub];
    needsBytes(format);
    return { audio: { ...(format && { format }), source } };
  }
  const format = DOCUMENT_FORMATS[part.mediaType.toLowerCase()] ?? (top === "text" ? "txt" : undefined);
  if (!format)
    throw new UnsupportedFunctionalityError({
      functionality: `file media type ${part.mediaType}`,
      message: `Bedrock takes images, videos, audio and documents (pdf, csv, doc, docx, xls, xlsx, html, txt, md), not ${part.mediaType}`,
    });
  // Bedrock's document names: letters, digits, single spaces, hyphens, parentheses and brackets.
  const name =
    (part.filename ?? "")
      .replace(/\.[^.]*$/, "")
      .replace(/[^A-Za-z0-9\s\-()[\]]/g, " ")
      .replace(/\s+/g, " ")
      .trim() || `document-${n}`;
  // Citations (providerOptions.bedrock.citations: {enabled: true}, as the official provider spells it).
  const citations = bedrockOptions(part.providerOptions)?.citations;
  return { document: { format, name, source, ...(citations && { citations }) } };
}

function toolResultContent(
  output: LanguageModelV4ToolResultOutput,
  n: () => number,
): { content: Block[]; error: boolean } {
  switch (output.type) {
    case "text":
      return { content: [{ text: output.value }], error: false };
    case "error-text":
      return { content: [{ text: output.value }], error: true };
    case "json":
      return { content: [{ json: output.value }], error: false };
    case "error-json":
      return { content: [{ json: output.value }], error: true };
    case "execution-denied":
      return { content: [{ text: output.reason ?? "The tool call was denied." }], error: true };
    case "content":
      return {
        content: output.value.flatMap((c): Block[] =>
          c.type === "text" ? [{ text: c.text }] : c.type === "file" ? [fileBlock(c, n())] : [],
        ),
        error: false,
      };
  }
}

/** The AI SDK prompt to our input messages: Bedrock blocks, tool results as user turns. */
export function toBedrockMessages(prompt: LanguageModelV4Prompt): PromptMessage[] {
  const out: PromptMessage[] = [];
  let files = 0;
  const n = () => ++files;
  for (const message of prompt) {
    switch (message.role) {
      case "system":
        out.push({
          role: "system",
          content: withCachePoint([{ text: message.content }], message.providerOptions),
        });
        break;
      case "user": {
        const blocks: Block[] = [];
        for (const part of message.content) {
          if (part.type === "text") blocks.push({ text: part.text });
          else blocks.push(fileBlock(part, n()));
          withCachePoint(blocks, part.providerOptions);
        }
        out.push({ role: "user", content: withCachePoint(blocks, message.providerOptions) });
        break;
      }
      case "assistant": {
        const blocks: Block[] = [];
        for (const part of message.content) {
          switch (part.type) {
            case "text":
              // Bedrock rejects a blank text block (a step that only called tools can leave one).
              if (part.text.trim()) blocks.push({ text: part.text });
              break;
            case "reasoning": {
              const o = bedrockOptions(part.providerOptions);
              if (typeof o?.redactedData === "string")
                blocks.push({ reasoningContent: { redactedContent: o.redactedData } });
              else if (part.text || o?.signature)
                blocks.push({
                  reasoningContent: {
                    reasoningText: {
                      text: part.text,
                      ...(typeof o?.signature === "string" && { signature: o.signature }),
                    },
                  },
                });
              break;
            }
            case "tool-call":
              if (part.providerExecuted) break;
              blocks.push({
                toolUse: {
                  toolUseId: part.toolCallId,
                  name: part.toolName,
                  input: typeof part.input === "string" ? parseInput(part.input) : (part.input ?? {}),
                },
              });
              break;
            case "file":
              blocks.push(fileBlock(part, n()));
              break;
            default:
              // provider-executed tool results, custom and reasoning files: Bedrock has no assistant form for them
              break;
          }
          withCachePoint(blocks, part.providerOptions);
        }
        if (blocks.length)
          out.push({ role: "assistant", content: withCachePoint(blocks, message.providerOptions) });
        break;
      }
      case "tool": {
        const blocks: Block[] = [];
        for (const part of message.content) {
          if (part.type !== "tool-result") continue; // approval responses are for the AI SDK, not the model
          const { content, error } = toolResultContent(part.output, n);
          blocks.push({
            toolResult: {
              toolUseId: part.toolCallId,
              content,
              ...(error && { status: "error" }),
            },
          });
          withCachePoint(blocks, part.providerOptions);
        }
        if (blocks.length)
          out.push({ role: "user", content: withCachePoint(blocks, message.providerOptions) });
        break;
      }
    }
  }
  return out;
}

function parseInput(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}
