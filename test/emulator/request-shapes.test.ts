// The emulator's request shapes (src/emulator/validate/request-shapes.ts) are written by hand, small enough to
// read; this keeps them true to AWS's service model (test/fixtures/service-model), as test/types/drift.ts keeps
// src/types: every member they name exists there with the same required list, every union accepts every
// member the model lists, every enum holds only the model's values.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CONTENT_BLOCK, SYSTEM_BLOCKS, TOOL, TOOL_CHOICE } from "../../src/emulator/validate/request-shapes";
import type { Shape } from "../../src/emulator/validate/shapes";

interface ModelShape {
  type: string;
  members?: Record<string, { shape: string }>;
  required?: string[];
  union?: boolean;
  member?: { shape: string };
  enum?: string[];
}
const MODEL: Record<string, ModelShape> = JSON.parse(
  readFileSync(join(import.meta.dirname, "../fixtures/service-model/service-2.json"), "utf8"),
).shapes;

/** Where ours and the model's differ, as "Path.member: what". */
function drift(
  ours: Shape,
  modelName: string,
  path: string,
  out: string[],
  seen = new Set<string>(),
): string[] {
  const model = MODEL[modelName];
  const key = `${path}|${modelName}`;
  if (seen.has(key) || typeof ours === "string" || "pattern" in ours) return out;
  seen.add(key);
  if ("enum" in ours) {
    for (const value of ours.enum)
      if (!model.enum?.includes(value)) out.push(`${path}: "${value}" is not in ${modelName}'s enum`);
    return out;
  }
  if ("array" in ours) {
    if (model.type !== "list") out.push(`${path}: a list here, ${model.type} in the model`);
    else drift(ours.array, model.member!.shape, `${path}[]`, out, seen);
    return out;
  }
  const members = model.members ?? {};
  const named = "struct" in ours ? ours.struct : ours.union;
  for (const [name, shape] of Object.entries(named)) {
    if (!members[name]) out.push(`${path}.${name}: not a member of ${modelName}`);
    else drift(shape, members[name].shape, `${path}.${name}`, out, seen);
  }
  if ("union" in ours) {
    for (const name of Object.keys(members))
      if (!(name in ours.union))
        out.push(`${path}.${name}: a member of ${modelName} the emulator would reject`);
  } else if (!model.union) {
    // (A struct here may stand for a one-member union, as `{text}` does for DocumentContentBlock.)
    const required = [...(ours.required ?? [])].sort();
    const modelRequired = [...(model.required ?? [])].sort();
    if (JSON.stringify(required) !== JSON.stringify(modelRequired))
      out.push(
        `${path}: required ${JSON.stringify(required)}, the model says ${JSON.stringify(modelRequired)}`,
      );
  }
  return out;
}

describe("the emulator's request shapes against the service model", () => {
  it.each([
    ["ContentBlock", CONTENT_BLOCK],
    ["SystemContentBlocks", SYSTEM_BLOCKS],
    ["Tool", TOOL],
    ["ToolChoice", TOOL_CHOICE],
  ] as const)("%s", (modelName, ours) => {
    expect(drift(ours, modelName, modelName, [])).toEqual([]);
  });

  it("finds a member the model does not have, and one it has that the emulator would reject", () => {
    const invented: Shape = { union: { text: "string", sound: "string" } };
    expect(drift(invented, "SystemContentBlock", "S", [])).toEqual([
      "S.sound: not a member of SystemContentBlock",
      "S.guardContent: a member of SystemContentBlock the emulator would reject",
      "S.cachePoint: a member of SystemContentBlock the emulator would reject",
    ]);
  });
});
