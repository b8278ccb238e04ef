let decoder: TextDecoder | undefined;

/**
 * UTF-8 to string, through one shared TextDecoder made on first use: constructing one at import costs ~1.5 ms
 * of cold start on Node (bench/run.mjs, the import-time table).
 */
export function utf8Decode(bytes: Uint8Array): string {
  decoder ??= new TextDecoder();
  return decoder.decode(bytes);
}
