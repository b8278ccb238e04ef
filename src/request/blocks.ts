// Content blocks that are easy to get wrong by hand: image, document and video blocks from bytes, base64, data:
// URLs or S3 URIs, the format inferred (sniff.ts) when the caller does not give it; cache points and guarded
// content.
import { MediaFormatError, type MediaKind, RequestError } from "../errors/index.ts";
import type {
  CacheTTL,
  CitationsConfig,
  DocumentBlock,
  DocumentFormat,
  DocumentSource,
  GuardrailConverseContentQualifier,
  ImageBlock,
  ImageFormat,
  VideoBlock,
  VideoFormat,
} from "../types/index.ts";
import { detectDocumentFormat, detectImageFormat, detectVideoFormat, formatFromName } from "./sniff.ts";
import { type MediaSource, type ReadSource, readSource } from "./source.ts";

export {
  detectDocumentFormat,
  detectImageFormat,
  detectVideoFormat,
  MediaFormatError,
  type MediaKind,
  type MediaSource,
};

const IMAGE_FORMATS: readonly ImageFormat[] = ["png", "jpeg", "gif", "webp"];
const DOCUMENT_FORMATS: readonly DocumentFormat[] = [
  "pdf",
  "csv",
  "doc",
  "docx",
  "xls",
  "xlsx",
  "html",
  "txt",
  "md",
];
const VIDEO_FORMATS: readonly VideoFormat[] = [
  "mkv",
  "mov",
  "mp4",
  "webm",
  "flv",
  "mpeg",
  "mpg",
  "wmv",
  "three_gp",
];

const hex = (bytes: Uint8Array) =>
  Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, "0").toUpperCase()).join(" ");

/**
 * The format to send: the caller's, checked against Bedrock's list; else the bytes' magic numbers; else the
 * S3 key's extension or the data: URL's type. Throws MediaFormatError listing what was tried.
 */
function resolveFormat<F extends string>(
  media: MediaKind,
  allowed: readonly F[],
  given: F | undefined,
  read: Omit<ReadSource, "wire">,
  sniff: (bytes: Uint8Array, hint?: string) => F | undefined,
  sniffLength?: number,
): F {
  const list = allowed.join(", ");
  if (given !== undefined) {
    if (allowed.includes(given)) return given;
    throw new MediaFormatError(media, "format", `${JSON.stringify(given)} is not one of ${list}`);
  }
  const tried: string[] = [];
  const hint = read.hint !== undefined && allowed.includes(read.hint as F) ? (read.hint as F) : undefined;
  if (read.bytes) {
    const head = read.bytes(sniffLength);
    const found = sniff(head, hint);
    if (found) return found;
    tried.push(`the bytes' magic numbers (they start ${hex(head)})`);
  }
  if (hint) return hint;
  if (read.hintFrom) tried.push(read.hint ? `${read.hintFrom}, which is not one of them` : read.hintFrom);
  throw new MediaFormatError(
    media,
    "format",
    `could not infer it from ${tried.join(" or ")}; pass the format, one of ${list}`,
  );
}

// ---- content blocks ----

/** An image content block: `{ image: { format, source } }`, bytes as base64. */
export function imageBlock(source: MediaSource, format?: ImageFormat): { image: ImageBlock } {
  const read = readSource("image", source);
  const resolved = resolveFormat("image", IMAGE_FORMATS, format, read, detectImageFormat, 64);
  return { image: { format: resolved, source: read.wire } };
}

/** A video content block: `{ video: { format, source } }`, bytes as base64. */
export function videoBlock(source: MediaSource, format?: VideoFormat): { video: VideoBlock } {
  const read = readSource("video", source);
  const resolved = resolveFormat("video", VIDEO_FORMATS, format, read, detectVideoFormat, 64);
  return { video: { format: resolved, source: read.wire } };
}

export interface DocumentOptions {
  /** Shown to the model. Letters, digits, single spaces, hyphens, parentheses and square brackets only. */
  name: string;
  format?: DocumentFormat;
  /** A file name or extension that helps inference: doc vs xls, csv / md vs plain text. */
  fileName?: string;
  /** Let the model cite this document (`citations: { enabled: true }` on the wire). */
  citations?: boolean | CitationsConfig;
  /** How the model should read the document when it cites it. */
  context?: string;
}

// Bedrock's rule for document names; "no more than one whitespace in a row" is checked apart.
const DOCUMENT_NAME = /^[\p{L}\p{N}\s()[\]-]+$/u;

function checkDocumentName(name: unknown): string {
  const rule = "letters, digits, hyphens, parentheses, square brackets and single spaces";
  if (typeof name !== "string" || name.length === 0) {
    throw new MediaFormatError("document", "name", `a document needs a name (${rule})`);
  }
  const shown = JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}...` : name);
  if (name.length > 200)
    throw new MediaFormatError("document", "name", `${shown} is longer than 200 characters`);
  if (/\s\s/.test(name)) {
    throw new MediaFormatError(
      "document",
      "name",
      `${shown} has whitespace twice in a row; Bedrock allows ${rule}`,
    );
  }
  if (!DOCUMENT_NAME.test(name)) {
    const bad = [...name].find((c) => !DOCUMENT_NAME.test(c))!;
    const tip = bad === "." ? ` (a file extension? use ${JSON.stringify(name.replace(/\.[^.]*$/, ""))})` : "";
    throw new MediaFormatError(
      "document",
      "name",
      `${shown} contains ${JSON.stringify(bad)}${tip}; Bedrock allows only ${rule}`,
    );
  }
  return name;
}

/**
 * A document content block. `source` may also be `{ text }` for a plain-text document (format defaults to
 * "txt"). The name is checked against Bedrock's rules here, so a bad one fails before any request.
 */
export function documentBlock(
  source: MediaSource | { text: string },
  options: DocumentOptions,
): { document: DocumentBlock } {
  const name = checkDocumentName(options?.name);
  let format: DocumentFormat;
  let wire: DocumentSource;
  if (source && typeof source === "object" && typeof (source as { text?: unknown }).text === "string") {
    wire = { text: (source as { text: string }).text };
    const fromName = options.fileName === undefined ? undefined : formatFromName(options.fileName);
    const hint = fromName && DOCUMENT_FORMATS.includes(fromName as DocumentFormat) ? fromName : "txt";
    format = resolveFormat("document", DOCUMENT_FORMATS, options.format, { hint }, () => undefined);
  } else {
    const read = readSource("document", source as MediaSource);
    if (options.fileName !== undefined) {
      read.hint = formatFromName(options.fileName) ?? read.hint;
      read.hintFrom = `the file name ${JSON.stringify(options.fileName)}`;
    }
    format = resolveFormat("document", DOCUMENT_FORMATS, options.format, read, detectDocumentFormat);
    wire = read.wire;
  }
  const document: DocumentBlock = { format, name, source: wire };
  if (options.context !== undefined) document.context = options.context;
  if (options.citations !== undefined) {
    document.citations =
      typeof options.citations === "boolean" ? { enabled: options.citations } : options.citations;
  }
  return { document };
}

// ---- cache points and guarded content ----

/** A prompt-cache checkpoint: everything before it (system, messages or tools) is cached. */
export function cachePoint(ttl?: CacheTTL): { cachePoint: { type: "default"; ttl?: CacheTTL } } {
  if (ttl !== undefined && ttl !== "5m" && ttl !== "1h")
    throw new RequestError("cachePoint.ttl", 'expected "5m" or "1h"');
  return { cachePoint: ttl === undefined ? { type: "default" } : { type: "default", ttl } };
}

/**
 * Content a guardrail evaluates (in system or a user turn): text, or an image (png/jpeg). Qualifiers mark the
 * text's role for contextual grounding: `grounding_source`, `query`, `guard_content`.
 */
export function guardContent(
  content: string | { image: MediaSource; format?: "png" | "jpeg" },
  qualifiers?: GuardrailConverseContentQualifier[],
): { guardContent: Record<string, unknown> } {
  if (typeof content === "string") {
    return { guardContent: { text: { text: content, ...(qualifiers && { qualifiers }) } } };
  }
  const { image } = imageBlock(content.image, content.format);
  if (image.format !== "png" && image.format !== "jpeg") {
    throw new RequestError(
      "guardContent.image.format",
      `guardrails take png or jpeg images, got ${image.format}`,
    );
  }
  return { guardContent: { image } };
}
