// Base64 for JSON blobs without Buffer: the runtime's Uint8Array.toBase64/fromBase64 where present,
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
