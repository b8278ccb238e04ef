// Bedrock serialises every JSON object with its keys in sorted order (see the recorded captures),
// so the emulator does the same to produce the same bytes.

/** JSON text with object keys sorted at every level; `undefined` members are dropped like JSON.stringify. */
export function sortedJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const member = (value as Record<string, unknown>)[key];
    if (member !== undefined) sorted[key] = sortKeys(member);
  }
  return sorted;
}

export const utf8 = /* @__PURE__ */ new TextEncoder();
