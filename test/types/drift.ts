// Compares the TypeScript types in src/types/converse.ts with AWS's service model and lists every difference.
// Used by service-model.test.ts; kept apart so the test can also feed it altered models and see it complain.
import ts from "typescript";

export interface ModelShape {
  type: string;
  members?: Record<string, { shape: string; location?: string; locationName?: string }>;
  required?: string[];
  member?: { shape: string };
  key?: { shape: string };
  value?: { shape: string };
  enum?: string[];
  union?: boolean;
  eventstream?: boolean;
  document?: boolean;
}
export type Shapes = Record<string, ModelShape>;

/** Where the walk starts: the operations' input and output shapes. */
export const ROOTS = [
  "ConverseRequest",
  "ConverseResponse",
  "ConverseStreamRequest",
  "ConverseStreamResponse",
  "CountTokensRequest",
  "CountTokensResponse",
  "InvokeModelWithResponseStreamResponse",
  "ApplyGuardrailRequest",
  "ApplyGuardrailResponse",
];

/** The mapping from model shape to TypeScript type: the same name, except these renames. */
export const RENAMED: Record<string, string> = {
  // `Document` would shadow the DOM's global type of that name; the shape is any JSON value.
  Document: "JsonValue",
};

/** Reachable structures that have no TypeScript type of their own: their members, and why. */
export const NOT_TYPED: Record<string, { members: string[]; reason: string }> = {
  ConverseStreamResponse: {
    members: ["stream"],
    reason:
      "its only member is the HTTP payload (the event stream); the events are typed as ConverseStreamOutput",
  },
  InvokeModelWithResponseStreamResponse: {
    members: ["body", "contentType", "performanceConfigLatency", "serviceTier"],
    reason:
      "its payload is the event stream (typed as ResponseStream) and the rest are HTTP headers (InvokeModel's bodies are the model's own JSON)",
  },
};

/** Members that are not in the JSON body, with the reason. Any other HTTP-bound member fails the test. */
export const HTTP_BOUND: Record<string, string> = {
  "ConverseRequest.modelId": "URI label: POST /model/{modelId}/converse",
  "ConverseStreamRequest.modelId": "URI label: POST /model/{modelId}/converse-stream",
  "CountTokensRequest.modelId": "URI label: POST /model/{modelId}/count-tokens",
  "ApplyGuardrailRequest.guardrailIdentifier":
    "URI label: POST /guardrail/{guardrailIdentifier}/version/{guardrailVersion}/apply",
  "ApplyGuardrailRequest.guardrailVersion":
    "URI label: POST /guardrail/{guardrailIdentifier}/version/{guardrailVersion}/apply",
};

/** Exported types that are not model shapes. */
export const HELPERS = new Set(["ExactlyOne"]);

export const tsNameOf = (shape: string) => RENAMED[shape] ?? shape;

const isEnum = (s: ModelShape) => s.type === "string" && Array.isArray(s.enum);

/** Every structure (including unions and the event stream) and enum reachable from the roots. */
export function reachableShapes(shapes: Shapes): string[] {
  const seen = new Set<string>();
  const named: string[] = [];
  const walk = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const shape = shapes[name];
    if (!shape) throw new Error(`model refers to missing shape ${name}`);
    if (shape.type === "structure" || isEnum(shape)) named.push(name);
    for (const m of Object.values(shape.members ?? {})) walk(m.shape);
    if (shape.member) walk(shape.member.shape);
    if (shape.key) walk(shape.key.shape);
    if (shape.value) walk(shape.value.shape);
  };
  for (const root of ROOTS) walk(root);
  return named;
}

/** The TypeScript type text a member of this shape must have. */
export function expectedTypeText(shapes: Shapes, name: string): string {
  const shape = shapes[name];
  switch (shape.type) {
    case "structure":
      return tsNameOf(name);
    case "list":
      return `${expectedTypeText(shapes, shape.member!.shape)}[]`;
    case "map":
      return `Record<string,${expectedTypeText(shapes, shape.value!.shape)}>`;
    case "string":
      return isEnum(shape) ? tsNameOf(name) : "string";
    case "blob": // base64 text in JSON
      return "string";
    case "boolean":
      return "boolean";
    case "integer":
    case "long":
    case "float":
    case "double":
      return "number";
    default:
      return `<unmapped model type ${shape.type}>`;
  }
}

/** The compiled types file: its exported declarations, by name. */
export interface TypesModule {
  checker: ts.TypeChecker;
  exports: Map<string, ts.Symbol>;
}

export function loadTypes(program: ts.Program, file: string): TypesModule {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  if (!source) throw new Error(`${file} is not in the program`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`${file} is not a module`);
  const exports = new Map(checker.getExportsOfModule(moduleSymbol).map((s) => [s.name, s]));
  return { checker, exports };
}

interface Member {
  name: string;
  optional: boolean;
  typeText: string;
}

const isOptional = (p: ts.Symbol) => (p.flags & ts.SymbolFlags.Optional) !== 0;

/**
 * The type a property names, as written in its annotation (spaces removed). Comparing what is written keeps
 * alias names that the checker would resolve away (a one-value enum is just its literal to the checker).
 */
function typeTextOf(checker: ts.TypeChecker, prop: ts.Symbol): string {
  const decl = prop.valueDeclaration ?? prop.declarations?.[0];
  if (decl && ts.isPropertySignature(decl) && decl.type) return decl.type.getText().replace(/\s+/g, "");
  return checker.typeToString(checker.getNonNullableType(checker.getTypeOfSymbol(prop))).replace(/\s+/g, "");
}

function membersOf(checker: ts.TypeChecker, type: ts.Type): Member[] {
  return checker.getPropertiesOfType(type).map((p) => ({
    name: p.name,
    optional: isOptional(p),
    typeText: typeTextOf(checker, p),
  }));
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
const fmt = (xs: string[]) => `[${[...xs].sort().join(", ")}]`;

/** Checks one structure or union shape against its TypeScript type. Returns the problems found. */
function checkStructure(shapes: Shapes, name: string, types: TypesModule, type: ts.Type): string[] {
  const { checker } = types;
  const shape = shapes[name];
  const where = `${tsNameOf(name)} (shape ${name})`;
  const problems: string[] = [];
  const bodyMembers = Object.entries(shape.members ?? {}).filter(([m, ref]) => {
    const key = `${name}.${m}`;
    if (!ref.location) return true;
    if (!HTTP_BOUND[key])
      problems.push(`${key} is bound to the HTTP ${ref.location} but not listed in HTTP_BOUND`);
    return false;
  });
  const expectedNames = bodyMembers.map(([m]) => m);

  if (shape.union || shape.eventstream) {
    // Exactly-one union: one object type per member, each with that member required and the rest `?: never`.
    const variants = type.isUnion() ? type.types : [type];
    if (variants.length !== expectedNames.length) {
      problems.push(`${where}: ${variants.length} union variants, model has ${expectedNames.length} members`);
    }
    const seen: string[] = [];
    for (const variant of variants) {
      const members = membersOf(checker, variant);
      const set = members.filter((m) => !m.optional);
      if (set.length !== 1) {
        problems.push(`${where}: a variant sets ${fmt(set.map((m) => m.name))}, not exactly one member`);
        continue;
      }
      const [only] = set;
      seen.push(only.name);
      const others = members.filter((m) => m !== only).map((m) => m.name);
      if (
        !sameSet(
          others,
          expectedNames.filter((n) => n !== only.name),
        )
      ) {
        problems.push(
          `${where}: variant ${only.name} does not rule out exactly the other members (${fmt(others)})`,
        );
      }
      for (const other of checker.getPropertiesOfType(variant)) {
        if (other.name === only.name) continue;
        const t = checker.getNonNullableType(checker.getTypeOfSymbol(other));
        if (!(t.flags & ts.TypeFlags.Never))
          problems.push(`${where}: variant ${only.name} allows ${other.name} too`);
      }
      const ref = shape.members?.[only.name];
      if (ref && only.typeText !== expectedTypeText(shapes, ref.shape)) {
        problems.push(
          `${where}.${only.name}: type ${only.typeText}, model says ${expectedTypeText(shapes, ref.shape)}`,
        );
      }
    }
    if (!sameSet(seen, expectedNames)) {
      problems.push(`${where}: union members ${fmt(seen)}, model has ${fmt(expectedNames)}`);
    }
    return problems;
  }

  const members = membersOf(checker, type);
  const names = members.map((m) => m.name);
  if (!sameSet(names, expectedNames)) {
    const missing = expectedNames.filter((n) => !names.includes(n));
    const extra = names.filter((n) => !expectedNames.includes(n));
    problems.push(`${where}: members missing ${fmt(missing)}, not in the model ${fmt(extra)}`);
  }
  const required = new Set(shape.required ?? []);
  for (const member of members) {
    const ref = shape.members?.[member.name];
    if (!ref) continue;
    if (member.optional === required.has(member.name)) {
      problems.push(
        `${where}.${member.name}: ${member.optional ? "optional" : "required"} in TS, not in the model`,
      );
    }
    const expected = expectedTypeText(shapes, ref.shape);
    if (member.typeText !== expected)
      problems.push(`${where}.${member.name}: type ${member.typeText}, model says ${expected}`);
  }
  return problems;
}

/** Checks an enum shape: the TS type must be the union of exactly the model's string literals. */
function checkEnum(shapes: Shapes, name: string, types: TypesModule, type: ts.Type): string[] {
  const variants = type.isUnion() ? type.types : [type];
  const values = variants.map((t) =>
    t.isStringLiteral() ? t.value : `<not a string literal: ${types.checker.typeToString(t)}>`,
  );
  const expected = shapes[name].enum ?? [];
  return sameSet(values, expected)
    ? []
    : [`${tsNameOf(name)} (enum ${name}): values ${fmt(values)}, model has ${fmt(expected)}`];
}

/** Every difference between the model and the types; empty when they agree. */
export function driftProblems(shapes: Shapes, types: TypesModule): string[] {
  const problems: string[] = [];
  const reachable = reachableShapes(shapes);
  const typed = new Set<string>();
  for (const name of reachable) {
    const shape = shapes[name];
    const untyped = NOT_TYPED[name];
    if (untyped) {
      const members = Object.keys(shape.members ?? {});
      if (!sameSet(members, untyped.members)) {
        problems.push(`${name} (not typed: ${untyped.reason}): members now ${fmt(members)}`);
      }
      continue;
    }
    const tsName = tsNameOf(name);
    typed.add(tsName);
    const symbol = types.exports.get(tsName);
    if (!symbol) {
      problems.push(`shape ${name} is reachable but ${tsName} is not exported from the types`);
      continue;
    }
    const type = types.checker.getDeclaredTypeOfSymbol(symbol);
    if (shape.document) continue; // any JSON: checked by compiling examples in the test
    if (isEnum(shape)) problems.push(...checkEnum(shapes, name, types, type));
    else problems.push(...checkStructure(shapes, name, types, type));
  }
  for (const key of Object.keys(HTTP_BOUND)) {
    const [shape, member] = key.split(".");
    if (!shapes[shape]?.members?.[member]?.location)
      problems.push(`HTTP_BOUND lists ${key}, which the model no longer binds to HTTP`);
  }
  for (const exported of types.exports.keys()) {
    if (!typed.has(exported) && !HELPERS.has(exported)) {
      problems.push(`${exported} is exported but maps to no reachable model shape`);
    }
  }
  return problems;
}
