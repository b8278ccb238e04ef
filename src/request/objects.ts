// Generic object helpers for options and request bodies.
import { RequestError } from "../errors/index.ts";

/** A plain object (not an array, not bytes). */
export const isPlainObject = (v: unknown): v is Record<string, any> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);

/** Deep-merges `source` into `target` (objects merge, everything else replaces). */
export function deepMerge(target: Record<string, any>, source: Record<string, any>): Record<string, any> {
  for (const [k, v] of Object.entries(source)) {
    if (v === undefined) continue;
    target[k] = isPlainObject(v) && isPlainObject(target[k]) ? deepMerge({ ...target[k] }, v) : v;
  }
  return target;
}

/** Throws a RequestError naming any key of `values` that is not in `allowed`. */
export function checkKeys(values: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(values)) {
    if (!allowed.includes(key)) {
      throw new RequestError(`${path}.${key}`, `unknown option (allowed: ${allowed.join(", ")})`);
    }
  }
}
