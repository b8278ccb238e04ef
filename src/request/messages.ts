import { RequestError } from "./errors";

type Block = Record<string, unknown>;

export interface ConverseMessage {
  role: "user" | "assistant";
  content: Block[];
}

/** An OpenAI-style tool call on an assistant message. */
export interface OpenAIToolCall {
  id: string;
  type?: "function";
  function: { name: string; arguments: string | Record<string, unknown> };
}

/** What `request`/`stream` accept as a message: simple strings, Bedrock content blocks, or OpenAI-style turns. */
export type InputMessage =
  | { role: "system" | "user" | "assistant"; content: string | Block[] }
  | { role: "assistant"; content?: string | Block[] | null; tool_calls: OpenAIToolCall[] }
  | { role: "tool"; tool_call_id: string; content: string | Block[] | unknown; status?: "success" | "error" };

export interface NormalizedMessages {
  system: Block[];
  messages: ConverseMessage[];
}

/**
 * Messages to Converse's `system` + `messages`: system turns go to `system`, tool results become `toolResult`
 * blocks in a user turn, and consecutive turns of one role merge into one (Bedrock rejects two in a row).
 */
export function normalizeMessages(input: readonly InputMessage[]): NormalizedMessages {
  if (!Array.isArray(input)) throw new RequestError("messages", "expected an array of messages");
  const system: Block[] = [];
  const messages: ConverseMessage[] = [];
  const push = (role: "user" | "assistant", blocks: Block[]) => {
    const last = messages[messages.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  input.forEach((m: any, i) => {
    const path = `messages[${i}]`;
    if (!m || typeof m !== "object") throw new RequestError(path, "expected a message object");
    switch (m.role) {
      case "system":
        system.push(...toBlocks(m.content, `${path}.content`));
        return;
      case "user":
        push("user", toBlocks(m.content, `${path}.content`));
        return;
      case "assistant": {
        const blocks = m.content == null || m.content === "" ? [] : toBlocks(m.content, `${path}.content`);
        if (m.tool_calls !== undefined) {
          if (!Array.isArray(m.tool_calls)) throw new RequestError(`${path}.tool_calls`, "expected an array");
          m.tool_calls.forEach((call: any, j: number) => blocks.push(toolUseBlock(call, `${path}.tool_calls[${j}]`)));
        }
        if (blocks.length === 0) throw new RequestError(path, "assistant message has no content and no tool calls");
        push("assistant", blocks);
        return;
      }
      case "tool": {
        if (typeof m.tool_call_id !== "string" || !m.tool_call_id) {
          throw new RequestError(`${path}.tool_call_id`, "a tool message needs the id of the call it answers");
        }
        push("user", [toolResultBlock(m.tool_call_id, m.content, m.status)]);
        return;
      }
      default:
        throw new RequestError(`${path}.role`, `unknown role ${JSON.stringify(m.role)} (use system, user, assistant or tool)`);
    }
  });
  // Bedrock wants tool results first in their user turn, right after the calls they answer.
  for (const m of messages) {
    if (m.role === "user" && m.content.some((b) => "toolResult" in b)) {
      m.content.sort((a, b) => Number("toolResult" in b) - Number("toolResult" in a));
    }
  }
  return { system, messages };
}

function toBlocks(content: unknown, path: string): Block[] {
  if (typeof content === "string") return [{ text: content }];
  if (!Array.isArray(content)) throw new RequestError(path, "expected a string or an array of content blocks");
  return content.map((block, i) => {
    if (typeof block === "string") return { text: block };
    if (!block || typeof block !== "object") throw new RequestError(`${path}[${i}]`, "expected a content block object");
    // OpenAI-style `{type: "text", text}` parts.
    if ((block as any).type === "text" && typeof (block as any).text === "string") return { text: (block as any).text };
    if (Object.keys(block).length === 0) throw new RequestError(`${path}[${i}]`, "empty content block");
    return block as Block;
  });
}

function toolUseBlock(call: any, path: string): Block {
  if (!call || typeof call.id !== "string" || typeof call.function?.name !== "string") {
    throw new RequestError(path, "expected {id, function: {name, arguments}}");
  }
  let input = call.function.arguments ?? {};
  if (typeof input === "string") {
    try {
      input = input.trim() === "" ? {} : JSON.parse(input);
    } catch {
      throw new RequestError(`${path}.function.arguments`, "arguments are not valid JSON");
    }
  }
  return { toolUse: { toolUseId: call.id, name: call.function.name, input } };
}

function toolResultBlock(toolUseId: string, content: unknown, status?: string): Block {
  let blocks: Block[];
  if (typeof content === "string") blocks = [{ text: content }];
  else if (Array.isArray(content)) blocks = content.map((c) => (typeof c === "string" ? { text: c } : (c as Block)));
  else blocks = [{ json: content ?? null }];
  return { toolResult: { toolUseId, content: blocks, ...(status && { status }) } };
}
