// Reading a media source (bytes, base64 text, a data: URL, an S3 URI or location) into its wire form, with the
// hints format inference may use (the S3 key's extension, the data: URL's type).
import { MediaFormatError, type MediaKind } from "../errors/index.ts";
import type { S3Location } from "../types/index.ts";
import { base64ToBytes, bytesToBase64, normalizeBase64 } from "./bytes.ts";
import { formatFromMime, formatFromName } from "./sniff.ts";

/** Raw bytes, base64 text, a `data:` URL, an `s3://bucket/key` URI, or an S3 object (another account's bucket). */
export type MediaSource = Uint8Array | ArrayBuffer | string | { s3: string; bucketOwner?: string };

/** A source read into its wire form, with what format inference may use. */
export interface ReadSource {
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

export function readSource(media: MediaKind, source: MediaSource): ReadSource {
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
