#!/usr/bin/env node
// Generates src/types/converse.ts from AWS's botocore service model (test/fixtures/service-model/service-2.json).
// Run once per model update, then review and commit the output: `node scripts/gen-types.mjs`.
// test/types/service-model.test.ts checks the committed file against the model, so the two cannot drift.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const modelPath = join(root, "test/fixtures/service-model/service-2.json");
const outPath = join(root, "src/types/converse.ts");

const model = JSON.parse(readFileSync(modelPath, "utf8"));
const shapes = model.shapes;

/** Where the walk starts, with the section title printed above what each root reaches first. */
const ROOTS = [
  ["ConverseRequest", "Converse request"],
  ["ConverseStreamRequest", "ConverseStream request"],
  ["ConverseResponse", "Converse response"],
  ["ConverseStreamOutput", "ConverseStream events"],
  ["CountTokensRequest", "CountTokens request"],
  ["CountTokensResponse", "CountTokens response"],
  ["ResponseStream", "InvokeModelWithResponseStream events"],
  ["ApplyGuardrailRequest", "ApplyGuardrail request"],
  ["ApplyGuardrailResponse", "ApplyGuardrail response"],
];

/** Shapes whose TypeScript name differs from the model's (`Document` would shadow the DOM's global). */
const RENAMES = { Document: "JsonValue" };

const tsName = (shape) => RENAMES[shape] ?? shape;

/** First sentence of the model's HTML documentation, as plain text, or "" when there is none. */
function shortDoc(html) {
  if (!html) return "";
  let text = html
    .replace(/<[^>]+>/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .replace(/\s+([.,;:)])/g, "$1")
    .replace(/\(\s+/g, "(")
    .trim();
  const end = text.search(/\.\s+[A-Z]/);
  if (end > 0) text = text.slice(0, end + 1);
  if (text.length > 220) text = `${text.slice(0, 217).replace(/\s+\S*$/, "")}...`;
  // Some model docs are truncated ("The "): a doc of one word says nothing, so leave it out.
  if (!text.includes(" ")) return "";
  return text.replace(/\*\//g, "*\\/");
}

/** Splits text into lines of at most `width` characters, at spaces. */
function wrap(text, width) {
  const lines = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

function docComment(lines, indent = "") {
  const kept = lines.filter(Boolean).flatMap((l) => wrap(l, 100 - indent.length));
  if (kept.length === 0) return "";
  if (kept.length === 1) return `${indent}/** ${kept[0]} */\n`;
  return `${indent}/**\n${kept.map((l) => `${indent} * ${l}`).join("\n")}\n${indent} */\n`;
}

const isEnum = (shape) => shape.type === "string" && Array.isArray(shape.enum);

/** The TypeScript type text for a reference to a shape. */
function typeRef(name) {
  const shape = shapes[name];
  switch (shape.type) {
    case "structure":
      return tsName(name);
    case "list":
      return `${typeRef(shape.member.shape)}[]`;
    case "map":
      return `Record<string, ${typeRef(shape.value.shape)}>`;
    case "string":
      return isEnum(shape) ? tsName(name) : "string";
    case "blob":
      return "string";
    case "boolean":
      return "boolean";
    case "integer":
    case "long":
    case "float":
    case "double":
      return "number";
    default:
      throw new Error(`gen-types: shape ${name} has type ${shape.type}, which this generator does not map`);
  }
}

// Walk every shape reachable from the roots, depth first, so related types sit together in the output.
const order = [];
const sectionStart = new Map();
const seen = new Set();
function walk(name) {
  if (seen.has(name)) return;
  seen.add(name);
  const shape = shapes[name];
  if (shape.type === "structure" || isEnum(shape)) order.push(name);
  if (shape.type === "structure") for (const m of Object.values(shape.members)) walk(m.shape);
  if (shape.type === "list") walk(shape.member.shape);
  if (shape.type === "map") walk(shape.value.shape);
}
for (const [name, title] of ROOTS) {
  sectionStart.set(order.length, title);
  walk(name);
}

function memberLines(shape) {
  const required = new Set(shape.required ?? []);
  let out = "";
  for (const [member, ref] of Object.entries(shape.members)) {
    // HTTP-bound members (modelId in the URI) are not part of the JSON body these types describe.
    if (ref.location) continue;
    const target = shapes[ref.shape];
    const doc = [shortDoc(ref.documentation)];
    if (target.type === "blob") doc.push("Base64 text in the JSON wire format (AWS `blob`).");
    out += docComment(doc, "  ");
    const optional = shape.union || shape.eventstream || required.has(member) ? "" : "?";
    out += `  ${member}${optional}: ${typeRef(ref.shape)};\n`;
  }
  return out;
}

function declaration(name) {
  const shape = shapes[name];
  const doc = [shortDoc(shape.documentation)];
  if (isEnum(shape)) {
    return `${docComment(doc)}export type ${tsName(name)} = ${shape.enum.map((v) => JSON.stringify(v)).join(" | ")};\n`;
  }
  if (shape.document) {
    return `${docComment(["Any JSON value: the model's `Document` shape (tool input and schemas, additional model fields)."])}export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };\n`;
  }
  if (name === "ConverseRequest" || name === "ConverseStreamRequest") {
    doc.push("The JSON body: `modelId` is not here because it travels in the URL path.");
  }
  if (shape.union) doc.push("A model union: exactly one member is set.");
  const members = memberLines(shape);
  if (!members) return `${docComment(doc)}export type ${tsName(name)} = Record<string, never>;\n`;
  if (shape.union || shape.eventstream) {
    if (shape.eventstream) doc.push("One event per stream frame; exceptions arrive as frames of their own.");
    return `${docComment(doc)}export type ${tsName(name)} = ExactlyOne<{\n${members}}>;\n`;
  }
  return `${docComment(doc)}export interface ${tsName(name)} {\n${members}}\n`;
}

let out = `// Generated by scripts/gen-types.mjs from test/fixtures/service-model/service-2.json
// (botocore bedrock-runtime ${model.metadata.apiVersion}). Edit the generator, not this file.
//
// Types only: this module compiles to nothing, so it costs no bundle bytes.
// Wire conventions: these are the JSON bodies as sent and received. AWS \`blob\` members (image, document,
// video, audio bytes; redacted reasoning) are base64 strings; numbers are JSON numbers.
//
// Unions (\`"union": true\` in the model) use ExactlyOne: an object with exactly one member set, the others
// typed \`?: never\`. Object literals with two members fail to compile, every member can be read without a
// cast (\`block.text\` is \`string | undefined\`), and \`block.text !== undefined\` narrows to the text member.
// AWS may add union members later: code reading responses should ignore keys it does not know.

/** Exactly one key of \`T\` is set; the other keys are \`?: never\`. */
export type ExactlyOne<T> = {
  [K in keyof T]: ({ [P in K]-?: T[P] } & { [P in Exclude<keyof T, K>]?: never }) extends infer O
    ? { [P in keyof O]: O[P] }
    : never;
}[keyof T];
`;

order.forEach((name, index) => {
  const title = sectionStart.get(index);
  if (title) out += `\n// ---- ${title} ----\n`;
  out += `\n${declaration(name)}`;
});

writeFileSync(outPath, out);
// Format as the repo does, so regenerating an unchanged model gives an unchanged file.
execFileSync(join(root, "node_modules/.bin/biome"), ["format", "--write", outPath], { stdio: "ignore" });
console.log(`gen-types: wrote ${order.length} types to ${outPath}`);
