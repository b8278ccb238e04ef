// Structured output: `responseFormat` to Converse's `outputConfig.textFormat`, and the model's text parsed and
// checked against the schema with a small JSON Schema subset (type, properties, required, additionalProperties,
// items, enum, const, anyOf, local $ref). Other keywords (minLength, pattern, ...) are not checked.
import { RequestError, type SchemaIssue, StructuredOutputError } from "../errors/index.ts";
import { isObject } from "../types/json.ts";

export { type SchemaIssue, StructuredOutputError };

export type JsonSchema = Record<string, unknown>;

/** Asks the model for JSON matching `schema` (sent as `outputConfig.textFormat`). */
export interface ResponseFormat {
  type?: "json_schema";
  /** A JSON Schema object (or its JSON text). */
  schema: JsonSchema | string;
  name?: string;
  description?: string;
}

/** `responseFormat` to the wire's `outputConfig` (the schema travels as a JSON string). */
export function toOutputConfig(format: ResponseFormat, path: string): Record<string, unknown> {
  if (!isObject(format)) throw new RequestError(path, "expected {schema, name?, description?}");
  if (format.type !== undefined && format.type !== "json_schema") {
    throw new RequestError(
      `${path}.type`,
      `only "json_schema" is supported, got ${JSON.stringify(format.type)}`,
    );
  }
  const schema = schemaText(format.schema, `${path}.schema`);
  return {
    textFormat: {
      type: "json_schema",
      structure: {
        jsonSchema: {
          schema,
          ...(format.name !== undefined && { name: format.name }),
          ...(format.description !== undefined && { description: format.description }),
        },
      },
    },
  };
}

/** A schema as the wire wants it (a JSON string), checked to be a JSON object. */
export function schemaText(schema: unknown, path: string): string {
  if (typeof schema === "string") {
    parseSchema(schema, path);
    return schema;
  }
  if (!isObject(schema)) throw new RequestError(path, "expected a JSON Schema object");
  return JSON.stringify(schema);
}

function parseSchema(text: string, path: string): JsonSchema {
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch (error) {
    throw new RequestError(path, `the schema is not valid JSON (${(error as Error).message})`);
  }
  if (!isObject(schema)) throw new RequestError(path, "the schema must be a JSON object");
  return schema;
}

/** The schema a request asks for, from `responseFormat` or a native `outputConfig`; undefined when none. */
export function requestedSchema(options: {
  responseFormat?: ResponseFormat;
  outputConfig?: Record<string, any>;
}): JsonSchema | undefined {
  const given =
    options.responseFormat?.schema ?? options.outputConfig?.textFormat?.structure?.jsonSchema?.schema;
  if (given === undefined) return undefined;
  return typeof given === "string"
    ? parseSchema(given, "outputConfig.textFormat.structure.jsonSchema.schema")
    : given;
}

/** Parses the model's text and checks it against the schema; throws StructuredOutputError when it does not match. */
export function parseStructured(text: string, schema: JsonSchema, stopReason = "end_turn"): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new StructuredOutputError(text, [], stopReason, undefined, (error as Error).message);
  }
  const issues = validateJson(value, schema);
  if (issues.length) throw new StructuredOutputError(text, issues, stopReason, value);
  return value;
}

const typeOf = (v: unknown): string =>
  v === null
    ? "null"
    : Array.isArray(v)
      ? "array"
      : typeof v === "number" && Number.isInteger(v)
        ? "integer"
        : typeof v;

function typeMatches(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === "number" && actual === "integer");
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Every way `value` fails `schema` (an empty list when it matches). */
export function validateJson(
  value: unknown,
  schema: JsonSchema,
  root: JsonSchema = schema,
  path = "$",
): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const s = resolveRef(schema, root, path);
  if (Array.isArray(s.anyOf)) {
    const options = s.anyOf as JsonSchema[];
    if (!options.some((option) => validateJson(value, option, root, path).length === 0)) {
      issues.push({ path, message: `matches none of the ${options.length} allowed shapes (anyOf)` });
    }
  }
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    if (!types.some((t) => typeMatches(value, t))) {
      issues.push({ path, message: `expected ${types.join(" or ")}, got ${typeOf(value)}` });
      return issues; // the rest would only repeat it
    }
  }
  if (Array.isArray(s.enum) && !s.enum.some((e) => sameJson(e, value))) {
    issues.push({ path, message: `must be one of ${s.enum.map((e) => JSON.stringify(e)).join(", ")}` });
  }
  if ("const" in s && !sameJson(s.const, value))
    issues.push({ path, message: `must be ${JSON.stringify(s.const)}` });
  if (isObject(value)) {
    const properties = isObject(s.properties) ? (s.properties as Record<string, JsonSchema>) : {};
    if (Array.isArray(s.required)) {
      for (const key of s.required as string[]) {
        if (!Object.hasOwn(value, key))
          issues.push({ path, message: `missing required property ${JSON.stringify(key)}` });
      }
    }
    for (const [key, item] of Object.entries(value)) {
      const at = `${path}.${key}`;
      if (Object.hasOwn(properties, key)) issues.push(...validateJson(item, properties[key], root, at));
      else if (s.additionalProperties === false)
        issues.push({ path: at, message: "is not an allowed property" });
      else if (isObject(s.additionalProperties))
        issues.push(...validateJson(item, s.additionalProperties, root, at));
    }
  }
  if (Array.isArray(value) && isObject(s.items)) {
    const items = s.items as JsonSchema;
    for (let i = 0; i < value.length; i++)
      issues.push(...validateJson(value[i], items, root, `${path}[${i}]`));
  }
  return issues;
}

/** Follows a local `$ref` (`#/$defs/Name`, `#/definitions/Name`, `#`). */
function resolveRef(schema: JsonSchema, root: JsonSchema, path: string): JsonSchema {
  let s = schema;
  for (let hops = 0; typeof s.$ref === "string"; hops++) {
    const ref = s.$ref;
    if (!ref.startsWith("#") || hops > 32)
      throw new RequestError(path, `unsupported schema $ref ${JSON.stringify(ref)}`);
    let target: unknown = root;
    for (const part of ref.slice(2).split("/").filter(Boolean)) {
      target = isObject(target) ? target[part.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined;
    }
    if (!isObject(target)) throw new RequestError(path, `schema $ref ${JSON.stringify(ref)} points nowhere`);
    s = target;
  }
  return s;
}
