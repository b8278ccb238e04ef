// Media formats from what is known about the bytes: their magic numbers (images, video, audio, and documents,
// down to the entries of a zip and the streams of an OLE compound file), a file name or a MIME type.
import type { DocumentFormat, ImageFormat, VideoFormat } from "../types/index.ts";
import { ascii, startsWith, u16, u32 } from "./bytes.ts";

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

export const formatFromName = (name: string) => {
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  return ext && (EXTENSIONS[ext] ?? ext);
};
export const formatFromMime = (mime: string) => {
  const sub = mime.split("/")[1]?.toLowerCase() ?? "";
  return MIME_ALIASES[sub] ?? EXTENSIONS[sub] ?? sub;
};

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

/** The common audio containers from their first bytes (others: pass `format`). */
export function detectAudioFormat(bytes: Uint8Array): string | undefined {
  const head = String.fromCharCode(...bytes.subarray(0, 12));
  if (head.startsWith("RIFF") && head.slice(8) === "WAVE") return "wav";
  if (head.startsWith("fLaC")) return "flac";
  if (head.startsWith("OggS")) return "ogg";
  if (head.startsWith("ID3") || (bytes[0] === 0xff && (bytes[1] & 0xe6) === 0xe2)) return "mp3";
  return undefined;
}
