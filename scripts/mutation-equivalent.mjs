// Surviving mutants accepted on purpose (docs/testing.md lists them with the same reasons): equivalent to the
// original (no input tells them apart) or not worth a test (nothing a user could notice). scripts/mutation.mjs
// leaves them out of a module's score. A mutant is named by the code it replaces, its replacement, and a piece
// of its line (`near`), not by line number, so the list survives edits around it.

/**
 * `next`, when given, is a piece of the line after the mutant's, for a line that occurs twice.
 * @type {Record<string, {original: string, replacement: string, near: string, next?: string, why: string}[]>}
 */
export const ACCEPTED = {
  "src/stream/crc32.ts": [
    ...["false", "i + 8 < end"].map((replacement) => ({
      original: "i + 8 <= end",
      replacement,
      near: "i += 8",
      why: "the 8-byte loop is the fast path: the byte loop after it gives the same CRC for what it leaves",
    })),
  ],
  "src/stream/decode.ts": [
    {
      original: "[]",
      replacement: '["Stryker was here"]',
      near: "readonly frames: any[]",
      why: "a slot is written before it is read: frameSlots counts the slots in use",
    },
    ...[
      "body: f[k + FrameSlot.Bytes]",
      "f[k + FrameSlot.Bytes] = bytes",
      "this.frames[k + FrameSlot.Bytes] =",
    ].map((near) => ({
      original: "k + FrameSlot.Bytes",
      replacement: "k - FrameSlot.Bytes",
      near,
      why: "FrameSlot.Bytes is 0: k - 0 is k + 0",
    })),
    {
      original: "k < this.frameSlots",
      replacement: "k <= this.frameSlots",
      near: "for (let k = 0; k < this.frameSlots",
      next: "this.frames[k + FrameSlot.Bytes] = this.frames[k + FrameSlot.View] = undefined",
      why: "release() clearing one slot past those in use clears slots that are unset already",
    },
    ...[
      ["{ fatal: true }", "{}"],
      ["true", "false"],
    ].map(([original, replacement]) => ({
      original,
      replacement,
      near: 'utf8 ??= new TextDecoder("utf-8", { fatal: true })',
      why: "not observable under Stryker: the decoder is made once per module (`??=`) and the Vitest runner keeps the module loaded, so the one made before the mutant is active is kept. Applied by hand it fails decode.test.ts (a name or string value that is not UTF-8)",
    })),
    {
      original: "n - i >= PRELUDE",
      replacement: "n - i > PRELUDE",
      near: "while (n - i",
      why: "with exactly a prelude left, startPartial checks it the same way and carries it to the next chunk",
    },
    {
      original: "headersEnd - start <= MAX_CACHED_HEADER_BYTES",
      replacement: "headersEnd - start < MAX_CACHED_HEADER_BYTES",
      near: "const cached =",
      why: "a block of exactly 1 KiB is parsed each time instead of cached: slower, the same headers",
    },
    {
      original: "this.headerCache.unshift(entry) > 16",
      replacement: "this.headerCache.unshift(entry) >= 16",
      near: "this.headerCache.pop()",
      why: "the cache keeps 15 blocks instead of 16 (Bedrock sends a handful): slower past 15, the same headers",
    },
  ],
  "src/stream/accumulate.ts": [
    ...["true", "this.texts.length >= 1"].map((replacement) => ({
      original: "this.texts.length > 1",
      replacement,
      near: "this.texts = [this.texts.join",
      why: "joining a list of one string gives that string: only the work changes",
    })),
    {
      original: '""',
      replacement: '"Stryker was here!"',
      near: "return this.texts[0] ??",
      why: "texts starts as [outputText] and is never emptied: texts[0] is always a string",
    },
    {
      original: "!block.done",
      replacement: "true",
      near: "this.stop(index, out)",
      why: "stop() returns at once for a block that is done",
    },
    ...[
      ["block !== this.lastText && !this.texts", "true"],
      ["block !== this.lastText", "true"],
      ["block !== this.lastText && !this.texts", "block !== this.lastText || !this.texts"],
      ["block.text || block.tail.length", "true"],
    ].map(([original, replacement]) => ({
      original,
      replacement,
      near:
        original === "block.text || block.tail.length"
          ? "this.texts = [this.outputText]"
          : "if (block !== this.lastText",
      why: "switches outputText to the running list earlier, which gives the text in stream order as well (memory only)",
    })),
    {
      original: "this.texts.push(delta.text) === RUN",
      replacement: "this.texts.push(delta.text) !== RUN",
      near: "void this.outputText",
      why: "only when the pieces are joined changes (the joined text is the same)",
    },
    {
      original: "block.tail.push(piece) === RUN",
      replacement: "block.tail.push(piece) !== RUN",
      near: "textOf(block)",
      why: "only when the pieces are joined changes (the joined text is the same)",
    },
    {
      original: "block.tail.length",
      replacement: "true",
      near: "if (block.tail.length) {",
      why: "joining an empty tail adds an empty string",
    },
    {
      original: 'block.kind === "tool"',
      replacement: "true",
      near: "block.toolUse) {",
      why: 'a block with toolUse always has kind "tool": start() sets both together and nothing resets kind',
    },
    {
      original: "block.signature === undefined",
      replacement: "true",
      near: "block.redacted && !block.text",
      why: "differs only for redacted content with a signature and no text, which Converse never sends (a reasoning block is reasoningText with its signature or redactedContent)",
    },
    {
      original: "[]",
      replacement: '["Stryker was here"]',
      near: "(block.deltas ?? []).flatMap",
      why: "the stand-in string holds no toolResult list, so flatMap adds nothing either way",
    },
  ],
  "src/stream/delta-scan.ts": [
    ...["true", "at + want.length >= end"].map((replacement) => ({
      original: replacement === "true" ? "false" : "at + want.length > end",
      replacement,
      near: "if (at + want.length > end) return false",
      why: "a pattern that does not fit is never a match: with `true` the later checks decline the frame (back < start, no digit), and an exact fit is followed by bytes a delta needs",
    })),
    ...[
      ["k - 4 >= from", "false"],
      ["k - 4 >= from", "true"],
      ["k - 4 >= from", "k - 4 > from"],
      ["k - 4 >= from", "k - 4 < from"],
      ["k - 4", "k + 4"], // the guard's (getInt32(k - 4)'s twin on this line is killed by delta-scan.test.ts)
    ].map(([original, replacement]) => ({
      original,
      replacement,
      near: "while (k - 4 >= from && !special4",
      why: "the word loop only skips plain padding four bytes at a time; it stops at the padding's opening quote, which lies above `from`, and the byte loop finds the same byte",
    })),
    {
      original: "k - 4 >= from && !special4(view.getInt32(k - 4))",
      replacement: "false",
      near: "while (k - 4 >= from && !special4",
      why: "without the word loop the byte loop finds the same byte",
    },
    {
      original: "--k >= from",
      replacement: "--k > from",
      near: "while (--k >= from && !special",
      why: "the padding's opening quote, the byte looked for, always lies above `from` (the string's start)",
    },
    {
      original: "bytes[back] !== QUOTE",
      replacement: "false",
      near: "if (bytes[back] !== QUOTE) return false",
      why: "the PAD match that follows checks that same byte (PAD ends with a quote)",
    },
    ...[
      ["k < end && !special(bytes[k])", "false"],
      ["k < end", "false"],
      ["k < end", "true"],
      ["k < end", "k <= end"],
      ["k < end", "k >= end"],
      ["k++", "k--"],
      ["k === end", "false"],
    ].map(([original, replacement]) => ({
      original,
      replacement,
      near: original === "k === end" ? "return k === end" : "while (k < end && !special(bytes[k])) k++",
      why: "the plain check only picks the cheaper decoder: JSON.parse of the quoted string gives the same string (or undefined for the same inputs)",
    })),
    {
      original: "{ return undefined; }",
      replacement: "{}",
      near: "} catch {",
      why: "an empty catch block returns undefined as well",
    },
    ...[
      ["at + to - from > this.bytes.length", "at + to - from >= this.bytes.length"],
      ["at + to - from", "at + to + from"],
      ["2 * this.bytes.length + to - from", "2 * this.bytes.length + to + from"],
    ].map(([original, replacement]) => ({
      original,
      replacement,
      near: original.startsWith("2 *") ? "const bigger" : "if (at + to - from > this.bytes.length)",
      why: "the batch grows earlier or larger, or a long string is decoded alone: memory and speed only, the same strings",
    })),
    ...[
      ["read + 4 <= to", "false"],
      ["read + 4 <= to", "read + 4 < to"],
    ].map(([original, replacement]) => ({
      original,
      replacement,
      near: "if (read + 4 <= to)",
      why: "four bytes at a time is the fast path: the byte loop after it decodes the same bytes",
    })),
    {
      original:
        "{ // Four bytes at a time up to the first one that is special or not ASCII (the lowest flagged byte of // these masks is exact; the bytes written past it are overwritten next). const word = view.getInt32(read, true); const flagged = (word & 0x80808080) | special4(word); outView.setInt32(write, word, true); const plain = flagged ? (31 - Math.clz32(flagged & -flagged)) >> 3 : 4; read += plain; write += plain; if (plain === 4) continue; }",
      replacement: "{}",
      near: "if (read + 4 <= to) {",
      why: "four bytes at a time is the fast path: the byte loop after it decodes the same bytes",
    },
    {
      original: "c < 0",
      replacement: "c <= 0",
      near: "if (c < 0) return -1",
      why: "c is never 0 there: a NUL byte is special and already became -1",
    },
  ],
  "src/stream/pipeline.ts": [
    {
      original: "[]",
      replacement: '["Stryker was here"]',
      near: "private reads: any[]",
      why: "the first pass writes every read slot of a chunk before the second pass reads it",
    },
    {
      original: "false",
      replacement: "true",
      near: "let delta = false",
      why: "the first frame's headers always differ from the initial undefined, so delta is set before it is read",
    },
    {
      original: "k + FrameSlot.Headers",
      replacement: "k - FrameSlot.Headers",
      near: "headers = frames[k + FrameSlot.Headers]",
      why: "the last-headers shortcut never hits: isDelta is asked per frame, of the right slot (slower, the same)",
    },
    ...["true", "at <= 0"].map((replacement) => ({
      original: "at < 0",
      replacement,
      near: "scanner.text(bytes)",
      why: "the batch only saves TextDecoder calls: scanner.text decodes the same string alone",
    })),
    ...["reads[q + ReadSlot.Text] = text", "let text = reads[q + ReadSlot.Text]"].map((near) => ({
      original: "q + ReadSlot.Text",
      replacement: "q - ReadSlot.Text",
      near,
      why: "ReadSlot.Text is 0: q - 0 is q + 0",
    })),
    ...[
      "const bytes: Uint8Array = frames[k + FrameSlot.Bytes]",
      "const bytes = frames[k + FrameSlot.Bytes]",
    ].map((near) => ({
      original: "k + FrameSlot.Bytes",
      replacement: "k - FrameSlot.Bytes",
      near,
      why: "FrameSlot.Bytes is 0: k - 0 is k + 0",
    })),
    {
      original: "frames[k + FrameSlot.Headers] !== headers",
      replacement: "true",
      near: "if (frames[k + FrameSlot.Headers] !== headers)",
      why: "isDelta is asked for every frame instead of once per run of frames with the same headers: slower, the same answer",
    },
  ],
  "src/auth/sigv4.ts": [
    {
      original: '["", ""]',
      replacement: "[]",
      near: ': ["", ""];',
      why: 'a path with no segments left joins to "" either way, and the `|| "/"` after it makes it "/"',
    },
    {
      original: "x < y",
      replacement: "x <= y",
      near: "pairs.sort(",
      why: "only equal pairs compare differently, and equal pairs cannot be told apart in the sorted list",
    },
    ...["true", "false", "x >= y", "x <= y"].map((replacement) => ({
      original: "x > y",
      replacement,
      near: "pairs.sort(",
      why: "JavaScript engines' sort asks only whether the comparator is below 0 (V8: 200 random arrays of up to 300 pairs sorted alike); equal pairs cannot be told apart",
    })),
    {
      original: "false",
      replacement: "true",
      near: 'crypto.subtle.importKey("raw"',
      why: "whether the HMAC key is extractable: nothing exports it",
    },
    {
      original: "() => keyCache.delete(id)",
      replacement: "() => undefined",
      near: "key.catch(",
      why: "a derivation fails only when Web Crypto itself does, which no real runtime here can be made to do",
    },
    {
      original: "[parts.query, ...params.map(([k, v]) => `${k}=${uriEncode(v)}`)].filter(Boolean)",
      replacement: "[parts.query, ...params.map(([k, v]) => `${k}=${uriEncode(v)}`)]",
      near: "const query = [parts.query",
      why: "a missing query only adds an empty pair, which the canonical query skips",
    },
    ...[
      'response.headers.get("x-amzn-errortype") ??',
      "const text = body ??",
      'response.headers.get("date") ??',
    ].map((near) => ({
      original: '""',
      replacement: '"Stryker was here!"',
      near,
      why: "the stand-in for a missing header or body names no error type, quotes no time and parses to no date",
    })),
  ],
  "src/client/call.ts": [
    {
      original: "plan.log.debugEnabled",
      replacement: "true",
      near: "plan.log.debug(`POST",
      why: "below debug level the logger drops the line: the guard only saves building it",
    },
    ...[
      ["{ once: true }", "{}"],
      ["true", "false"],
    ].flatMap(([original, replacement]) =>
      ['plan.signal?.addEventListener("abort", onUserAbort', 'signal.addEventListener("abort", onAbort,'].map(
        (near) => ({
          original,
          replacement,
          near,
          why: "the listener is removed when its wait ends (finally / settle), and a signal aborts only once",
        }),
      ),
    ),
    {
      original: "ms < left",
      replacement: "ms <= left",
      near: "!(ms > 0 && ms < left)",
      why: "differs only when the wait's timer and the deadline end in the same millisecond: either names a timeout that is due",
    },
    {
      original: "disarm();",
      replacement: ";",
      near: "disarm();",
      next: "await sleep(",
      why: "the finally after the backoff clears the timer too; an old attempt's timer firing during the sleep aborts only that attempt's controller, which nothing reads any more",
    },
    {
      original: "after !== undefined",
      replacement: "true",
      near: "error.retryAfterMs = after",
      why: "without Retry-After it assigns undefined, which the field already is",
    },
    {
      original: "/^Bearer\\s+/i",
      replacement: "/Bearer\\s+/i",
      near: "secrets.push(value, value.replace(",
      why: 'differs only for a header with "Bearer " after its start, which no bearer or SigV4 value has; it would only scrub more',
    },
    {
      original: '"abort"',
      replacement: '""',
      near: 'signal.removeEventListener("abort", onAbort)',
      next: "reject(error)",
      why: "a failed wait ends its attempt, whose controller is then dropped: at most one stale listener per attempt, no growth (the success path's twin is killed)",
    },
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
  const line = lines[start.line - 1] ?? "";
  // A mutant over several lines (a block) is named by its code with each run of whitespace as one space.
  const original =
    start.line === end.line
      ? line.slice(start.column - 1, end.column - 1)
      : [
          line.slice(start.column - 1),
          ...lines.slice(start.line, end.line - 1),
          (lines[end.line - 1] ?? "").slice(0, end.column - 1),
        ]
          .join("\n")
          .replace(/\s+/g, " ");
  return (ACCEPTED[module] ?? []).find(
    (a) =>
      a.original === original &&
      a.replacement === mutant.replacement &&
      line.includes(a.near) &&
      (a.next === undefined || (lines[start.line] ?? "").includes(a.next)),
  );
}

/** The accepted list as the rows of docs/testing.md's table (`node scripts/mutation.mjs --accepted` prints it). */
export function acceptedRows() {
  const code = (text) => `\`${text.replaceAll("|", "\\|")}\``;
  return Object.entries(ACCEPTED).flatMap(([module, list]) =>
    list.map(
      (a) =>
        `| ${module} | ${code(a.original)} -> ${code(a.replacement)} (near ${code(a.near)}) | ${a.why.replaceAll("|", "\\|")} |`,
    ),
  );
}
