// Secrets out of errors and log lines (src/errors/scrub.ts): what a caller or a log sees of an error after the
// SDK scrubbed it. Written against the survivors of `npm run test:mutation -- src/errors/scrub.ts`.
import { describe, expect, it } from "vitest";
import { scrubError, scrubText } from "../../src/errors/scrub";

const KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const TOKEN = "IQoJb3JpZ2luX2VjEXAMPLETOKEN";

/** Every string a logger or a developer's console could show of an error and its cause chain. */
function shown(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 20; depth++) {
    if (!(e instanceof Error)) {
      parts.push(typeof e === "string" ? e : JSON.stringify(e));
      break;
    }
    parts.push(e.name, e.message, e.stack ?? "", JSON.stringify(e));
    e = e.cause;
  }
  return parts.join("\n");
}

describe("scrubText", () => {
  it("replaces every occurrence of each secret with [redacted]", () => {
    expect(scrubText(`key=${KEY}&again=${KEY} token=${TOKEN}`, [KEY, TOKEN])).toBe(
      "key=[redacted]&again=[redacted] token=[redacted]",
    );
  });

  it("treats values of 4 characters or more as secrets, shorter ones not (they would blank common words)", () => {
    expect(scrubText("pin abcd in the abc", ["abcd", "abc"])).toBe("pin [redacted] in the abc");
  });
});

describe("scrubError", () => {
  it("scrubs the message, the stack and string properties, and returns the same error", () => {
    const error = Object.assign(new Error(`signing with ${KEY} failed`), {
      url: `https://x/?t=${TOKEN}`,
      n: 3,
    });
    const out = scrubError(error, [KEY, TOKEN]);
    expect(out).toBe(error);
    expect(out.message).toBe("signing with [redacted] failed");
    expect(out.stack).toContain("signing with [redacted] failed");
    expect(out.stack).not.toContain(KEY);
    expect((out as Error & { url: string }).url).toBe("https://x/?t=[redacted]");
    expect((out as Error & { n: number }).n).toBe(3);
  });

  it("leaves an error alone when no secret is long enough to be one, and skips values that are not strings", () => {
    const error = new Error("code abc");
    expect(scrubError(error, ["abc"]).message).toBe("code abc");
    expect(scrubError(new Error("pin abcd"), ["abcd"]).message).toBe("pin [redacted]");
    // A credentials object without a session token gives undefined: not a crash, the others still scrubbed.
    const withKey = new Error(`bad ${KEY}`);
    expect(() => scrubError(withKey, [undefined as unknown as string, KEY])).not.toThrow();
    expect(withKey.message).toBe("bad [redacted]");
  });

  it("replaces a cause that mentions a secret (in its message) with a plain Error of the same name, redacted", () => {
    const cause = new TypeError(`fetch https://x/?token=${TOKEN}`);
    const error = new Error("request failed", { cause });
    scrubError(error, [KEY, TOKEN]);
    const clean = error.cause as Error;
    expect(clean).not.toBe(cause);
    expect(clean).toBeInstanceOf(Error);
    expect(clean.name).toBe("TypeError");
    expect(clean.message).toBe("fetch https://x/?token=[redacted]");
    expect(clean.stack).toBe("TypeError: fetch https://x/?token=[redacted]");
    expect(shown(error)).not.toContain(TOKEN);
  });

  it("finds a secret a cause holds only in its stack or in a property", () => {
    // A frame of the stack can name a URL with a signed query string.
    const cause = new Error("failed");
    cause.stack = `Error: failed\n    at https://cdn.example/app.js?X-Amz-Security-Token=${TOKEN}:1:2`;
    const error = new Error("outer", { cause });
    scrubError(error, [KEY, TOKEN]);
    expect(error.cause).not.toBe(cause);
    expect(shown(error)).not.toContain(TOKEN);

    const withProperty = Object.assign(new Error("socket hang up"), { header: `AWS4 Signature=${KEY}` });
    const outer = new Error("outer", { cause: withProperty });
    scrubError(outer, [KEY]);
    expect(outer.cause).not.toBe(withProperty);
    expect(shown(outer)).not.toContain(KEY);
  });

  it("keeps a cause that mentions no secret (even one shorter than 4 characters) as it is", () => {
    const cause = new Error("ECONNRESET abc");
    const error = new Error(`outer ${KEY}`, { cause });
    scrubError(error, [KEY, "abc"]);
    expect(error.cause).toBe(cause);
    expect(error.message).toBe("outer [redacted]");
  });

  it("walks the cause chain: a secret two causes down is removed, the causes above it kept", () => {
    const deep = new Error(`credentials ${KEY} rejected`);
    const middle = new Error("signer failed", { cause: deep });
    const error = new Error("request failed", { cause: middle });
    scrubError(error, [KEY]);
    expect(error.cause).toBe(middle);
    expect(middle.cause).not.toBe(deep);
    expect((middle.cause as Error).message).toBe("credentials [redacted] rejected");
    expect(shown(error)).not.toContain(KEY);
  });

  it("turns a cause that is a string or a plain object with a secret into a plain Error, redacted", () => {
    const fromString = new Error("outer", { cause: `token=${TOKEN}` });
    scrubError(fromString, [TOKEN]);
    expect(fromString.cause).toBeInstanceOf(Error);
    expect((fromString.cause as Error).name).toBe("Error");
    expect((fromString.cause as Error).message).toBe("token=[redacted]");

    const fromObject = new Error("outer", { cause: { headers: { authorization: `Bearer ${TOKEN}` } } });
    scrubError(fromObject, [TOKEN]);
    expect(fromObject.cause).toBeInstanceOf(Error);
    expect((fromObject.cause as Error).message).toBe('{"headers":{"authorization":"Bearer [redacted]"}}');
    expect(shown(fromObject)).not.toContain(TOKEN);
  });

  it("ends on a cause chain that loops back on itself", () => {
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    (a as { cause?: unknown }).cause = b;
    const error = new Error(`outer ${KEY}`, { cause: a });
    expect(scrubError(error, [KEY]).message).toBe("outer [redacted]");
    expect(error.cause).toBe(a);
  });
});
