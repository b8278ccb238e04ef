// Byte helpers shared by the request builders: base64 for JSON blobs, and small readers for magic numbers.
//
// Base64 without Buffer: the runtime's Uint8Array.toBase64/fromBase64 where present,
// else btoa/atob on chunks (one String.fromCharCode call per chunk keeps the argument list within limits).

/** Bytes per btoa call: a multiple of 3, so chunk outputs join without padding in between. */
const CHUNK = 3 * 8192;

type WithNativeBase64 = Uint8Array & { toBase64?: () => string };
type Uint8ArrayCtor = typeof Uint8Array & { fromBase64?: (text: string) => Uint8Array };

/** Standard base64 (RFC 4648 section 4, with padding), as AWS expects for `blob` members in JSON. */
export function bytesToBase64(bytes: Uint8Array): string {
  const native = (bytes as WithNativeBase64).toBase64;
  if (native) return native.call(bytes);
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += CHUNK) {
    parts.push(btoa(String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[])));
  }
  return parts.join("");
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Checks base64 text and returns it in the standard alphabet with padding, ready for the wire: whitespace
 * (line breaks in MIME base64) is removed and base64url (`-`, `_`) is converted. Throws a TypeError that says
 * what is wrong and where.
 */
export function normalizeBase64(text: string): string {
  let b64 = /[\s\-_]/.test(text) ? text.replace(/\s+/g, "").replace(/-/g, "+").replace(/_/g, "/") : text;
  if (!BASE64.test(b64)) {
    const at = b64.search(/[^A-Za-z0-9+/=]/);
    const bad = at >= 0 ? at : b64.indexOf("=");
    throw new TypeError(
      at >= 0
        ? `not base64: character ${JSON.stringify(b64[bad])} at index ${bad}`
        : `not base64: "=" at index ${bad} is padding in the wrong place or too much of it`,
    );
  }
  const unpadded = b64.replace(/=+$/, "").length;
  if (unpadded % 4 === 1) throw new TypeError(`not base64: ${unpadded} characters is not a valid length`);
  if (b64.length % 4 !== 0) {
    if (b64.length !== unpadded) throw new TypeError('not base64: wrong amount of "=" padding');
    b64 += "=".repeat(4 - (b64.length % 4));
  }
  return b64;
}

/** Decodes base64 or base64url text (whitespace and missing padding allowed); TypeError if it is not base64. */
export function base64ToBytes(text: string): Uint8Array {
  const b64 = normalizeBase64(text);
  const native = (Uint8Array as Uint8ArrayCtor).fromBase64;
  if (native) return native(b64);
  const binary = atob(b64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

// ---- reading bytes ----

/** Do `bytes` hold `magic` at `at`? */
export const startsWith = (bytes: Uint8Array, magic: readonly number[], at = 0) =>
  bytes.length >= at + magic.length && magic.every((b, i) => bytes[at + i] === b);
/** `bytes[from..to)` as Latin-1 text (for magic strings). */
export const ascii = (bytes: Uint8Array, from: number, to: number) =>
  String.fromCharCode(...bytes.subarray(from, Math.min(to, bytes.length)));

/** Little-endian unsigned 16 and 32-bit reads. */
export const u16 = (b: Uint8Array, at: number) => b[at] | (b[at + 1] << 8);
export const u32 = (b: Uint8Array, at: number) => (u16(b, at) | (u16(b, at + 2) << 16)) >>> 0;

/** Raw bytes from another realm too (iframe, vm): isView / toString tags rather than instanceof alone. */
export const isBytes = (v: unknown): v is Uint8Array | ArrayBuffer =>
  ArrayBuffer.isView(v) ||
  v instanceof ArrayBuffer ||
  Object.prototype.toString.call(v) === "[object ArrayBuffer]";

/** A Uint8Array over a view's or a buffer's bytes (no copy). */
export const bytesOf = (v: ArrayBuffer | ArrayBufferView): Uint8Array =>
  ArrayBuffer.isView(v) ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : new Uint8Array(v);
