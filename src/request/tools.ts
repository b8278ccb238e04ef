import { RequestError } from "../errors/index.ts";

/** A tool as callers describe it: our plain form, OpenAI's function form, or Bedrock's own. */
export type ToolInput =
  | { name: string; description?: string; inputSchema?: Record<string, unknown> }
  | {
      type: "function";
      function: { name: string; description?: string; parameters?: Record<string, unknown> };
    }
  | { toolSpec: { name: string; description?: string; inputSchema: { json: unknown } } }
  | { cachePoint: { type: "default"; ttl?: string } };

export type ToolChoiceInput =
  | "auto"
  | "any"
  | "required"
  | { tool: string }
  | { type: "function"; function: { name: string } }
  | { auto: Record<string, never> }
  | { any: Record<string, never> }
  | { tool: { name: string } };

const EMPTY_SCHEMA = { type: "object", properties: {} };
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** Tools to `toolConfig.tools[]`: `{toolSpec: {name, description, inputSchema: {json}}}`. */
export function toToolSpecs(tools: readonly ToolInput[]): Record<string, unknown>[] {
  if (!Array.isArray(tools)) throw new RequestError("tools", "expected an array of tools");
  const seen = new Set<string>();
  return tools.map((t: any, i) => {
    const path = `tools[${i}]`;
    if (t?.toolSpec || t?.cachePoint) return t;
    const fn = t?.type === "function" ? t.function : t;
    if (!fn || typeof fn.name !== "string") throw new RequestError(`${path}.name`, "a tool needs a name");
    if (!TOOL_NAME.test(fn.name)) {
      throw new RequestError(
        `${path}.name`,
        `"${fn.name}" is not a valid tool name (letters, digits, _ and -, at most 64)`,
      );
    }
    if (seen.has(fn.name)) throw new RequestError(`${path}.name`, `duplicate tool name "${fn.name}"`);
    seen.add(fn.name);
    const schema = (t.type === "function" ? fn.parameters : fn.inputSchema) ?? EMPTY_SCHEMA;
    if (typeof schema !== "object" || Array.isArray(schema)) {
      throw new RequestError(`${path}.inputSchema`, "expected a JSON Schema object");
    }
    return {
      toolSpec: {
        name: fn.name,
        ...(fn.description && { description: fn.description }),
        inputSchema: { json: schema },
      },
    };
  });
}

/** `auto` / `any` (or OpenAI's `required`) / `{tool: name}` to Bedrock's toolChoice union. */
export function toToolChoice(choice: ToolChoiceInput): Record<string, unknown> {
  if (choice === "auto") return { auto: {} };
  if (choice === "any" || choice === "required") return { any: {} };
  if (choice && typeof choice === "object") {
    const c = choice as any;
    if (c.type === "function" && typeof c.function?.name === "string")
      return { tool: { name: c.function.name } };
    if (typeof c.tool === "string") return { tool: { name: c.tool } };
    if (c.tool && typeof c.tool.name === "string") return { tool: { name: c.tool.name } };
    if (c.auto) return { auto: {} };
    if (c.any) return { any: {} };
  }
  throw new RequestError(
    "toolChoice",
    `expected "auto", "any" or {tool: name}, got ${JSON.stringify(choice)}`,
  );
}
