import { findExpression, formatNumber } from "./arithmetic.ts";

// The built-in model's text answer to a prompt: arithmetic gets its result, "N words" gets N words
// (handy for long streams), anything else is echoed back in a fixed sentence.

const WORDS =
  "the quick brown fox jumps over a lazy dog while seven bright stars watch quietly from an old blue sky".split(
    " ",
  );
const MAX_WORDS = 20_000;
const MAX_ECHO = 2_000;

export function answerText(prompt: string): string {
  if (prompt === "") return "You sent no text. This is a deterministic reply from the bedrock-edge emulator.";
  const math = findExpression(prompt);
  if (math) return `${math.expression} = ${formatNumber(math.value)}.`;
  const count = /\b(\d{1,6})\s+words\b/i.exec(prompt);
  if (count) return wordsText(Math.min(Number(count[1]), MAX_WORDS));
  const echo = prompt.length > MAX_ECHO ? `${prompt.slice(0, MAX_ECHO)}...` : prompt;
  return `You said: "${echo}". This is a deterministic reply from the bedrock-edge emulator.`;
}

function wordsText(count: number): string {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const word = WORDS[i % WORDS.length];
    out.push(i === 0 ? word[0].toUpperCase() + word.slice(1) : word);
  }
  return `${out.join(" ")}.`;
}
