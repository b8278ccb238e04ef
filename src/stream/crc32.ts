// CRC-32 (IEEE), slicing-by-16. Checking every frame's CRCs is the decoder's hottest loop: measured on Node 20
// over the 22,012 frames of a 4.76 MB stream, slicing-by-8 takes 4.3 ms, by-16 3.8 ms, by-16 with 32-bit reads
// through a shared DataView 3.0 ms.
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

/**
 * CRC-32 of `bytes[start..end)`, continuing from `previous` (the CRC of the bytes before `start`). `view` is a
 * DataView of `bytes`: word reads through one shared view are ~20% faster than byte reads (a new view per call
 * costs more than it saves, so the decoder passes one per chunk).
 */
export function crc32(
  bytes: Uint8Array,
  start: number,
  end: number,
  previous = 0,
  view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length),
): number {
  const t = TABLE;
  let crc = ~previous;
  let i = start;
  for (; i + 16 <= end; i += 16) {
    crc ^= view.getInt32(i, true);
    const a = view.getInt32(i + 4, true);
    const b = view.getInt32(i + 8, true);
    const c = view.getInt32(i + 12, true);
    crc =
      t[3840 + (crc & 0xff)] ^
      t[3584 + ((crc >>> 8) & 0xff)] ^
      t[3328 + ((crc >>> 16) & 0xff)] ^
      t[3072 + (crc >>> 24)] ^
      t[2816 + (a & 0xff)] ^
      t[2560 + ((a >>> 8) & 0xff)] ^
      t[2304 + ((a >>> 16) & 0xff)] ^
      t[2048 + (a >>> 24)] ^
      t[1792 + (b & 0xff)] ^
      t[1536 + ((b >>> 8) & 0xff)] ^
      t[1280 + ((b >>> 16) & 0xff)] ^
      t[1024 + (b >>> 24)] ^
      t[768 + (c & 0xff)] ^
      t[512 + ((c >>> 8) & 0xff)] ^
      t[256 + ((c >>> 16) & 0xff)] ^
      t[c >>> 24];
  }
  // An 8-byte step before the byte loop: frames end anywhere, and Bedrock's are small (~200 bytes).
  for (; i + 8 <= end; i += 8) {
    crc ^= view.getInt32(i, true);
    const a = view.getInt32(i + 4, true);
    crc =
      t[1792 + (crc & 0xff)] ^
      t[1536 + ((crc >>> 8) & 0xff)] ^
      t[1280 + ((crc >>> 16) & 0xff)] ^
      t[1024 + (crc >>> 24)] ^
      t[768 + (a & 0xff)] ^
      t[512 + ((a >>> 8) & 0xff)] ^
      t[256 + ((a >>> 16) & 0xff)] ^
      t[a >>> 24];
  }
  for (; i < end; i++) crc = t[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}
