// Caller authentication: `Authorization: Bearer <token>` against the configured list. Tokens are compared as
// SHA-256 digests with a loop that always visits every byte of every token, so the time taken does not
// depend on where (or whether) a candidate differs from an accepted token.

const encoder = new TextEncoder();

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

/** Returns a checker: true when the Authorization header carries one of `tokens`. */
export function bearerTokenChecker(tokens: readonly string[]): (header: string | null) => Promise<boolean> {
  let accepted: Promise<Uint8Array[]> | undefined;
  return async (header) => {
    accepted ??= Promise.all(tokens.map(digest));
    const match = /^Bearer +(\S+) *$/i.exec(header ?? "");
    // Digest something even without a token, so a missing header costs the same as a wrong one.
    const candidate = await digest(match ? match[1] : "");
    let found = 0;
    for (const token of await accepted) {
      let diff = 0;
      for (let i = 0; i < token.length; i++) diff |= token[i] ^ candidate[i];
      found |= diff === 0 ? 1 : 0;
    }
    return match !== null && found === 1;
  };
}
