import type { ConverseRequest } from "../../types/index.ts";
import { isObject } from "../../types/json.ts";
import { validationError } from "../http/errors.ts";
import { CONTENT_BLOCK, SYSTEM_BLOCKS, TOOL, TOOL_CHOICE } from "./request-shapes.ts";
import { checkShape, constraint } from "./shapes.ts";

// Checks a Converse/ConverseStream body the way Bedrock does and answers ValidationException with a
// message that names the offending path. Shapes first (as the service framework does), then the
// conversation rules (roles alternate, tool results match tool uses, ...).

const TOP_LEVEL_KEYS = [
  "messages",
  "system",
  "inferenceConfig",
  "toolConfig",
  "guardrailConfig",
  "additionalModelRequestFields",
  "promptVariables",
  "additionalModelResponseFieldPaths",
  "requestMetadata",
  "performanceConfig",
  "serviceTier",
  "outputConfig",
];

/** Fields a call with a prompt resource can't include: Prompt management defines them. */
const PROMPT_DEFINED = ["additionalModelRequestFields", "inferenceConfig", "system", "toolConfig"];

/**
 * Parses and validates a request body; throws ValidationException (EmulatorError) on the first problem.
 * `promptResource`: the model id is a prompt ARN, so messages may be empty and the prompt's own fields are refused.
 */
export function parseConverseBody(text: string, promptResource = false): ConverseRequest {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw validationError(`The request body is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(body)) throw validationError("The request body must be a JSON object.");
  for (const key of Object.keys(body)) {
    if (!TOP_LEVEL_KEYS.includes(key)) {
      throw validationError(
        `Malformed input request: extraneous key [${key}] is not permitted. Valid keys: ${TOP_LEVEL_KEYS.join(", ")}.`,
      );
    }
  }
  if (promptResource) {
    const given = PROMPT_DEFINED.filter((k) => body[k] !== undefined);
    if (given.length)
      throw validationError(
        `You can't include the following fields in a request that uses a prompt from Prompt management: ${given.join(", ")}. Define them in the prompt instead.`,
      );
    if (Array.isArray(body.messages) && body.messages.length === 0) return body as ConverseRequest;
  }
  checkMessages(body.messages);
  if (body.system !== undefined) checkShape(body.system, SYSTEM_BLOCKS, "system");
  checkInferenceConfig(body.inferenceConfig);
  const toolNames = checkToolConfig(body.toolConfig);
  checkGuardrailConfig(body.guardrailConfig);
  checkOutputConfig(body.outputConfig);
  checkOtherFields(body);
  const request = body as ConverseRequest;
  checkConversation(request, toolNames);
  return request;
}

function checkMessages(messages: unknown): void {
  if (!Array.isArray(messages) || messages.length === 0) {
    throw validationError("The messages field is required and must hold at least one message.");
  }
  messages.forEach((message, i) => {
    if (!isObject(message)) throw validationError(`messages.${i} must be an object with role and content.`);
    if (message.role !== "user" && message.role !== "assistant") {
      constraint(message.role, `messages.${i}.role`, "Member must satisfy enum value set: [user, assistant]");
    }
    if (!Array.isArray(message.content) || message.content.length === 0) {
      throw validationError(
        `The content field in the Message object at messages.${i} is empty. Add a ContentBlock object to the content field and try again.`,
      );
    }
    message.content.forEach((block, j) => {
      checkShape(block, CONTENT_BLOCK, `messages.${i}.content.${j}`);
      // Empty text is refused; whitespace only when the turn has nothing else (Bedrock took a "\n" block
      // between a document and a question in a recorded request).
      if (
        block.text === "" ||
        (typeof block.text === "string" &&
          (message.content as any[]).every((b: any) => typeof b?.text === "string" && b.text.trim() === ""))
      )
        throw validationError(
          `The text field in the ContentBlock object at messages.${i}.content.${j} is blank. Add text to the text field, and try again.`,
        );
    });
  });
}

function checkInferenceConfig(config: unknown): void {
  if (config === undefined) return;
  if (!isObject(config)) throw validationError("inferenceConfig must be an object.");
  const { maxTokens, temperature, topP, stopSequences } = config;
  if (maxTokens !== undefined) {
    if (typeof maxTokens !== "number" || !Number.isInteger(maxTokens)) {
      constraint(maxTokens, "inferenceConfig.maxTokens", "Member must be an integer");
    }
    if (maxTokens < 1) {
      constraint(maxTokens, "inferenceConfig.maxTokens", "Member must have value greater than or equal to 1");
    }
  }
  for (const [name, value] of [
    ["temperature", temperature],
    ["topP", topP],
  ] as const) {
    if (value === undefined) continue;
    if (typeof value !== "number" || Number.isNaN(value))
      constraint(value, `inferenceConfig.${name}`, "Member must be a number");
    if (value < 0)
      constraint(value, `inferenceConfig.${name}`, "Member must have value greater than or equal to 0");
    if (value > 1)
      constraint(value, `inferenceConfig.${name}`, "Member must have value less than or equal to 1");
  }
  if (stopSequences !== undefined) {
    if (!Array.isArray(stopSequences) || stopSequences.some((s) => typeof s !== "string" || s === "")) {
      throw validationError("inferenceConfig.stopSequences must be an array of non-empty strings.");
    }
  }
}

/** Returns the names of the offered tools (undefined when there is no toolConfig). */
function checkToolConfig(config: unknown): Set<string> | undefined {
  if (config === undefined) return undefined;
  if (!isObject(config)) throw validationError("toolConfig must be an object.");
  if (!Array.isArray(config.tools) || config.tools.length === 0) {
    throw validationError("toolConfig.tools must hold at least one tool.");
  }
  const names = new Set<string>();
  config.tools.forEach((tool, i) => {
    checkShape(tool, TOOL, `toolConfig.tools.${i}`);
    const name = (tool.toolSpec ?? tool.systemTool)?.name as string | undefined;
    if (name === undefined) return;
    if (names.has(name)) throw validationError(`The tool name '${name}' is used by more than one tool.`);
    names.add(name);
  });
  const choice = config.toolChoice;
  if (choice !== undefined) {
    checkShape(choice, TOOL_CHOICE, "toolConfig.toolChoice");
    const named = (choice as { tool?: { name?: unknown } }).tool;
    if (named && (typeof named.name !== "string" || !names.has(named.name))) {
      throw validationError(
        `toolConfig.toolChoice.tool.name '${String(named.name)}' does not match any tool in toolConfig.tools.`,
      );
    }
  }
  return names;
}

function checkGuardrailConfig(config: unknown): void {
  if (config === undefined) return;
  if (!isObject(config)) throw validationError("guardrailConfig must be an object.");
  if (typeof config.guardrailIdentifier !== "string" || config.guardrailIdentifier === "") {
    throw validationError("guardrailConfig.guardrailIdentifier is required.");
  }
  if (typeof config.guardrailVersion !== "string" || config.guardrailVersion === "") {
    throw validationError("guardrailConfig.guardrailVersion is required.");
  }
  if (
    config.trace !== undefined &&
    !["enabled", "disabled", "enabled_full"].includes(config.trace as string)
  ) {
    constraint(
      config.trace,
      "guardrailConfig.trace",
      "Member must satisfy enum value set: [enabled, disabled, enabled_full]",
    );
  }
}

function checkOutputConfig(config: unknown): void {
  if (config === undefined) return;
  if (!isObject(config)) throw validationError("outputConfig must be an object.");
  const format = config.textFormat;
  if (format === undefined) return;
  if (!isObject(format) || format.type !== "json_schema") {
    constraint(
      isObject(format) ? format.type : format,
      "outputConfig.textFormat.type",
      "Member must satisfy enum value set: [json_schema]",
    );
  }
  const schema = (format.structure as { jsonSchema?: { schema?: unknown } } | undefined)?.jsonSchema?.schema;
  if (typeof schema !== "string") {
    throw validationError(
      "outputConfig.textFormat.structure.jsonSchema.schema must be a JSON schema as a string.",
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(schema);
  } catch (error) {
    throw validationError(
      `outputConfig.textFormat.structure.jsonSchema.schema is not valid JSON: ${(error as Error).message}`,
    );
  }
  if (!isObject(parsed))
    throw validationError("outputConfig.textFormat.structure.jsonSchema.schema must be a JSON object.");
}

function checkOtherFields(body: Record<string, unknown>): void {
  for (const key of [
    "additionalModelRequestFields",
    "promptVariables",
    "requestMetadata",
    "performanceConfig",
    "serviceTier",
  ]) {
    if (body[key] !== undefined && !isObject(body[key]))
      throw validationError(`${key} must be a JSON object.`);
  }
  const paths = body.additionalModelResponseFieldPaths;
  if (
    paths !== undefined &&
    (!Array.isArray(paths) || paths.some((p) => typeof p !== "string" || !p.startsWith("/")))
  ) {
    throw validationError(
      "additionalModelResponseFieldPaths must be an array of JSON Pointer strings such as /stop_sequence.",
    );
  }
  const latency = (body.performanceConfig as { latency?: unknown } | undefined)?.latency;
  if (latency !== undefined && latency !== "standard" && latency !== "optimized") {
    constraint(
      latency,
      "performanceConfig.latency",
      "Member must satisfy enum value set: [standard, optimized]",
    );
  }
}

function checkConversation(request: ConverseRequest, toolNames: Set<string> | undefined): void {
  const messages = request.messages ?? [];
  if (messages[0].role !== "user") {
    throw validationError(
      "A conversation must start with a user message. Try again with a conversation that starts with a user message.",
    );
  }
  for (let i = 1; i < messages.length; i++) {
    if (messages[i].role === messages[i - 1].role) {
      throw validationError(
        `A conversation must alternate between user and assistant roles (messages.${i - 1} and messages.${i} are both '${messages[i].role}'). Make sure the conversation alternates between user and assistant roles and try again.`,
      );
    }
  }
  const usesTools = messages.some((m) =>
    m.content.some((b) => b.toolUse !== undefined || b.toolResult !== undefined),
  );
  if (usesTools && toolNames === undefined) {
    throw validationError(
      "The toolConfig field must be defined when using toolUse and toolResult content blocks.",
    );
  }
  messages.forEach((message, i) => {
    if (message.role !== "user") return;
    // Server-side tools (type server_tool_use) are answered by Bedrock itself inside the assistant turn.
    const requested = new Set(
      i > 0
        ? messages[i - 1].content.flatMap((b) =>
            b.toolUse && (b.toolUse.type as string | undefined) !== "server_tool_use"
              ? [b.toolUse.toolUseId]
              : [],
          )
        : [],
    );
    const answered = new Set<string>();
    message.content.forEach((block, j) => {
      if (!block.toolResult) return;
      const id = block.toolResult.toolUseId;
      if (!requested.has(id)) {
        throw validationError(
          `The toolResult block at messages.${i}.content.${j} has toolUseId '${id}', which does not match any toolUse block in the previous assistant turn${i > 0 ? ` (messages.${i - 1})` : ""}.`,
        );
      }
      answered.add(id);
    });
    const missing = [...requested].filter((id) => !answered.has(id));
    if (missing.length > 0) {
      throw validationError(
        `Expected toolResult blocks at messages.${i}.content for the following Ids: ${missing.join(", ")}`,
      );
    }
  });
}
