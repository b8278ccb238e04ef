import type { ConverseRequest, Message } from "../../types/index.ts";
import { isObject } from "../../types/json.ts";
import { validationError } from "../http/errors.ts";

// Native InvokeModel bodies the emulator answers, read into the Converse request its model understands:
// Anthropic Messages (`anthropic_version`), Amazon Nova (`messages` of `{text}` blocks) and Titan Text
// (`inputText`). The answer goes back in the same family's native shape.

export type NativeFamily = "anthropic" | "nova" | "titan-text";

export interface NativeRequest {
  family: NativeFamily;
  converse: ConverseRequest;
  maxTokens?: number;
}

export function readNative(input: unknown): NativeRequest {
  if (!isObject(input)) throw validationError("The request body must be a JSON object.");
  const body = input as Record<string, any>;
  if (
    typeof body.anthropic_version === "string" ||
    (Array.isArray(body.messages) && typeof body.max_tokens === "number")
  ) {
    if (!Array.isArray(body.messages) || body.messages.length === 0)
      throw validationError("messages: Field required");
    const messages = body.messages.map((m: unknown, i: number): Message => {
      if (!isObject(m) || (m.role !== "user" && m.role !== "assistant"))
        throw validationError(`messages.${i}.role: Input should be 'user' or 'assistant'`);
      const content =
        typeof m.content === "string"
          ? [{ text: m.content }]
          : Array.isArray(m.content)
            ? m.content
                .filter((b: any) => isObject(b) && b.type === "text" && typeof b.text === "string")
                .map((b: any) => ({ text: b.text as string }))
            : undefined;
      if (!content)
        throw validationError(`messages.${i}.content: Input should be a string or a list of blocks`);
      return { role: m.role, content };
    });
    const system =
      typeof body.system === "string"
        ? [{ text: body.system }]
        : Array.isArray(body.system)
          ? body.system.filter((b: any) => typeof b?.text === "string").map((b: any) => ({ text: b.text }))
          : undefined;
    return {
      family: "anthropic",
      converse: { messages, ...(system && { system }), inferenceConfig: { maxTokens: body.max_tokens } },
      maxTokens: body.max_tokens,
    };
  }
  if (Array.isArray(body.messages)) {
    const messages = body.messages.map((m: any, i: number): Message => {
      if (!isObject(m) || !Array.isArray(m.content))
        throw validationError(`messages[${i}]: expected { role, content: [{ text }] }`);
      return {
        role: m.role === "assistant" ? "assistant" : "user",
        content: m.content.filter((b: any) => typeof b?.text === "string"),
      };
    });
    const maxTokens = body.inferenceConfig?.maxTokens ?? body.inferenceConfig?.max_new_tokens;
    return {
      family: "nova",
      converse: {
        messages,
        ...(Array.isArray(body.system) && { system: body.system }),
        ...(typeof maxTokens === "number" && { inferenceConfig: { maxTokens } }),
      },
      maxTokens,
    };
  }
  if (typeof body.inputText === "string") {
    const maxTokens = body.textGenerationConfig?.maxTokenCount;
    return {
      family: "titan-text",
      converse: {
        messages: [{ role: "user", content: [{ text: body.inputText }] }],
        ...(typeof maxTokens === "number" && { inferenceConfig: { maxTokens } }),
      },
      maxTokens,
    };
  }
  throw validationError(
    "The emulator answers InvokeModel for Anthropic Messages, Amazon Nova and Titan Text bodies, and the embedding families: this body is none of them.",
  );
}
