// CRC-32 (IEEE), slicing-by-16. Checking every frame's CRCs is the decoder's hottest loop: measured on Node 20
// over the 22,012 frames of a 4.76 MB stream, byte-at-a-time takes ~20 ms, slicing-by-8 4.3 ms, by-16 3.9 ms.
const TABLE = /* @__PURE__ */ (() => {
  const t = new Int32Array(4096);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    t[n] = c;
  }
  for (let k = 256; k < 4096; k++) t[k] = (t[k - 256] >>> 8) ^ t[t[k - 256] & 0xff];
  return t;
})();

/** CRC-32 of `bytes[start..end)`, continuing from `previous` (the CRC of the bytes before `start`). */
export function crc32(bytes: Uint8Array, start: number, end: number, previous = 0): number {
  const t = TABLE;
  let crc = ~previous;
  let i = start;
  for (; i + 16 <= end; i += 16) {
    crc ^= bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    crc =
      t[3840 + (crc & 0xff)] ^
      t[3584 + ((crc >>> 8) & 0xff)] ^
      t[3328 + ((crc >>> 16) & 0xff)] ^
      t[3072 + (crc >>> 24)] ^
      t[2816 + bytes[i + 4]] ^
      t[2560 + bytes[i + 5]] ^
      t[2304 + bytes[i + 6]] ^
      t[2048 + bytes[i + 7]] ^
      t[1792 + bytes[i + 8]] ^
      t[1536 + bytes[i + 9]] ^
      t[1280 + bytes[i + 10]] ^
      t[1024 + bytes[i + 11]] ^
      t[768 + bytes[i + 12]] ^
      t[512 + bytes[i + 13]] ^
      t[256 + bytes[i + 14]] ^
      t[bytes[i + 15]];
  }
  // An 8-byte step before the byte loop: frames end anywhere, and Bedrock's are small (~200 bytes).
  for (; i + 8 <= end; i += 8) {
    crc ^= bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    crc =
      t[1792 + (crc & 0xff)] ^
      t[1536 + ((crc >>> 8) & 0xff)] ^
      t[1280 + ((crc >>> 16) & 0xff)] ^
      t[1024 + (crc >>> 24)] ^
      t[768 + bytes[i + 4]] ^
      t[512 + bytes[i + 5]] ^
      t[256 + bytes[i + 6]] ^
      t[bytes[i + 7]];
  }
  for (; i < end; i++) crc = t[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}
