import { RequestError } from "../errors/index.ts";
import { type InputMessage, normalizeMessages } from "./messages.ts";
import { checkKeys, deepMerge, isPlainObject } from "./objects.ts";
import { applyReasoning, type ReasoningOption } from "./reasoning.ts";
import { type ResponseFormat, schemaText, toOutputConfig } from "./structured.ts";
import { type ToolChoiceInput, type ToolInput, toToolChoice, toToolSpecs } from "./tools.ts";

/** Converse body keys that pass through (deep-merged) from options or a model's extraPayload. */
export const NATIVE_KEYS = [
  "inferenceConfig",
  "additionalModelRequestFields",
  "guardrailConfig",
  "performanceConfig",
  "requestMetadata",
  "serviceTier",
  "outputConfig",
  "promptVariables",
  "additionalModelResponseFieldPaths",
  "toolConfig",
] as const;

/** Flat parameters, in the spellings we accept (camelCase and the snake_case of ECA/OpenAI configs). */
export const PARAMETER_KEYS = [
  "temperature",
  "topP",
  "top_p",
  "maxTokens",
  "max_tokens",
  "stopSequences",
  "stop",
  "topK",
  "top_k",
  "stream",
  "tools",
  "toolChoice",
  "tool_choice",
  "system",
  "reasoning",
  "responseFormat",
] as const;

export const DEFAULT_MAX_TOKENS = 1024;

/** A prompt from Prompt management (`arn:aws:bedrock:REGION:ACCOUNT:prompt/ID[:VERSION]`) used as the model. */
export const isPromptResource = (modelId: string | undefined) =>
  modelId !== undefined && /^arn:aws[a-z-]*:bedrock:[^:]*:[^:]*:prompt\//.test(modelId);

/**
 * What a call with a prompt resource can't include (Converse API reference, Converse: "If you use a prompt from
 * Prompt management, you can't include the following fields in the request: additionalModelRequestFields,
 * inferenceConfig, system, or toolConfig. Instead, these fields must be defined through Prompt management.").
 */
const PROMPT_DEFINED = ["inferenceConfig", "system", "toolConfig", "additionalModelRequestFields"];

/** The request parameters callers can set per request or per model (`extraPayload`). */
export interface RequestParameters {
  temperature?: number;
  topP?: number;
  top_p?: number;
  maxTokens?: number;
  max_tokens?: number;
  stopSequences?: string[];
  stop?: string[];
  topK?: number;
  top_k?: number;
  stream?: boolean;
  tools?: ToolInput[];
  toolChoice?: ToolChoiceInput;
  tool_choice?: ToolChoiceInput;
  system?: string | Record<string, unknown>[];
  reasoning?: ReasoningOption | "adaptive";
  /** Structured output: the model answers JSON matching `schema`; `result.structured` holds it, checked. */
  responseFormat?: ResponseFormat;
  inferenceConfig?: Record<string, unknown>;
  additionalModelRequestFields?: Record<string, unknown>;
  guardrailConfig?: Record<string, unknown>;
  performanceConfig?: Record<string, unknown>;
  requestMetadata?: Record<string, string>;
  serviceTier?: Record<string, unknown>;
  outputConfig?: Record<string, unknown>;
  promptVariables?: Record<string, unknown>;
  additionalModelResponseFieldPaths?: string[];
  toolConfig?: Record<string, unknown>;
}

export type ConverseBody = Record<string, any> & { messages: unknown[] };

const ALLOWED = [...PARAMETER_KEYS, ...NATIVE_KEYS];

/** Applies one source of parameters (a model's extraPayload, then the request's options) to the body. */
function applyParameters(body: ConverseBody, p: Record<string, any>, path: string): void {
  checkKeys(p, ALLOWED, path);
  const inference: Record<string, unknown> = {};
  const temperature = p.temperature;
  if (temperature !== undefined) inference.temperature = number(temperature, `${path}.temperature`);
  const topP = p.topP ?? p.top_p;
  if (topP !== undefined) inference.topP = number(topP, `${path}.topP`);
  const maxTokens = p.maxTokens ?? p.max_tokens;
  if (maxTokens !== undefined) inference.maxTokens = number(maxTokens, `${path}.maxTokens`);
  const stop = p.stopSequences ?? p.stop;
  if (stop !== undefined) {
    if (!Array.isArray(stop) || stop.some((s) => typeof s !== "string")) {
      throw new RequestError(`${path}.stopSequences`, "expected an array of strings");
    }
    inference.stopSequences = stop;
  }
  if (Object.keys(inference).length) body.inferenceConfig = { ...body.inferenceConfig, ...inference };
  // top_k is not a Converse parameter: it goes to the model's own fields, and only when given, since other
  // model families reject unknown fields.
  const topK = p.topK ?? p.top_k;
  if (topK !== undefined) {
    body.additionalModelRequestFields = {
      ...body.additionalModelRequestFields,
      top_k: number(topK, `${path}.top_k`),
    };
  }
  if (p.reasoning !== undefined) applyReasoning(body, p.reasoning, `${path}.reasoning`);
  if (p.system !== undefined) {
    body.system = typeof p.system === "string" ? [{ text: p.system }] : p.system;
  }
  if (p.tools !== undefined) {
    body.toolConfig = { ...body.toolConfig, tools: toToolSpecs(p.tools) };
  }
  const choice = p.toolChoice ?? p.tool_choice;
  if (choice !== undefined) body.toolConfig = { ...body.toolConfig, toolChoice: toToolChoice(choice) };
  if (p.responseFormat !== undefined) {
    body.outputConfig = deepMerge(
      { ...body.outputConfig },
      toOutputConfig(p.responseFormat, `${path}.responseFormat`),
    );
  }
  for (const key of NATIVE_KEYS) {
    const value = p[key];
    if (value === undefined) continue;
    body[key] = isPlainObject(value) && isPlainObject(body[key]) ? deepMerge({ ...body[key] }, value) : value;
  }
  // The wire wants the schema as JSON text: checked here (a bad one fails before the request), and an object,
  // a common slip, is written out. Copies along the path: the caller's options are never changed.
  const oc = body.outputConfig;
  const js = oc?.textFormat?.structure?.jsonSchema;
  if (js?.schema !== undefined) {
    const schema = schemaText(js.schema, `${path}.outputConfig.textFormat.structure.jsonSchema.schema`);
    if (schema !== js.schema) {
      const tf = oc.textFormat;
      body.outputConfig = {
        ...oc,
        textFormat: { ...tf, structure: { ...tf.structure, jsonSchema: { ...js, schema } } },
      };
    }
  }
}

function number(value: unknown, path: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) throw new RequestError(path, "expected a number");
  return value;
}

/**
 * Builds the Converse request body. `defaults` is the model's extraPayload; `options` are the request's
 * parameters, which win. `stream` never goes into the body; unknown keys are errors, never dropped.
 */
export function buildConverseBody(
  messages: readonly InputMessage[],
  options: RequestParameters = {},
  defaults: Record<string, unknown> = {},
  modelId?: string,
): ConverseBody {
  const { system, messages: turns } = normalizeMessages(messages);
  const body: ConverseBody = { messages: turns };
  if (system.length) body.system = system;
  applyParameters(body, defaults, "extraPayload");
  applyParameters(body, options as Record<string, unknown>, "options");
  const prompt = isPromptResource(modelId);
  if (prompt) {
    // The prompt holds these: none of our defaults, and the caller's own are refused before AWS refuses them.
    const given = PROMPT_DEFINED.find((k) => body[k] !== undefined);
    if (given)
      throw new RequestError(
        given === "system" && system.length ? "messages" : given,
        `a prompt from Prompt management (the model is a prompt ARN) can't take ${given}${given === "system" && system.length ? " (a system message)" : ""}: ${PROMPT_DEFINED.join(", ")} are defined in the prompt; pass promptVariables and, optionally, messages to append`,
      );
  } else body.inferenceConfig = { maxTokens: defaultMaxTokens(body), ...body.inferenceConfig };
  if (system.length && body.system !== system) body.system = [...system, ...body.system];
  // /converse takes no streamProcessingMode (only ConverseStream's guardrail config has it): a per-model setting
  // must not break the same model's non-streaming calls.
  const streaming = ((options.stream ?? defaults.stream ?? true) as unknown) !== false;
  if (!streaming && body.guardrailConfig?.streamProcessingMode !== undefined) {
    const { streamProcessingMode: _, ...guardrail } = body.guardrailConfig;
    body.guardrailConfig = guardrail;
  }
  // With a prompt resource the messages are appended to the prompt's, and may be none.
  if (turns.length === 0 && !prompt)
    throw new RequestError("messages", "at least one user or assistant message is needed");
  return body;
}

/** 1024, or room for the thinking budget plus an answer when reasoning is on (Claude needs max > budget). */
function defaultMaxTokens(body: ConverseBody): number {
  const budget = body.additionalModelRequestFields?.thinking?.budget_tokens;
  return typeof budget === "number"
    ? Math.max(DEFAULT_MAX_TOKENS, budget + DEFAULT_MAX_TOKENS)
    : DEFAULT_MAX_TOKENS;
}
