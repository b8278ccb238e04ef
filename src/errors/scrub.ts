// Secrets never reach a caller or a log: these remove every known secret value from text and from errors.

const REDACTED = "[redacted]";

/** `text` with every secret of 4 characters or more replaced by [redacted]. */
export function scrubText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4 && out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}

/**
 * Removes every secret from an error before it reaches the caller: message, stack (captured with the first
 * message), string properties, and the cause chain (a cause that mentions a secret becomes a plain Error with
 * the secret redacted). Values shorter than 4 characters are not treated as secrets.
 */
export function scrubError<E extends Error>(error: E, secrets: readonly string[]): E {
  const list = secrets.filter((s) => typeof s === "string" && s.length >= 4);
  if (list.length === 0) return error;
  const target = error as unknown as Record<string, unknown>;
  for (const key of Object.getOwnPropertyNames(error)) {
    if (key === "cause") continue;
    const value = target[key];
    if (typeof value === "string") target[key] = scrubText(value, list);
  }
  let cause = error.cause;
  let holder: { cause?: unknown } = error;
  for (let depth = 0; cause !== undefined && cause !== null && depth < 8; depth++) {
    const text =
      cause instanceof Error
        ? `${cause.message}\n${cause.stack ?? ""}\n${safeString(cause)}`
        : safeString(cause);
    if (list.some((s) => text.includes(s))) {
      const name = cause instanceof Error ? cause.name : "Error";
      const clean = new Error(scrubText(cause instanceof Error ? cause.message : safeString(cause), list));
      clean.name = name;
      clean.stack = `${name}: ${clean.message}`;
      holder.cause = clean;
      break;
    }
    if (!(cause instanceof Error)) break;
    holder = cause;
    cause = cause.cause;
  }
  return error;
}

function safeString(value: unknown): string {
  try {
    return typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    return String(value);
  }
}
