// The `reasoning` option as each model family's own fields in additionalModelRequestFields: Claude's thinking
// and effort, Amazon Nova 2's reasoningConfig, OpenAI-compatible models' reasoning_effort.
import { RequestError } from "../errors/index.ts";
import { checkKeys, deepMerge, isPlainObject } from "./objects.ts";

export interface ReasoningOption {
  /** Token budget for extended thinking (Claude): sent as `thinking: {type: "enabled", budget_tokens}`. */
  budgetTokens?: number;
  /** `adaptive` for models that decide their own budget (Claude): `thinking: {type: "adaptive"}`. */
  type?: "enabled" | "adaptive";
  /**
   * Reasoning effort. Claude (the default format) as `output_config: {effort}` in the model's own fields, where
   * `xhigh` and `max` exist on the models that list them; Amazon Nova 2 as
   * `reasoningConfig: {type: "enabled", maxReasoningEffort}`, OpenAI gpt-oss as `reasoning_effort` (low, medium,
   * high).
   */
  effort?: "low" | "medium" | "high" | "xhigh" | "max";
  /** Which model family's field to write; default "anthropic" (`thinking`). */
  format?: "anthropic" | "nova" | "openai";
}

const EFFORTS = ["low", "medium", "high"];
// Anthropic's effort levels (platform.claude.com/docs/en/build-with-claude/effort: `output_config.effort`, "low" to
// "max", "high" the default; xhigh and max only on the models that list them). On Bedrock the field goes in
// additionalModelRequestFields next to `thinking` (see the inspect_ai report of the Converse request for
// us.anthropic.claude-opus-4-7: additionalModelRequestFields {thinking: {type: "adaptive"}, output_config: {effort}}).
const CLAUDE_EFFORTS = [...EFFORTS, "xhigh", "max"];

/** The model's own reasoning fields, in `additionalModelRequestFields` (each family names them differently). */
export function reasoningFields(r: ReasoningOption | "adaptive", path: string): Record<string, unknown> {
  const o: ReasoningOption = r === "adaptive" ? { type: "adaptive" } : r;
  if (!isPlainObject(o))
    throw new RequestError(path, 'expected {budgetTokens}, {effort, format} or "adaptive"');
  checkKeys(o as Record<string, unknown>, ["budgetTokens", "type", "effort", "format"], path);
  const format = o.format ?? "anthropic";
  const efforts = format === "anthropic" ? CLAUDE_EFFORTS : EFFORTS;
  if (o.effort !== undefined && !efforts.includes(o.effort)) {
    throw new RequestError(
      `${path}.effort`,
      `expected ${efforts.map((e) => JSON.stringify(e)).join(", ")}, got ${JSON.stringify(o.effort)}`,
    );
  }
  if (format === "nova" || format === "openai") {
    if (o.effort === undefined)
      throw new RequestError(
        `${path}.effort`,
        `format "${format}" takes an effort: "low", "medium" or "high"`,
      );
    if (o.budgetTokens !== undefined)
      throw new RequestError(
        `${path}.budgetTokens`,
        `format "${format}" takes an effort, not a token budget`,
      );
    return format === "nova"
      ? { reasoningConfig: { type: "enabled", maxReasoningEffort: o.effort } }
      : { reasoning_effort: o.effort };
  }
  if (format !== "anthropic") {
    throw new RequestError(
      `${path}.format`,
      `expected "anthropic", "nova" or "openai", got ${JSON.stringify(format)}`,
    );
  }
  // Claude: effort is its own field, with or without thinking (adaptive or a budget).
  const effort = o.effort === undefined ? {} : { output_config: { effort: o.effort } };
  if (o.type === "adaptive") return { thinking: { type: "adaptive" }, ...effort };
  if (typeof o.budgetTokens === "number" && Number.isInteger(o.budgetTokens) && o.budgetTokens > 0) {
    return { thinking: { type: "enabled", budget_tokens: o.budgetTokens }, ...effort };
  }
  if (o.budgetTokens === undefined && o.effort !== undefined) return effort;
  throw new RequestError(
    path,
    'expected {budgetTokens: positive integer}, "adaptive", {effort}, or {effort, format: "nova" | "openai"}',
  );
}

/** Merges the reasoning fields into the body's additionalModelRequestFields. */
export function applyReasoning(
  body: Record<string, any>,
  r: ReasoningOption | "adaptive",
  path: string,
): void {
  const fields = reasoningFields(r, path);
  const amrf = body.additionalModelRequestFields;
  body.additionalModelRequestFields = isPlainObject(amrf) ? deepMerge({ ...amrf }, fields) : fields;
}
