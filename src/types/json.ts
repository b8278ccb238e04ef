// The one test for a JSON object (not null, not an array), beside the JSON types: config documents, request
// options, answers and event payloads are all checked with it.

/**
 * Whether `value` is an object that is neither null nor an array. Code that reads an AWS answer field by field
 * names the looser shape it reads: `isObject<Record<string, any>>(answer)`.
 */
export const isObject = <T = Record<string, unknown>>(value: unknown): value is T =>
  typeof value === "object" && value !== null && !Array.isArray(value);
