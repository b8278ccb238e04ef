// A runner-agnostic test registry and a few asserts, so the same cases run under vitest, `deno test`,
// `bun test`, inside a workerd Worker and inside a Chromium page. Only web-standard APIs here.

/** What a runner provides to the cases. */
export interface Context {
  /** Base URL (no trailing slash) of a loopback Bedrock emulator serving the recorded captures. */
  emulatorUrl: string;
  /** Which runtime runs the cases (for messages only). */
  runtime: string;
}

export interface Case {
  name: string;
  fn: (ctx: Context) => void | Promise<void>;
}

export const cases: Case[] = [];

export function test(name: string, fn: Case["fn"]): void {
  if (cases.some((c) => c.name === name)) throw new Error(`duplicate case name: ${name}`);
  cases.push({ name, fn });
}

export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AssertionError";
  }
}

function show(value: unknown): string {
  try {
    const text = typeof value === "string" ? JSON.stringify(value) : JSON.stringify(value, replacer);
    return text === undefined ? String(value) : text.length > 400 ? `${text.slice(0, 400)}...` : text;
  } catch {
    return String(value);
  }
}

function replacer(_key: string, value: unknown) {
  if (value instanceof Uint8Array) return `Uint8Array(${value.length})`;
  return value;
}

export function ok(value: unknown, message: string): asserts value {
  if (!value) throw new AssertionError(message);
}

export function equal<T>(actual: T, expected: T, what = "value"): void {
  if (!Object.is(actual, expected))
    throw new AssertionError(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}

/** Structural equality of JSON-like values (objects, arrays, primitives, Uint8Array). */
export function deepEqual(actual: unknown, expected: unknown, what = "value"): void {
  const diff = firstDifference(actual, expected, what);
  if (diff) throw new AssertionError(diff);
}

function firstDifference(a: unknown, b: unknown, path: string): string | undefined {
  if (Object.is(a, b)) return undefined;
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    if (a.length !== b.length) return `${path}: expected ${b.length} bytes, got ${a.length}`;
    const i = a.findIndex((x, j) => x !== b[j]);
    return i < 0 ? undefined : `${path}[${i}]: expected byte ${b[i]}, got ${a[i]}`;
  }
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    return `${path}: expected ${show(b)}, got ${show(a)}`;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: expected ${show(b)}, got ${show(a)}`;
  const keysA = Object.keys(a).filter((k) => (a as any)[k] !== undefined);
  const keysB = Object.keys(b).filter((k) => (b as any)[k] !== undefined);
  for (const k of keysB)
    if (!keysA.includes(k)) return `${path}.${k}: missing (expected ${show((b as any)[k])})`;
  for (const k of keysA) if (!keysB.includes(k)) return `${path}.${k}: unexpected ${show((a as any)[k])}`;
  for (const k of keysB) {
    const d = firstDifference(
      (a as any)[k],
      (b as any)[k],
      Array.isArray(b) ? `${path}[${k}]` : `${path}.${k}`,
    );
    if (d) return d;
  }
  return undefined;
}

export function match(actual: unknown, pattern: RegExp, what = "value"): void {
  if (typeof actual !== "string" || !pattern.test(actual)) {
    throw new AssertionError(`${what}: expected to match ${pattern}, got ${show(actual)}`);
  }
}

export interface ErrorCheck {
  name?: string;
  message?: RegExp;
  instance?: abstract new (...args: any[]) => unknown;
}

function checkError(error: unknown, check: ErrorCheck, what: string): any {
  if (check.instance && !(error instanceof check.instance)) {
    throw new AssertionError(
      `${what}: expected an instance of ${check.instance.name}, got ${show(String(error))}`,
    );
  }
  const e = error as { name?: string; message?: string };
  if (check.name !== undefined) equal(e?.name, check.name, `${what} name`);
  if (check.message) match(e?.message, check.message, `${what} message`);
  return error;
}

/** Runs `fn`, expects it to throw, checks the error and returns it. */
export function throws(fn: () => unknown, check: ErrorCheck, what = "error"): any {
  try {
    fn();
  } catch (error) {
    return checkError(error, check, what);
  }
  throw new AssertionError(`${what}: expected a throw, nothing was thrown`);
}

/** Awaits `promise`, expects a rejection, checks the error and returns it. */
export async function rejects(promise: Promise<unknown>, check: ErrorCheck, what = "error"): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return checkError(error, check, what);
  }
  throw new AssertionError(`${what}: expected a rejection, the promise resolved`);
}

export interface CaseResult {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

/** Runs every case in order, each within `timeoutMs` (for runners without a framework: workerd, the page). */
export async function runAll(ctx: Context, only: Case[] = cases, timeoutMs = 30_000): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const c of only) {
    const started = Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        c.fn(ctx),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      results.push({ name: c.name, ok: true, ms: Date.now() - started });
    } catch (error) {
      const e = error as Error;
      results.push({ name: c.name, ok: false, ms: Date.now() - started, error: `${e?.name}: ${e?.message}` });
    } finally {
      clearTimeout(timer);
    }
  }
  return results;
}
