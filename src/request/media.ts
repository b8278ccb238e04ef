// Image, document and video content blocks from bytes, base64, data: URLs or S3 URIs, with the format
// inferred from the bytes' magic numbers (or the S3 key's extension) when the caller does not give it.
import { MediaFormatError, type MediaKind } from "../errors/index.ts";
import type {
  CitationsConfig,
  DocumentBlock,
  DocumentFormat,
  DocumentSource,
  ImageBlock,
  ImageFormat,
  S3Location,
  VideoBlock,
  VideoFormat,
} from "../types/index.ts";
import { base64ToBytes, bytesToBase64, normalizeBase64 } from "./base64.ts";

export { MediaFormatError, type MediaKind };

/** Raw bytes, base64 text, a `data:` URL, an `s3://bucket/key` URI, or an S3 object (another account's bucket). */
export type MediaSource = Uint8Array | ArrayBuffer | string | { s3: string; bucketOwner?: string };

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

/** File extensions (and MIME subtypes, through MIME_ALIASES) to formats, for S3 keys and data: URLs. */
const EXTENSIONS: Record<string, string> = {
  jpg: "jpeg",
  htm: "html",
  markdown: "md",
  text: "txt",
  m4v: "mp4",
  qt: "mov",
  "3gp": "three_gp",
  "3g2": "three_gp",
};
const MIME_ALIASES: Record<string, string> = {
  plain: "txt",
  msword: "doc",
  "vnd.ms-excel": "xls",
  "vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
  "vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
  quicktime: "mov",
  "x-matroska": "mkv",
  "x-flv": "flv",
  "x-ms-wmv": "wmv",
  "3gpp": "three_gp",
  "3gpp2": "three_gp",
};

const formatFromName = (name: string) => {
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  return ext && (EXTENSIONS[ext] ?? ext);
};
const formatFromMime = (mime: string) => {
  const sub = mime.split("/")[1]?.toLowerCase() ?? "";
  return MIME_ALIASES[sub] ?? EXTENSIONS[sub] ?? sub;
};

// ---- magic numbers ----

const startsWith = (bytes: Uint8Array, magic: readonly number[], at = 0) =>
  bytes.length >= at + magic.length && magic.every((b, i) => bytes[at + i] === b);
const ascii = (bytes: Uint8Array, from: number, to: number) =>
  String.fromCharCode(...bytes.subarray(from, Math.min(to, bytes.length)));

/** PNG, JPEG, GIF or WebP from the first bytes; undefined for anything else. */
export function detectImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "png";
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "jpeg";
  const head = ascii(bytes, 0, 12);
  if (head.startsWith("GIF87a") || head.startsWith("GIF89a")) return "gif";
  if (head.startsWith("RIFF") && head.slice(8) === "WEBP") return "webp";
  return undefined;
}

/** A video format from the container's magic numbers; undefined when not one Bedrock lists. */
export function detectVideoFormat(bytes: Uint8Array): VideoFormat | undefined {
  const box = ascii(bytes, 4, 12);
  if (box.startsWith("ftyp")) {
    // ISO base media: the major brand says QuickTime, 3GPP or (any other brand) MP4.
    const brand = box.slice(4);
    if (brand === "qt  ") return "mov";
    if (brand.startsWith("3g")) return "three_gp";
    return "mp4";
  }
  // Old QuickTime files start with a movie atom instead of ftyp.
  if (["moov", "mdat", "wide", "free", "pnot"].includes(box.slice(0, 4))) return "mov";
  if (startsWith(bytes, [0x1a, 0x45, 0xdf, 0xa3])) {
    // EBML: the DocType element near the start says "webm" or "matroska".
    return ascii(bytes, 4, 64).includes("webm") ? "webm" : "mkv";
  }
  if (ascii(bytes, 0, 3) === "FLV") return "flv";
  if (startsWith(bytes, [0x00, 0x00, 0x01, 0xba]) || startsWith(bytes, [0x00, 0x00, 0x01, 0xb3]))
    return "mpeg";
  if (startsWith(bytes, [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11])) return "wmv";
  return undefined;
}

const u16 = (b: Uint8Array, at: number) => b[at] | (b[at + 1] << 8);
const u32 = (b: Uint8Array, at: number) => (u16(b, at) | (u16(b, at + 2) << 16)) >>> 0;

/** Entry names of a zip: from the central directory at the end, else by walking the local headers. */
function zipEntryNames(bytes: Uint8Array): string[] {
  const names: string[] = [];
  for (let eocd = bytes.length - 22; eocd >= Math.max(0, bytes.length - 22 - 0xffff); eocd--) {
    if (u32(bytes, eocd) !== 0x06054b50) continue;
    let at = u32(bytes, eocd + 16);
    for (let n = u16(bytes, eocd + 10); n > 0 && u32(bytes, at) === 0x02014b50; n--) {
      const nameLength = u16(bytes, at + 28);
      names.push(ascii(bytes, at + 46, at + 46 + nameLength));
      at += 46 + nameLength + u16(bytes, at + 30) + u16(bytes, at + 32);
    }
    if (names.length > 0) return names;
    break;
  }
  // No central directory (truncated or zip64): the local headers, until one hides its size in a data descriptor.
  for (let at = 0; at + 30 <= bytes.length && u32(bytes, at) === 0x04034b50; ) {
    const nameLength = u16(bytes, at + 26);
    names.push(ascii(bytes, at + 30, at + 30 + nameLength));
    const size = u32(bytes, at + 18);
    if (size === 0 && u16(bytes, at + 6) & 0x08) break;
    at += 30 + nameLength + u16(bytes, at + 28) + size;
  }
  return names;
}

/** Whether an OLE2 compound file has a stream of this name: directory entries are 128-byte aligned. */
function hasOleStream(bytes: Uint8Array, name: string): boolean {
  const size = (name.length + 1) * 2;
  for (let at = 512; at + 128 <= bytes.length; at += 128) {
    if (u16(bytes, at + 64) !== size || bytes[at + 66] !== 2) continue;
    let i = 0;
    while (i < name.length && u16(bytes, at + i * 2) === name.charCodeAt(i)) i++;
    if (i === name.length) return true;
  }
  return false;
}

/** Text if the first 4 KB are UTF-8 without NULs or other control bytes (tab, line breaks, form feed allowed). */
function looksLikeText(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 4096);
  if (head.length === 0) return false;
  for (const b of head) if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) return false;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(head, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * A document format from the bytes. `nameHint` (a file name or extension) settles what bytes cannot:
 * doc vs xls when the compound file's streams are not found, and csv / md / html vs plain text.
 */
export function detectDocumentFormat(bytes: Uint8Array, nameHint?: string): DocumentFormat | undefined {
  const hint = nameHint === undefined ? undefined : (formatFromName(nameHint) ?? nameHint.toLowerCase());
  if (ascii(bytes, 0, 1024).includes("%PDF-")) return "pdf";
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) {
    const names = zipEntryNames(bytes);
    if (names.some((n) => n.startsWith("word/"))) return "docx";
    if (names.some((n) => n.startsWith("xl/"))) return "xlsx";
    return undefined;
  }
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) {
    if (hasOleStream(bytes, "WordDocument")) return "doc";
    if (hasOleStream(bytes, "Workbook") || hasOleStream(bytes, "Book")) return "xls";
    return hint === "doc" || hint === "xls" ? hint : undefined;
  }
  if (!looksLikeText(bytes)) return undefined;
  const start = ascii(bytes, 0, 64)
    .replace(/^\u00ef\u00bb\u00bf/, "")
    .trimStart()
    .toLowerCase();
  if (start.startsWith("<!doctype html") || start.startsWith("<html")) return "html";
  return hint === "csv" || hint === "md" || hint === "html" ? hint : "txt";
}

// ---- sources ----

/** A source read into its wire form, with what format inference may use. */
interface ReadSource {
  wire: { bytes: string } | { s3Location: S3Location };
  /** The first `length` bytes (all when omitted), decoded on demand. */
  bytes?: (length?: number) => Uint8Array;
  /** A format named by the S3 key's extension or the data: URL's media type. */
  hint?: string;
  hintFrom?: string;
}

const S3_URI = /^s3:\/\/[a-z0-9][.\-a-z0-9]{1,61}[a-z0-9](\/.*)?$/;

function s3Source(media: MediaKind, uri: string, bucketOwner?: string): ReadSource {
  if (!S3_URI.test(uri)) {
    throw new MediaFormatError(
      media,
      "source",
      `${JSON.stringify(uri)} is not an S3 URI like s3://bucket/key`,
    );
  }
  if (bucketOwner !== undefined && !/^[0-9]{12}$/.test(bucketOwner)) {
    throw new MediaFormatError(media, "source", "bucketOwner must be a 12-digit AWS account id");
  }
  const key = uri.slice(uri.indexOf("/", 5) + 1);
  return {
    wire: { s3Location: bucketOwner === undefined ? { uri } : { uri, bucketOwner } },
    hint: formatFromName(key),
    hintFrom: `the S3 key's extension (${JSON.stringify(key)})`,
  };
}

function base64Source(media: MediaKind, text: string, what: string): ReadSource {
  let b64: string;
  try {
    b64 = normalizeBase64(text);
  } catch (err) {
    throw new MediaFormatError(
      media,
      "source",
      `${what} is ${(err as Error).message}; a string source must be base64, a data: URL or an s3:// URI`,
    );
  }
  if (b64.length === 0) throw new MediaFormatError(media, "source", `${what} is empty`);
  // A prefix of whole 4-character groups decodes on its own, so sniffing a header needs no full decode.
  return {
    wire: { bytes: b64 },
    bytes: (length) => base64ToBytes(length === undefined ? b64 : b64.slice(0, Math.ceil(length / 3) * 4)),
  };
}

function bytesSource(media: MediaKind, bytes: Uint8Array): ReadSource {
  if (bytes.length === 0) throw new MediaFormatError(media, "source", "the bytes are empty");
  return { wire: { bytes: bytesToBase64(bytes) }, bytes: () => bytes };
}

function readSource(media: MediaKind, source: MediaSource): ReadSource {
  // isView / toString tags rather than instanceof alone: bytes may come from another realm (iframe, vm).
  if (ArrayBuffer.isView(source)) {
    return bytesSource(media, new Uint8Array(source.buffer, source.byteOffset, source.byteLength));
  }
  if (source instanceof ArrayBuffer || Object.prototype.toString.call(source) === "[object ArrayBuffer]") {
    return bytesSource(media, new Uint8Array(source as ArrayBuffer));
  }
  if (typeof source === "string") {
    if (source.startsWith("s3://")) return s3Source(media, source);
    if (!source.startsWith("data:")) return base64Source(media, source, "the string");
    const comma = source.indexOf(",");
    if (comma < 0) throw new MediaFormatError(media, "source", "the data: URL has no comma before its data");
    const params = source.slice(5, comma).split(";");
    const mime = params[0];
    const read = params.includes("base64")
      ? base64Source(media, source.slice(comma + 1), "the data: URL's data")
      : bytesSource(media, dataUrlText(media, source.slice(comma + 1)));
    return mime ? { ...read, hint: formatFromMime(mime), hintFrom: `the data: URL's type ${mime}` } : read;
  }
  if (source && typeof source === "object" && typeof (source as { s3?: unknown }).s3 === "string") {
    const { s3, bucketOwner } = source as { s3: string; bucketOwner?: string };
    return s3Source(media, s3, bucketOwner);
  }
  throw new MediaFormatError(
    media,
    "source",
    `expected bytes (Uint8Array or ArrayBuffer), base64 text, a data: URL, or an S3 location, got ${describeValue(source)}`,
  );
}

/** The percent-encoded payload of a non-base64 data: URL, as UTF-8 bytes. */
function dataUrlText(media: MediaKind, payload: string): Uint8Array {
  try {
    return new TextEncoder().encode(decodeURIComponent(payload));
  } catch {
    throw new MediaFormatError(media, "source", "the data: URL's data has a malformed %-escape");
  }
}

const describeValue = (value: unknown) =>
  value === null
    ? "null"
    : Array.isArray(value)
      ? "an array"
      : typeof value === "object"
        ? "an object"
        : typeof value;

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
