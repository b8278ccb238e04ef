import type { ResponseExtras } from "../types/events.ts";

/** The response fields that only some calls carry, passed from the wire to `finish` and the result as they are. */
export const RESPONSE_EXTRAS = [
  "additionalModelResponseFields",
  "metrics",
  "trace",
  "performanceConfig",
  "serviceTier",
] as const satisfies readonly (keyof ResponseExtras)[];

/** The `keys` of `source` that are set (not undefined), as a new object: optional fields stay absent. */
export function definedFields(
  source: Record<string, any> | undefined,
  keys: readonly string[],
): Record<string, any> {
  const out: Record<string, any> = {};
  if (source) for (const k of keys) if (source[k] !== undefined) out[k] = source[k];
  return out;
}
