import type { InputMessage } from "../../request/messages.ts";
import { isObject } from "../../types/json.ts";
import { type ConfigInput, planCall, resolved } from "../create.ts";
import type { RequestOptions } from "../options.ts";
import { callJson, shapeError } from "./plan.ts";

/** What CountTokens answers: the tokens the input would take, as the model bills them. */
export interface CountTokensResult {
  inputTokens: number;
}

/** The Converse request members CountTokens takes (`input.converse`); the others are not counted. */
const COUNTED = ["messages", "system", "toolConfig", "additionalModelRequestFields"] as const;

/**
 * Counts the input tokens of a Converse request without running the model (CountTokens,
 * `POST /model/{modelId}/count-tokens`). The messages and options are those of `request`, built by the same
 * request builder, so what is counted is what would be sent.
 */
export async function countTokens(
  config: ConfigInput,
  messages: readonly InputMessage[],
  options: RequestOptions = {},
): Promise<CountTokensResult> {
  const plan = planCall(resolved(config), messages, { ...options, stream: false });
  const converse: Record<string, unknown> = {};
  for (const key of COUNTED) if (plan.body[key] !== undefined) converse[key] = plan.body[key];
  plan.url = plan.url.replace(/\/converse$/, "/count-tokens");
  plan.body = { input: { converse } };
  const answer = await callJson(plan);
  const json = answer.json;
  if (!isObject(json) || typeof json.inputTokens !== "number")
    throw shapeError("no numeric inputTokens", answer);
  return { inputTokens: json.inputTokens };
}
