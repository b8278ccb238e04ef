// The recorded captures as bytes, and what their decoded frames say independently of the SDK.

import { prng, randomCuts, splitAt } from "../../helpers/bytes.ts";
import type { RecordedCapture } from "../generated/captures.js";
import { bytesOf, CAPTURES } from "./fixtures.js";
import { deepEqual, equal } from "./harness.ts";

export type { RecordedCapture };
export { bytesOf, prng };
export const captures = CAPTURES;

export function capture(name: string): RecordedCapture {
  const found = CAPTURES.find((c) => c.name === name);
  if (!found) throw new Error(`no recorded capture named ${name}`);
  return found;
}

export interface Expected {
  text: string;
  toolCalls: { id: string; name: string; arguments: unknown }[];
  stopReason?: string;
  usage?: unknown;
  reasoning: string;
  signature: string;
  exception?: { type: string; message: string };
}

/** Text, tool calls, reasoning, stop reason and usage as the recorder's decoded frames give them. */
export function expectedOf(c: RecordedCapture): Expected {
  const want: Expected = { text: "", toolCalls: [], reasoning: "", signature: "" };
  const tools = new Map<number, { id: string; name: string; server: boolean; input: string }>();
  for (const f of c.frames) {
    const p = JSON.parse(f.payload);
    if (f.messageType === "exception") want.exception ??= { type: f.type, message: p.message };
    if (f.messageType !== "event") continue;
    if (f.type === "contentBlockStart" && p.start?.toolUse) {
      const t = p.start.toolUse;
      tools.set(p.contentBlockIndex, {
        id: t.toolUseId,
        name: t.name,
        server: t.type === "server_tool_use",
        input: "",
      });
    }
    if (f.type === "contentBlockDelta") {
      if (typeof p.delta.text === "string") want.text += p.delta.text;
      if (p.delta.toolUse) tools.get(p.contentBlockIndex)!.input += p.delta.toolUse.input;
      if (p.delta.reasoningContent?.text) want.reasoning += p.delta.reasoningContent.text;
      if (p.delta.reasoningContent?.signature) want.signature += p.delta.reasoningContent.signature;
    }
    if (f.type === "messageStop") want.stopReason = p.stopReason;
    if (f.type === "metadata") want.usage = p.usage;
  }
  want.toolCalls = [...tools.values()]
    .filter((t) => !t.server)
    .map((t) => ({ id: t.id, name: t.name, arguments: t.input.trim() ? JSON.parse(t.input) : {} }));
  return want;
}

/** A small deterministic PRNG (mulberry32) so a failing random chunking can be replayed from its seed. */
/** Checks a client's result against what the capture recorded: text, tool calls, usage (and stop, reasoning). */
export function checkResult(
  result: {
    outputText: string;
    toolsToCall: { id: string; name: string; arguments: unknown }[];
    stopReason: string;
    usage?: unknown;
    reasoning?: { text: string };
  },
  want: Expected,
): void {
  equal(result.outputText, want.text, "text");
  deepEqual(
    result.toolsToCall.map(({ id, name, arguments: a }) => ({ id, name, arguments: a })),
    want.toolCalls,
    "tool calls",
  );
  equal(result.stopReason, want.stopReason, "stopReason");
  deepEqual(result.usage, want.usage, "usage");
  equal(result.reasoning?.text ?? "", want.reasoning, "reasoning");
}

/** Splits bytes at `count` random points (duplicates and empty chunks dropped). */
export function randomChunks(bytes: Uint8Array, random: () => number, count: number): Uint8Array[] {
  return splitAt(bytes, randomCuts(bytes.length, random, count));
}

export function fixedChunks(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.slice(i, i + size));
  return out;
}
