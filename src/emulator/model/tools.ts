import type { ToolChoice, ToolConfiguration, ToolSpecification } from "../../types/index.ts";
import { findExpression } from "./arithmetic.ts";

// Decides whether the prompt asks for something one of the offered tools provides, by matching the
// tool's name parts and description keywords against the prompt's words.

const STOPWORDS = new Set(
  "a an and are as at be by can current do does for from get give how i in is it list look me my of on or please set show tell that the this to tool use using what when where which who will with you your".split(
    " ",
  ),
);
const MATH_TOOL = /calc|math|arithmetic|expression|evaluat|comput|multipl|add|sum/i;
const NAME_WEIGHT = 2;
const THRESHOLD = 2;

function words(text: string): string[] {
  return text
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 1 && !STOPWORDS.has(w))
    .map(stem);
}

// Enough stemming that "weather"/"forecasts"/"cities" meet "weather"/"forecast"/"city".
function stem(word: string): string {
  if (word.endsWith("ies") && word.length > 4) return `${word.slice(0, -3)}y`;
  if (word.endsWith("s") && !word.endsWith("ss") && word.length > 3) return word.slice(0, -1);
  return word;
}

export function scoreTool(prompt: string, spec: ToolSpecification): number {
  const promptWords = new Set(words(prompt));
  let score = 0;
  for (const part of new Set(words(spec.name))) if (promptWords.has(part)) score += NAME_WEIGHT;
  for (const word of new Set(words(spec.description ?? "")))
    if (word.length > 3 && promptWords.has(word)) score += 1;
  if (findExpression(prompt) && MATH_TOOL.test(`${spec.name} ${spec.description ?? ""}`)) score += THRESHOLD;
  return score;
}

/**
 * The tool to call, or undefined to answer in text. `auto` (the default) calls the best match if it
 * scores enough; `any` always calls one (the best match, else the first); `tool` calls the named one.
 */
export function chooseTool(
  prompt: string,
  config: ToolConfiguration | undefined,
): ToolSpecification | undefined {
  const specs = (config?.tools ?? []).flatMap((tool) => (tool.toolSpec ? [tool.toolSpec] : []));
  if (specs.length === 0) return undefined;
  const choice: ToolChoice | undefined = config?.toolChoice;
  if (choice?.tool) return specs.find((spec) => spec.name === choice.tool.name);
  let best: ToolSpecification | undefined;
  let bestScore = 0;
  for (const spec of specs) {
    const score = scoreTool(prompt, spec);
    if (score > bestScore) {
      best = spec;
      bestScore = score;
    }
  }
  if (choice?.any) return best ?? specs[0];
  return bestScore >= THRESHOLD ? best : undefined;
}
