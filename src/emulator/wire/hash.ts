// Small, fast, non-cryptographic hashing for deterministic ids, padding and cache keys.
// (crypto.subtle is async and overkill here; nothing security-relevant depends on these values.)

/** 53-bit string hash (cyrb53): stable across runtimes, good spread. */
export function hash53(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** `length` base64url characters derived from `text` (like AWS's `tooluse_...` suffixes). */
export function hashId(text: string, length: number): string {
  let out = "";
  for (let round = 0; out.length < length; round++) {
    let h = hash53(text, round);
    for (let i = 0; i < 8 && out.length < length; i++) {
      out += ID_ALPHABET[h % 64];
      h = Math.floor(h / 64);
    }
  }
  return out;
}

/** `length` bytes derived from `text`, for fake signatures and redacted reasoning. */
export function hashBytes(text: string, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i += 4) {
    const h = hash53(text, i);
    for (let j = 0; j < 4 && i + j < length; j++) bytes[i + j] = (h >>> (j * 8)) & 0xff;
  }
  return bytes;
}

export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
  return btoa(binary);
}
