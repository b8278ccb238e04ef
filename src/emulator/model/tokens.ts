// A deterministic stand-in for a tokenizer: a token is a word (long words split every 10 characters) or
// one punctuation mark, with the whitespace before it. Joining the tokens gives back the text exactly,
// so output can be truncated and streamed at token boundaries.

const TOKEN = /\s*(?:[\p{L}\p{N}_']{1,10}|[^\s\p{L}\p{N}_'])|\s+$/gu;

export function splitTokens(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

export function countTokens(text: string): number {
  let n = 0;
  TOKEN.lastIndex = 0;
  while (TOKEN.exec(text)) n++;
  return n;
}

/** The first `max` tokens of `text`, and whether anything was cut. */
export function truncateTokens(text: string, max: number): { text: string; cut: boolean } {
  const tokens = splitTokens(text);
  if (tokens.length <= max) return { text, cut: false };
  return { text: tokens.slice(0, max).join(""), cut: true };
}
