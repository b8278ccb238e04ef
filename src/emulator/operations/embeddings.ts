import { hash53 } from "../hash.ts";

// Deterministic embeddings: hashed word and character-trigram features, each added with a hashed sign at a
// hashed position of the requested dimension. Texts that share words and word pieces share features, so they
// get closer vectors than unrelated texts: a retrieval example means something offline.

const WORD = 1;
const TRIGRAM = 0.5;

/** The vector of `text` (or of an image's base64 text) with `dimensions` entries; unit length when `normalize`. */
export function embedText(text: string, dimensions: number, normalize: boolean): number[] {
  const v = new Array<number>(dimensions).fill(0);
  const add = (feature: string, weight: number) => {
    const h = hash53(feature);
    v[h % dimensions] += (Math.floor(h / dimensions) % 2 ? 1 : -1) * weight;
  };
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    add(`w:${stem(word)}`, WORD);
    const padded = ` ${word} `;
    for (let i = 0; i + 3 <= padded.length; i++) add(`t:${padded.slice(i, i + 3)}`, TRIGRAM);
  }
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  if (norm === 0) {
    v[0] = 1;
    return v;
  }
  // Unnormalised vectors keep a length that grows with the text, as real models' do.
  const scale = normalize ? 1 / norm : 1 / Math.sqrt(dimensions);
  return v.map((x) => Math.round(x * scale * 1e6) / 1e6);
}

/** A crude English stem, so "cats" and "cat" share a word feature. */
function stem(word: string): string {
  return word.length > 4 ? word.replace(/(ing|ed|es|s)$/, "") : word;
}
