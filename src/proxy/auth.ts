// Caller authentication: `Authorization: Bearer <token>` against the configured list. Tokens are compared as
// SHA-256 digests with a loop that always visits every byte of every token, so the time taken does not
// depend on where (or whether) a candidate differs from an accepted token.

const encoder = new TextEncoder();

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

/** The bearer token of an Authorization header, or undefined. */
export const bearerToken = (header: string | null): string | undefined =>
  /^Bearer +(\S+) *$/i.exec(header ?? "")?.[1];

/**
 * Returns a checker: the caller id of the token in the Authorization header when it is one of `tokens`
 * (`token:` and the first 16 hex digits of its SHA-256: stable, and never the token itself), else undefined.
 */
export function bearerTokenChecker(
  tokens: readonly string[],
): (header: string | null) => Promise<string | undefined> {
  let accepted: Promise<Uint8Array[]> | undefined;
  return async (header) => {
    accepted ??= Promise.all(tokens.map(digest));
    const token = bearerToken(header);
    // Digest something even without a token, so a missing header costs the same as a wrong one.
    const candidate = await digest(token ?? "");
    let found = 0;
    for (const accept of await accepted) {
      let diff = 0;
      for (let i = 0; i < accept.length; i++) diff |= accept[i] ^ candidate[i];
      found |= diff === 0 ? 1 : 0;
    }
    if (token === undefined || found !== 1) return undefined;
    let hex = "";
    for (let i = 0; i < 8; i++) hex += candidate[i].toString(16).padStart(2, "0");
    return `token:${hex}`;
  };
}
