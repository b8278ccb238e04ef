// Running a step's tool calls: in parallel, each outcome (value, thrown error, bad input) made a toolResult.
import { type JsonSchema, validateJson } from "../request/structured.ts";
import type { ToolCall } from "../types/events.ts";
import type { ToolContext, ToolDefinition, ToolOutput, ToolResultRecord } from "./types.ts";

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return typeof error === "string" ? error : (JSON.stringify(error) ?? String(error));
}

/** A tool's output as toolResult content: text for strings, JSON for plain objects, JSON text otherwise. */
export function toolResultContent(output: unknown): Record<string, unknown>[] {
  if (typeof output === "string") return [{ text: output }];
  if (isPlainObject(output)) return [{ json: output }];
  if (output === undefined) return [{ json: {} }];
  return [{ text: JSON.stringify(output) ?? String(output) }];
}

export function toolResultRecord(call: ToolCall, output: unknown, isError: boolean): ToolResultRecord {
  const status = isError ? "error" : "success";
  const content = isError ? [{ text: errorText(output) }] : toolResultContent(output);
  return {
    id: call.id,
    name: call.name,
    input: call.arguments,
    status,
    output,
    block: { toolResult: { toolUseId: call.id, content, status } },
  };
}

/** Why a call cannot run, or undefined when its input is fine for its tool. */
function refusal(call: ToolCall, tool: ToolDefinition | undefined, names: string[]): Error | undefined {
  if (!tool) return new Error(`There is no tool named "${call.name}". Available tools: ${names.join(", ")}.`);
  if (call.invalid)
    return new Error(`The input for ${call.name} is not valid JSON (${call.invalid.message}).`);
  const issues = validateJson(call.arguments, (tool.inputSchema ?? { type: "object" }) as JsonSchema);
  if (issues.length) {
    return new Error(
      `Invalid input for ${call.name}: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}.`,
    );
  }
  return undefined;
}

/**
 * Runs the calls in parallel and returns their records in call order. `given` holds outputs the caller produced
 * itself; every other call runs through its tool's `execute`. Never throws for a tool's failure.
 */
export async function runToolCalls(
  calls: ToolCall[],
  tools: Record<string, ToolDefinition>,
  given: ToolOutput[],
  context: Omit<ToolContext, "id" | "name">,
): Promise<ToolResultRecord[]> {
  const names = Object.keys(tools);
  return Promise.all(
    calls.map(async (call) => {
      const supplied = given.find((g) => g.id === call.id);
      if (supplied) return toolResultRecord(call, supplied.output, supplied.isError === true);
      const tool = Object.hasOwn(tools, call.name) ? tools[call.name] : undefined;
      const refused = refusal(call, tool, names);
      if (refused) return toolResultRecord(call, refused, true);
      try {
        const output = await tool!.execute!(call.arguments, { ...context, id: call.id, name: call.name });
        return toolResultRecord(call, output, false);
      } catch (error) {
        return toolResultRecord(call, error, true);
      }
    }),
  );
}
