import type { ConverseRequest } from "../../types/index.ts";
import { validationError } from "../errors.ts";
import { sortedJson, utf8 } from "../json.ts";
import type { FinalReply } from "../reply.ts";
import { countTokensAnswer } from "./count-tokens.ts";
import { chatAnswer, chatChunks, embeddingAnswer, isEmbeddingModel } from "./invoke.ts";

export { applyGuardrailAnswer, matchGuardrail } from "./guardrail.ts";

/** The operations beyond Converse on `/model/{modelId}/...`. */
export const MODEL_OPERATIONS = ["count-tokens", "invoke", "invoke-with-response-stream"] as const;
export type ModelOperation = (typeof MODEL_OPERATIONS)[number];

export const isModelOperation = (operation: string): operation is ModelOperation =>
  (MODEL_OPERATIONS as readonly string[]).includes(operation);

/** What the emulator's router gives an operation: the model's reply, and the two ways to answer. */
export interface OperationContext {
  reply(request: ConverseRequest): Promise<FinalReply>;
  json(bytes: Uint8Array, headers?: Record<string, string>): Response;
  stream(frames: (() => Uint8Array)[]): Response;
  latencyMs(): number;
}

/** Answers CountTokens, InvokeModel or InvokeModelWithResponseStream. */
export async function answerModelOperation(
  operation: ModelOperation,
  modelId: string,
  text: string,
  context: OperationContext,
): Promise<Response> {
  if (operation === "count-tokens")
    return context.json(utf8.encode(sortedJson(countTokensAnswer(modelId, text))));
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw validationError("The request body is not valid JSON.");
  }
  if (operation === "invoke-with-response-stream")
    return context.stream(await chatChunks(modelId, body, context.reply, context.latencyMs));
  const answer = isEmbeddingModel(modelId)
    ? embeddingAnswer(modelId, body)
    : await chatAnswer(modelId, body, context.reply);
  return context.json(utf8.encode(JSON.stringify(answer.json)), answer.headers);
}
