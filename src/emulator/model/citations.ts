import type { CitationsContentBlock, ConverseRequest } from "../../types/index.ts";
import { documents, documentText } from "./conversation.ts";

// Document citations: with a `document` block that has citations enabled, the answer quotes the
// sentence of the document that best matches the prompt and cites its character range, as a
// citationsContent block (streamed as a citation delta followed by text deltas, as recorded from AWS).

export function citableDocuments(request: ConverseRequest) {
  return documents(request).filter(({ doc }) => doc.citations?.enabled === true);
}

export function citationAnswer(request: ConverseRequest, prompt: string): CitationsContentBlock | undefined {
  const [first] = citableDocuments(request);
  if (!first) return undefined;
  const { index, doc } = first;
  const text = documentText(doc);
  if (text === undefined || text.trim() === "") {
    return {
      content: [{ text: `The answer is in ${doc.name}.` }],
      citations: [
        {
          title: doc.name,
          sourceContent: [],
          location: { documentPage: { documentIndex: index, start: 1, end: 2 } },
        },
      ],
    };
  }
  const sentence = bestSentence(text, prompt);
  return {
    content: [{ text: sentence.text }],
    citations: [
      {
        title: doc.name,
        sourceContent: [{ text: sentence.text }],
        location: { documentChar: { documentIndex: index, start: sentence.start, end: sentence.end } },
      },
    ],
  };
}

/** The sentence sharing the most words with the prompt (the first on ties), with its character range. */
function bestSentence(text: string, prompt: string): { text: string; start: number; end: number } {
  const promptWords = new Set(prompt.toLowerCase().match(/\p{L}{3,}/gu) ?? []);
  let best = { text: "", start: 0, end: 0 };
  let bestScore = -1;
  for (const match of text.matchAll(/[^.!?\n]+[.!?]*/g)) {
    const raw = match[0];
    const lead = raw.length - raw.trimStart().length;
    const sentence = raw.trim();
    if (sentence === "") continue;
    const score = (sentence.toLowerCase().match(/\p{L}{3,}/gu) ?? []).filter((w) =>
      promptWords.has(w),
    ).length;
    if (score > bestScore) {
      bestScore = score;
      const start = (match.index ?? 0) + lead;
      best = { text: sentence, start, end: start + sentence.length };
    }
  }
  return best;
}
