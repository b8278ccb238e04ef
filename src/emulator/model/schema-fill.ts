import type { JsonValue } from "../../types/index.ts";
import { isObject } from "../../types/json.ts";
import { findExpression } from "./arithmetic.ts";

// Builds JSON that matches a JSON schema, filling values from the prompt where a property's name says
// what it wants (a city after "in", numbers, an arithmetic expression, an enum value the prompt names)
// and deterministic per-type defaults otherwise. Used for tool inputs and structured output.

type Schema = Record<string, unknown>;

const PLACE = /city|location|place|country|destination|region|town|where|address|state/i;
const EXPRESSION = /expression|expr|formula|equation|calculation|math|snippet|code/i;
const QUERY =
  /^(q|query|search|question|prompt|text|input|message|topic|concept|term|keywords?|subject|content)$/i;

export class PromptFacts {
  private numberCursor = 0;
  private readonly numbers: number[];
  constructor(readonly prompt: string) {
    this.numbers = (prompt.match(/-?\d+(?:\.\d+)?/g) ?? []).map(Number);
  }

  /** The capitalised words after "in"/"for"/"at"/..., e.g. "weather in New York" -> "New York". */
  place(): string | undefined {
    const after = /\b(?:in|for|at|to|near|from|of)\s+(\p{Lu}[\p{L}'-]*(?:\s+\p{Lu}[\p{L}'-]*)*)/u.exec(
      this.prompt,
    );
    if (after) return after[1];
    // Otherwise a capitalised word that does not start the sentence.
    const inner = /[^.!?\s]\s+(\p{Lu}[\p{L}'-]+)/u.exec(this.prompt);
    return inner?.[1];
  }

  nextNumber(): number | undefined {
    return this.numbers[this.numberCursor++];
  }

  quoted(): string | undefined {
    return /["“']([^"”']+)["”']/.exec(this.prompt)?.[1];
  }

  /** The prompt without a trailing question mark or period, or what follows "about". */
  topic(): string {
    const about = /\babout\s+(.+?)[?.!]*$/i.exec(this.prompt);
    return (about ? about[1] : this.prompt).replace(/[?.!\s]+$/, "");
  }
}

/** A value for property `name`, from the prompt if it says so, else undefined. */
function fromPrompt(name: string, schema: Schema, facts: PromptFacts): JsonValue | undefined {
  if (Array.isArray(schema.enum)) {
    const lower = facts.prompt.toLowerCase();
    return schema.enum.find((v) => typeof v === "string" && lower.includes(v.toLowerCase())) as
      | JsonValue
      | undefined;
  }
  const type = primaryType(schema);
  if (type === "number" || type === "integer") {
    const n = facts.nextNumber();
    return n === undefined ? undefined : type === "integer" ? Math.round(n) : n;
  }
  if (type === "boolean") return facts.prompt.toLowerCase().includes(name.toLowerCase()) ? true : undefined;
  if (type !== "string") return undefined;
  if (EXPRESSION.test(name)) return findExpression(facts.prompt)?.expression;
  if (PLACE.test(name)) return facts.place();
  if (QUERY.test(name)) return facts.topic();
  return facts.quoted();
}

function primaryType(schema: Schema): string | undefined {
  const type = schema.type;
  if (Array.isArray(type)) return type.find((t) => t !== "null") as string | undefined;
  if (typeof type === "string") return type;
  if (isObject(schema.properties)) return "object";
  if (schema.items !== undefined) return "array";
  return undefined;
}

export interface FillOptions {
  /** Fill every property, not just the required ones and those the prompt names (structured output). */
  allProperties?: boolean;
}

/** JSON matching `schema`, built from `facts` where possible. */
export function fillSchema(schema: unknown, facts: PromptFacts, options: FillOptions = {}): JsonValue {
  return fill(isObject(schema) ? schema : {}, "value", facts, options, isObject(schema) ? schema : {}, 0);
}

function fill(
  schema: Schema,
  name: string,
  facts: PromptFacts,
  options: FillOptions,
  root: Schema,
  depth: number,
): JsonValue {
  if (depth > 8) return null;
  const resolved = resolve(schema, root);
  if ("const" in resolved) return resolved.const as JsonValue;
  const variants = (resolved.anyOf ?? resolved.oneOf) as Schema[] | undefined;
  if (Array.isArray(variants) && variants.length > 0) {
    const pick = variants.find((v) => primaryType(resolve(v, root)) !== "null") ?? variants[0];
    return fill(pick, name, facts, options, root, depth + 1);
  }
  if (Array.isArray(resolved.allOf) && resolved.allOf.length > 0) {
    const merged = Object.assign({}, ...resolved.allOf.map((s) => resolve(s as Schema, root))) as Schema;
    return fill(merged, name, facts, options, root, depth + 1);
  }
  const type = primaryType(resolved);
  if (type === "object") {
    const properties = isObject(resolved.properties) ? resolved.properties : {};
    const required = new Set(Array.isArray(resolved.required) ? (resolved.required as string[]) : []);
    const out: Record<string, JsonValue> = {};
    for (const [key, sub] of Object.entries(properties)) {
      const subSchema = resolve(isObject(sub) ? sub : {}, root);
      const found = fromPrompt(key, subSchema, facts);
      if (found !== undefined) out[key] = found;
      else if (options.allProperties || required.has(key))
        out[key] = fill(subSchema, key, facts, options, root, depth + 1);
    }
    return out;
  }
  const found = depth === 0 ? undefined : fromPrompt(name, resolved, facts);
  if (found !== undefined) return found;
  if (resolved.default !== undefined) return resolved.default as JsonValue;
  if (Array.isArray(resolved.enum) && resolved.enum.length > 0) return resolved.enum[0] as JsonValue;
  if (Array.isArray(resolved.examples) && resolved.examples.length > 0)
    return resolved.examples[0] as JsonValue;
  switch (type) {
    case "array": {
      const count = Math.min(Math.max(Number(resolved.minItems) || 1, 1), 3);
      const items = isObject(resolved.items) ? resolved.items : {};
      return Array.from({ length: count }, () => fill(items, name, facts, options, root, depth + 1));
    }
    case "number":
    case "integer":
      return numberIn(resolved, type === "integer");
    case "boolean":
      return true;
    case "null":
      return null;
    default:
      return stringFor(resolved, name);
  }
}

/** The schema a `$ref` points to; boolean schemas (true/false) and junk count as "anything". */
function resolve(schema: unknown, root: Schema): Schema {
  if (!isObject(schema)) return {};
  const ref = schema.$ref;
  if (typeof ref !== "string" || !ref.startsWith("#/")) return schema;
  let target: unknown = root;
  for (const part of ref.slice(2).split("/")) target = isObject(target) ? target[part] : undefined;
  return isObject(target) ? target : {};
}

function numberIn(schema: Schema, integer: boolean): number {
  const min = typeof schema.minimum === "number" ? schema.minimum : undefined;
  const exclusiveMin = typeof schema.exclusiveMinimum === "number" ? schema.exclusiveMinimum + 1 : undefined;
  const max = typeof schema.maximum === "number" ? schema.maximum : undefined;
  let value = min ?? exclusiveMin ?? 1;
  if (max !== undefined && value > max) value = max;
  return integer ? Math.ceil(value) : value;
}

function stringFor(schema: Schema, name: string): string {
  switch (schema.format) {
    case "date":
      return "2024-01-01";
    case "date-time":
      return "2024-01-01T00:00:00Z";
    case "time":
      return "00:00:00";
    case "email":
      return "user@example.com";
    case "uri":
    case "url":
      return "https://example.com/";
    case "uuid":
      return "00000000-0000-4000-8000-000000000000";
  }
  let text = `example ${name}`;
  const minLength = Number(schema.minLength) || 0;
  while (text.length < minLength) text += "x";
  const maxLength = Number(schema.maxLength);
  return maxLength > 0 ? text.slice(0, maxLength) : text;
}
