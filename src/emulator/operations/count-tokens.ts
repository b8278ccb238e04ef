import { isObject } from "../../types/json.ts";
import { validationError } from "../http/errors.ts";
import { countInputTokens } from "../model/conversation.ts";
import { countTokens } from "../model/tokens.ts";
import { parseConverseBody } from "../validate/converse.ts";
import { isEmbeddingModel } from "./invoke.ts";
import { readNative } from "./native.ts";

/**
 * CountTokens: `{"input": {"converse": {...}}}` is counted exactly as the Converse answer's `inputTokens` for
 * the same input (before prompt caching); `{"input": {"invokeModel": {"body": base64}}}` as that native body's
 * Converse equivalent, or its text for a body the emulator does not read.
 */
export function countTokensAnswer(modelId: string, text: string): { inputTokens: number } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw validationError("The request body is not valid JSON.");
  }
  const input = isObject(body) ? body.input : undefined;
  if (!isObject(input))
    throw validationError("input: expected { converse: {...} } or { invokeModel: { body } }");
  const kinds = Object.keys(input).filter((k) => input[k] !== undefined);
  if (kinds.length !== 1 || (kinds[0] !== "converse" && kinds[0] !== "invokeModel"))
    throw validationError("input: exactly one of converse or invokeModel must be set");
  if (isEmbeddingModel(modelId)) throw validationError("The provided model doesn't support counting tokens.");
  if (kinds[0] === "converse") {
    const converse = input.converse;
    if (!isObject(converse)) throw validationError("input.converse: expected an object");
    const allowed = ["messages", "system", "toolConfig", "additionalModelRequestFields"];
    const extra = Object.keys(converse).find((k) => !allowed.includes(k));
    if (extra) throw validationError(`input.converse: unknown member ${extra}`);
    return { inputTokens: countInputTokens(parseConverseBody(JSON.stringify(converse))) };
  }
  const invoke = input.invokeModel;
  if (!isObject(invoke) || typeof invoke.body !== "string")
    throw validationError("input.invokeModel.body: expected the model's native body, base64-encoded");
  let native: string;
  try {
    native = new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(atob(invoke.body), (c) => c.charCodeAt(0)),
    );
  } catch {
    throw validationError("input.invokeModel.body: not base64 of UTF-8 text");
  }
  try {
    return { inputTokens: countInputTokens(readNative(JSON.parse(native)).converse) };
  } catch {
    return { inputTokens: countTokens(native) };
  }
}
