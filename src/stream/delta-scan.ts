// The fast path for the frames that make up nearly every response: text, tool-input and reasoning deltas in
// Bedrock's exact form are read in place (DeltaScanner) and their short ASCII strings decoded together
// (AsciiBatch), where the reference path (parse.ts: JSON.parse per frame) would allocate a payload object each.
// Whatever this does not recognise goes the reference way; the two agree (test/stream/latency.test.ts,
// test/stream/fast-path.test.ts). Bench case: bench/throughput.mjs, contender "bedrock-edge pipeline", shapes
// `text` and `mixed` (bench/streams.mjs), where these frames are nearly all of the body; each step's A/B is in
// docs/performance.md, "Second pass".
import { utf8Decode } from "./utf8.ts";

/** A fixed run of ASCII, as bytes and as the 32-bit words that cover most of it (little-endian). */
const pattern = (s: string) => {
  // Plain arrays, not typed arrays: once any ArrayBuffer has been detached (fetch and Web Streams do), V8
  // checks for detachment on every typed-array read, and these are read for every frame.
  const bytes = Array.from(s, (c) => c.charCodeAt(0));
  const view = new DataView(new Uint8Array(bytes).buffer);
  return { bytes, words: Array.from({ length: bytes.length >> 2 }, (_, k) => view.getInt32(4 * k, true)) };
};
/** Which delta a frame holds: the fixed bytes in front of its string. */
export type DeltaKind = ReturnType<typeof pattern>;
const INDEX = pattern('{"contentBlockIndex":');
const TEXT = pattern(',"delta":{"text":"');
const TOOL_INPUT = pattern(',"delta":{"toolUse":{"input":"');
const REASONING = pattern(',"delta":{"reasoningContent":{"text":"');
const PAD = pattern(',"p":"');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CLOSE = 0x7d;
const DIGIT_0 = 0x30;
/** At most 9 digits: the index stays a small integer, with no overflow check per digit. */
const MAX_INDEX_DIGITS = 9;

/** Does `p` occur at `bytes[at..]`, within `end`? Compared a 32-bit word at a time. */
const matches = (bytes: Uint8Array, view: DataView, at: number, end: number, p: DeltaKind) => {
  const { bytes: want, words } = p;
  if (at + want.length > end) return false;
  for (let w = 0; w < words.length; w++) if (view.getInt32(at + 4 * w, true) !== words[w]) return false;
  for (let k = words.length * 4; k < want.length; k++) if (bytes[at + k] !== want[k]) return false;
  return true;
};

/** Is one of these 4 bytes a control, `"` or `\` (what ends a plain run of JSON string content)? */
const special4 = (word: number) => {
  const quotes = word ^ 0x22222222;
  const backslashes = word ^ 0x5c5c5c5c;
  // Classic SWAR tests, exact for "some byte is": below 0x20, equal to `"`, equal to `\`.
  return (
    (((word - 0x20202020) & ~word) |
      ((quotes - 0x01010101) & ~quotes) |
      ((backslashes - 0x01010101) & ~backslashes)) &
    0x80808080
  );
};
const special = (c: number) => c < 0x20 || c === QUOTE || c === BACKSLASH;

/** The last special byte in `bytes[from..to)`, or `from - 1` (four bytes at a time: this skips the padding). */
function lastSpecial(bytes: Uint8Array, view: DataView, from: number, to: number): number {
  let k = to;
  while (k - 4 >= from && !special4(view.getInt32(k - 4))) k -= 4;
  while (--k >= from && !special(bytes[k]));
  return k;
}

/** The delta object of a kind the scanner read, with its string, as JSON.parse would give it. */
export const deltaOf = (kind: DeltaKind, text: string): Record<string, any> =>
  kind === TEXT
    ? { text }
    : kind === TOOL_INPUT
      ? { toolUse: { input: text } }
      : { reasoningContent: { text } };

/**
 * Reads text, tool-input and reasoning deltas in place. `scan` returns true and sets the fields when the
 * payload is exactly in Bedrock's form; they hold until the next scan. Each pipeline owns one scanner: the
 * hot path allocates nothing per frame for it.
 */
export class DeltaScanner {
  /** The delta's contentBlockIndex. */
  index = 0;
  /** Which delta it is (deltaOf turns it and the string into the delta object). */
  kind: DeltaKind = TEXT;
  /** Where the string's content is, `bytes[start..end)`, without its quotes and still JSON-escaped. */
  start = 0;
  end = 0;

  /**
   * Is the payload `bytes[from..to)` (`view` is a DataView of `bytes`) exactly
   * `{"contentBlockIndex":N,"delta":{...:"S"}[,"p":"PAD"]}`? The fixed parts are matched from the front and the
   * back; S is left for `text` (or AsciiBatch) to decode, and when it is not one JSON string that frame goes
   * through the reference path. Anything else (other key order, whitespace, more fields, escapes in PAD) is
   * false and goes through JSON.parse, which stays the reference: what this reads is what that path reads.
   */
  scan(bytes: Uint8Array, view: DataView, from: number, to: number): boolean {
    if (!matches(bytes, view, from, to, INDEX)) return false;
    let at = from + INDEX.bytes.length;
    // A JSON integer without leading zeros.
    let index = bytes[at++] - DIGIT_0;
    if (!(index >= 0 && index <= 9)) return false;
    if (index > 0) {
      const last = at + MAX_INDEX_DIGITS - 1;
      for (
        let digit = bytes[at] - DIGIT_0;
        digit >= 0 && digit <= 9 && at < last;
        digit = bytes[++at] - DIGIT_0
      )
        index = index * 10 + digit;
    }
    const kind = matches(bytes, view, at, to, TEXT)
      ? TEXT
      : matches(bytes, view, at, to, TOOL_INPUT)
        ? TOOL_INPUT
        : matches(bytes, view, at, to, REASONING)
          ? REASONING
          : undefined;
    if (!kind) return false;
    const start = at + kind.bytes.length;
    // From the back: the final `}`, the padding if any (no escapes or controls), the delta's closing braces.
    let back = to - 1;
    if (bytes[back--] !== CLOSE) return false;
    if (bytes[back] === QUOTE) {
      back = lastSpecial(bytes, view, start, back);
      if (bytes[back] !== QUOTE) return false;
      back -= PAD.bytes.length - 1;
      if (!matches(bytes, view, back, to, PAD)) return false;
      back--;
    }
    if (
      bytes[back--] !== CLOSE ||
      (kind !== TEXT && bytes[back--] !== CLOSE) ||
      bytes[back] !== QUOTE ||
      back < start
    )
      return false;
    this.index = index;
    this.kind = kind;
    this.start = start;
    this.end = back;
    return true;
  }

  /** Decodes the string the last scan found in `bytes`, or undefined when it is not one JSON string. */
  text(bytes: Uint8Array): string | undefined {
    const { start, end } = this;
    // Without escapes it is decoded as it is; with them, JSON.parse decodes them (and rejects what is not JSON).
    let k = start;
    while (k < end && !special(bytes[k])) k++;
    return k === end
      ? utf8Decode(bytes.subarray(start, end))
      : jsonString(utf8Decode(bytes.subarray(start - 1, end + 1)));
  }
}

/** A JSON string literal's value, or undefined when `json` is not exactly one JSON string. */
function jsonString(json: string): string | undefined {
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}

/** JSON's two-character escapes, by the character after the backslash (`\u` is left to JSON.parse). */
const UNESCAPE = /* @__PURE__ */ (() => {
  const table: number[] = [];
  for (let k = 0; k < 8; k++) table['"/\\bfnrt'.charCodeAt(k)] = '"/\\\b\f\n\r\t'.charCodeAt(k);
  return table;
})();

/** Strings longer than this are decoded alone: the batch stays small. */
const MAX_BATCHED_STRING = 4096;

/**
 * Gathers short ASCII strings from many frames into one buffer, decoded by one call: a TextDecoder call costs
 * 100-190 ns on Node however short its input, and most deltas are a few words (-15 to -21% on the
 * "bedrock-edge pipeline" bench, shape `text`: 27,000 short deltas). JSON escapes are decoded on the way in,
 * cheaper than JSON.parse per string: tool inputs are full of `\"` and `\n` (-6% on shape `tools`).
 */
export class AsciiBatch {
  private bytes = new Uint8Array(16384);
  private view = new DataView(this.bytes.buffer);
  /** Bytes gathered so far. */
  fill = 0;

  /**
   * Adds the content of the JSON string `input[from..to)` (`view` is a DataView of `input`), decoded, when it
   * is ASCII and holds only two-character escapes; returns its offset in the batch, or -1 (then decode it
   * alone: it may still be a valid string, or not one, which that path tells).
   */
  add(input: Uint8Array, view: DataView, from: number, to: number): number {
    const at = this.fill;
    if (at + to - from > this.bytes.length) {
      if (to - from > MAX_BATCHED_STRING) return -1;
      const bigger = new Uint8Array(2 * this.bytes.length + to - from);
      bigger.set(this.bytes.subarray(0, at));
      this.bytes = bigger;
      this.view = new DataView(bigger.buffer);
    }
    const out = this.bytes;
    const outView = this.view;
    let write = at;
    for (let read = from; read < to; ) {
      if (read + 4 <= to) {
        // Four bytes at a time up to the first one that is special or not ASCII (the lowest flagged byte of
        // these masks is exact; the bytes written past it are overwritten next).
        const word = view.getInt32(read, true);
        const flagged = (word & 0x80808080) | special4(word);
        outView.setInt32(write, word, true);
        const plain = flagged ? (31 - Math.clz32(flagged & -flagged)) >> 3 : 4;
        read += plain;
        write += plain;
        if (plain === 4) continue;
      }
      let c = input[read++];
      if (c === BACKSLASH && read < to) c = UNESCAPE[input[read++]] ?? -1;
      else if (special(c) || c > 0x7f) c = -1;
      if (c < 0) return -1;
      out[write++] = c;
    }
    this.fill = write;
    return at;
  }

  /** The batch as one string (character offsets are the byte offsets `add` returned); empties the batch. */
  take(): string {
    const text = this.fill ? utf8Decode(this.bytes.subarray(0, this.fill)) : "";
    this.fill = 0;
    return text;
  }
}
