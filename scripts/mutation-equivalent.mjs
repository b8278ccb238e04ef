// Surviving mutants accepted on purpose (docs/testing.md lists them with the same reasons): equivalent to the
// original (no input tells them apart) or not worth a test (nothing a user could notice). scripts/mutation.mjs
// leaves them out of a module's score. A mutant is named by the code it replaces, its replacement, and a piece
// of its line (`near`), not by line number, so the list survives edits around it.

/** @type {Record<string, {original: string, replacement: string, near: string, why: string}[]>} */
export const ACCEPTED = {
  "src/stream/crc32.ts": [
    ...["false", "i + 8 < end"].map((replacement) => ({
      original: "i + 8 <= end",
      replacement,
      near: "i += 8",
      why: "the 8-byte loop is the fast path: the byte loop after it gives the same CRC for what it leaves",
    })),
  ],
  "src/client/run.ts": [
    {
      original: "plan.log.debugEnabled",
      replacement: "true",
      near: "pipeline.onConverseEvent",
      why: "with debug off the hook logs nothing: it only turns the delta fast path off (slower, same events)",
    },
  ],
  "src/errors/scrub.ts": [
    {
      original: "list.length === 0",
      replacement: "false",
      near: "return error",
      why: "the early return only saves work: with no secret of 4+ characters nothing is replaced or detected",
    },
    ...[
      ["cause !== undefined && cause !== null", "true"],
      ["cause !== undefined && cause !== null", "cause !== undefined || cause !== null"],
      ["cause !== undefined", "true"],
      ["cause !== null", "true"],
    ].map(([original, replacement]) => ({
      original,
      replacement,
      near: "depth < 8",
      why: 'a missing cause stringifies to "undefined" or "null", which holds no secret, and the loop stops there',
    })),
    {
      original: "depth < 8",
      replacement: "depth <= 8",
      near: "depth++",
      why: "the bound only ends a cause cycle; 8 or 9 levels is no promise",
    },
    {
      original: '""',
      replacement: '"Stryker was here!"',
      near: "cause.stack ??",
      why: "a placeholder for a missing stack: only a secret equal to the placeholder could tell",
    },
  ],
  "src/proxy/auth.ts": [
    {
      original: '""',
      replacement: '"Stryker was here!"',
      near: "header ??",
      why: "a missing header matches no Bearer pattern whatever stands in for it",
    },
    {
      original: '""',
      replacement: '"Stryker was here!"',
      near: "digest(token ??",
      why: "without a token the request is refused whatever is digested (the digest only evens out the timing)",
    },
    {
      original: "i < accept.length",
      replacement: "i <= accept.length",
      near: "diff |=",
      why: "one index past two 32-byte digests reads undefined ^ undefined = 0",
    },
    {
      original: "token === undefined",
      replacement: "false",
      near: "found !== 1",
      why: 'without a token "" is digested, and no accepted token can be "" (options require printable, non-empty)',
    },
  ],
  "src/proxy/cors.ts": [
    {
      original: "/^https?:$/",
      replacement: "/^https?:/",
      near: "url.protocol",
      why: "a URL's protocol is its scheme and one colon, always last: the end anchor cannot change a match",
    },
    {
      original: '""',
      replacement: '"Stryker was here!"',
      near: "access-control-request-headers",
      why: "the stand-in for a missing header is no allowed header name, so it is filtered out like nothing",
    },
  ],
  "src/proxy/route.ts": [
    {
      original: "dot > 0",
      replacement: "dot >= 0",
      near: "id.slice(0, dot)",
      why: "a dot at 0 gives an empty head either way",
    },
    {
      original: '""',
      replacement: '"Stryker was here!"',
      near: "id.slice(0, dot)",
      why: "the head stand-in is no region name either",
    },
  ],
  "src/auth/credentials.ts": [
    {
      original: "v === undefined",
      replacement: "false",
      near: 'v === ""',
      why: "undefined is returned either way",
    },
  ],
  "src/client/retry.ts": [
    {
      original: "value.trim()",
      replacement: "value",
      near: "const trimmed",
      why: "the one caller passes Headers.get(), which already strips surrounding whitespace",
    },
    {
      original: "{ once: true }",
      replacement: "{}",
      near: "addEventListener",
      why: "a signal aborts once: a listener left on an aborted signal never runs again",
    },
    {
      original: "true",
      replacement: "false",
      near: "addEventListener",
      why: "as above (once: false)",
    },
  ],
  "src/proxy/body.ts": [
    {
      original: "declared !== null",
      replacement: "true",
      near: "Number(declared) > limit",
      why: "Number(null) is 0, never over a positive limit",
    },
  ],
};

/** The accepted entry a report's mutant matches, if any. */
export function acceptedFor(module, mutant, source) {
  const lines = source.split("\n");
  const { start, end } = mutant.location;
  if (start.line !== end.line) return undefined;
  const line = lines[start.line - 1] ?? "";
  const original = line.slice(start.column - 1, end.column - 1);
  return (ACCEPTED[module] ?? []).find(
    (a) => a.original === original && a.replacement === mutant.replacement && line.includes(a.near),
  );
}
