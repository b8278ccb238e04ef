import { isObject } from "../../types/json.ts";
import { validationError } from "../http/errors.ts";

// A small declarative checker for the request shapes of the service model, so every member the
// emulator reads has the type it expects, and a wrong one is reported with its path.

export type Shape =
  | "string"
  | "nonEmptyString"
  | "boolean"
  | "any"
  | "object"
  | { enum: readonly string[] }
  | { pattern: RegExp; rule: string }
  | { array: Shape; nonEmpty?: boolean }
  | { struct: Record<string, Shape>; required?: readonly string[] }
  | { union: Record<string, Shape> };

export function constraint(value: unknown, path: string, rule: string): never {
  throw validationError(
    `1 validation error detected: Value '${String(value)}' at '${path}' failed to satisfy constraint: ${rule}`,
  );
}

/** Throws ValidationException naming `path` when `value` does not have `shape`. */
export function checkShape(value: unknown, shape: Shape, path: string): void {
  if (shape === "any") return;
  if (shape === "string" || shape === "nonEmptyString") {
    if (typeof value !== "string") throw validationError(`${path} must be a string.`);
    if (shape === "nonEmptyString" && value === "") {
      constraint(value, path, "Member must have length greater than or equal to 1");
    }
    return;
  }
  if (shape === "boolean") {
    if (typeof value !== "boolean") throw validationError(`${path} must be true or false.`);
    return;
  }
  if (shape === "object") {
    if (!isObject(value)) throw validationError(`${path} must be an object.`);
    return;
  }
  if ("enum" in shape) {
    if (!shape.enum.includes(value as string)) {
      constraint(value, path, `Member must satisfy enum value set: [${shape.enum.join(", ")}]`);
    }
    return;
  }
  if ("pattern" in shape) {
    if (typeof value !== "string" || !shape.pattern.test(value)) constraint(value, path, shape.rule);
    return;
  }
  if ("array" in shape) {
    if (!Array.isArray(value)) throw validationError(`${path} must be an array.`);
    if (shape.nonEmpty && value.length === 0) throw validationError(`${path} must not be empty.`);
    value.forEach((item, i) => {
      checkShape(item, shape.array, `${path}.${i}`);
    });
    return;
  }
  if (!isObject(value)) throw validationError(`${path} must be an object.`);
  if ("union" in shape) {
    const keys = Object.keys(shape.union);
    const set = Object.keys(value).filter((key) => value[key] !== undefined && value[key] !== null);
    if (set.length !== 1 || !keys.includes(set[0])) {
      throw validationError(
        `${path} must set exactly one of ${keys.join(", ")}; it sets ${set.length ? set.join(", ") : "none"}.`,
      );
    }
    checkShape(value[set[0]], shape.union[set[0]], `${path}.${set[0]}`);
    return;
  }
  for (const key of shape.required ?? []) {
    if (value[key] === undefined || value[key] === null) throw validationError(`${path}.${key} is required.`);
  }
  for (const [key, member] of Object.entries(shape.struct)) {
    if (value[key] !== undefined && value[key] !== null) checkShape(value[key], member, `${path}.${key}`);
  }
}
