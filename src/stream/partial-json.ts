// An incremental JSON parser for streamed tool input: fragments in, a best-effort snapshot of the value out.
// It keeps its state between fragments (a stack of open containers, the string or token in progress), so each
// character is examined once: O(total length) however the input is split.

enum State {
  Value, // expecting a value
  String, // inside a string
  Token, // a number or true/false/null
  KeyOrEnd, // after `{`: a key or `}`
  Key, // after `,` in an object: a key
  Colon,
  AfterValue, // `,` or the container's end
  Done, // the root value is complete
  Failed,
}

interface Frame {
  container: Record<string, unknown> | unknown[];
  isArray: boolean;
  /** The key whose value is being read (objects). */
  key: string;
}

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
// Digits, sign, dot, exponent, and the letters of true/false/null: what a number or literal is made of.
const isTokenChar = (c: number) =>
  (c >= 0x30 && c <= 0x39) ||
  (c >= 0x61 && c <= 0x7a) ||
  c === 0x2d ||
  c === 0x2e ||
  c === 0x2b ||
  c === 0x45;

/** Sets a key as JSON.parse does: `__proto__` becomes an own property, never the prototype. */
function setKey(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__")
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

/** True when the quote at `at` is escaped: an odd run of backslashes before it (searched back to `from`). */
function escapedAt(text: string, from: number, at: number): boolean {
  let k = at - 1;
  while (k >= from && text.charCodeAt(k) === 0x5c) k--;
  return (at - 1 - k) % 2 === 1;
}

function escapeComplete(seq: string): boolean {
  return seq.length >= 2 && (seq[1] !== "u" || seq.length >= 6);
}

/** Where an escape cut by the end of a run starts (the run's length when none is cut). */
function cutEscape(run: string): number {
  const last = run.lastIndexOf("\\");
  if (last < 0 || last < run.length - 6) return run.length;
  let k = last - 1;
  while (k >= 0 && run.charCodeAt(k) === 0x5c) k--;
  if ((last - k) % 2 === 0) return run.length; // an even run: the last backslash is itself escaped
  return escapeComplete(run.slice(last)) ? run.length : last;
}

/** Decodes a run of JSON string content natively; undefined when it is not valid. */
function decode(run: string): string | undefined {
  try {
    return JSON.parse(`"${run}"`);
  } catch {
    return undefined;
  }
}

const show = (c: number) => JSON.stringify(String.fromCharCode(c));

/**
 * Feed fragments of one JSON text; `value` is the snapshot so far. The snapshot only grows: containers appear when
 * opened and gain members as they complete, a string value appears as soon as it opens and grows as it streams,
 * numbers and literals appear once complete, a key appears once its value has started. It is live: the same
 * objects grow in place (copy it, e.g. with structuredClone, to keep one state). Bad JSON stops the parser
 * (`error` says why) and keeps the last snapshot; it never throws. Best effort: the final word on validity is
 * JSON.parse of the whole text.
 */
export class PartialJsonParser {
  /** The snapshot so far; undefined until a value has started. */
  value: unknown = undefined;
  /** Why parsing stopped, when the text is not JSON. */
  error: string | undefined;
  /** Characters consumed so far, each once: equals the total length fed while the text is valid. */
  scanned = 0;

  private state = State.Value;
  private stack: Frame[] = [];
  private top: Frame | undefined;
  private text = ""; // the string in progress (key or value)
  private isKey = false;
  private token = ""; // the number or literal in progress
  /** True right after `[`, where `]` may close an empty array. */
  private emptyArray = false;
  /** An escape cut by the end of the previous fragment (`\`, `\u12`, ...). */
  private pending = "";
  /** The fragment's next backslash (cached so that each is searched for once). */
  private backslash = -1;

  /** Parses one more fragment and returns the snapshot. */
  feed(fragment: string): unknown {
    const n = fragment.length;
    this.backslash = -1;
    let i = 0;
    while (i < n && this.state !== State.Failed) {
      if (this.state === State.String) {
        i = this.readString(fragment, i);
        continue;
      }
      if (this.state === State.Token) {
        let j = i;
        while (j < n && isTokenChar(fragment.charCodeAt(j))) j++;
        this.token += fragment.slice(i, j);
        i = j;
        if (j < n) this.closeToken(); // the delimiter is read in the next state
        continue;
      }
      const c = fragment.charCodeAt(i++);
      if (!isSpace(c)) this.structural(c);
    }
    this.scanned += i;
    if (this.state === State.String) this.showString();
    return this.value;
  }

  /** Call when the text has ended: completes a top-level number or literal. Returns the final snapshot. */
  end(): unknown {
    if (this.state === State.Token) this.closeToken();
    if (this.state !== State.Done && this.state !== State.Failed) this.fail("unexpected end of JSON input");
    return this.value;
  }

  /** True once the root value is complete. */
  get complete(): boolean {
    return this.state === State.Done;
  }

  private structural(c: number): void {
    switch (this.state) {
      case State.Value:
        if (c === 0x7b) {
          this.open({}, false); // {
          return;
        }
        if (c === 0x5b) {
          this.open([], true); // [
          return;
        }
        if (c === 0x22) {
          this.startString(false);
          this.place(""); // a string value shows as soon as it opens
          return;
        }
        if (c === 0x5d && this.emptyArray) {
          this.close(); // ]
          return;
        }
        if (isTokenChar(c)) {
          this.token = String.fromCharCode(c);
          this.state = State.Token;
          return;
        }
        this.fail(`unexpected ${show(c)} where a value was expected`);
        return;
      case State.KeyOrEnd:
        if (c === 0x7d) {
          this.close(); // }
          return;
        }
        this.key(c);
        return;
      case State.Key:
        this.key(c);
        return;
      case State.Colon:
        if (c === 0x3a) {
          this.state = State.Value;
          return;
        }
        this.fail(`expected ":" after a key, got ${show(c)}`);
        return;
      case State.AfterValue: {
        const isArray = this.top!.isArray;
        if (c === 0x2c) {
          this.state = isArray ? State.Value : State.Key;
          return;
        }
        if (c === (isArray ? 0x5d : 0x7d)) {
          this.close();
          return;
        }
        this.fail(`unexpected ${show(c)} after a value`);
        return;
      }
      case State.Done:
        this.fail(`unexpected ${show(c)} after the end of the value`);
        return;
    }
  }

  private key(c: number): void {
    if (c === 0x22) this.startString(true);
    else this.fail(`unexpected ${show(c)} where a key was expected`);
  }

  private startString(isKey: boolean): void {
    this.text = "";
    this.isKey = isKey;
    this.state = State.String;
  }

  /**
   * Reads a string run: up to the closing quote or the fragment's end. Runs with escapes are decoded natively
   * (JSON.parse of the run) rather than character by character; an escape cut by the fragment's end waits in
   * `pending` for the next fragment.
   */
  private readString(fragment: string, from: number): number {
    const n = fragment.length;
    let i = from;
    if (this.pending) {
      while (i < n && !escapeComplete(this.pending)) this.pending += fragment[i++];
      if (!escapeComplete(this.pending)) return i;
      const decoded = decode(this.pending);
      this.pending = "";
      if (decoded === undefined) {
        this.fail("bad escape in a string");
        return i;
      }
      this.text += decoded;
    }
    let quote = fragment.indexOf('"', i);
    while (quote >= 0 && this.nextBackslash(fragment, i) < quote && escapedAt(fragment, i, quote)) {
      quote = fragment.indexOf('"', quote + 1);
    }
    const end = quote < 0 ? n : quote;
    if (this.nextBackslash(fragment, i) < end) {
      let run = fragment.slice(i, end);
      if (quote < 0) {
        const cut = cutEscape(run);
        this.pending = run.slice(cut);
        run = run.slice(0, cut);
      }
      const decoded = decode(run);
      if (decoded === undefined) {
        this.fail("bad escape or control character in a string");
        return end;
      }
      this.text += decoded;
    } else if (end > i) this.text += fragment.slice(i, end);
    if (quote < 0) return n;
    this.closeString();
    return quote + 1;
  }

  private nextBackslash(fragment: string, from: number): number {
    if (this.backslash < from) {
      const at = fragment.indexOf("\\", from);
      this.backslash = at < 0 ? Number.POSITIVE_INFINITY : at;
    }
    return this.backslash;
  }

  private open(container: Record<string, unknown> | unknown[], isArray: boolean): void {
    this.place(container);
    this.top = { container, isArray, key: "" };
    this.stack.push(this.top);
    this.state = isArray ? State.Value : State.KeyOrEnd;
    this.emptyArray = isArray;
  }

  private close(): void {
    this.stack.pop();
    this.top = this.stack[this.stack.length - 1];
    this.afterValue();
  }

  /** Puts a value in its slot: the root, the next array element, or the current key. */
  private place(value: unknown): void {
    const top = this.top;
    this.emptyArray = false;
    if (!top) this.value = value;
    else if (top.isArray) (top.container as unknown[]).push(value);
    else setKey(top.container as Record<string, unknown>, top.key, value);
  }

  /** Updates the string value in progress in its slot (once per fragment, not per character). */
  private showString(): void {
    if (this.isKey) return;
    const top = this.top;
    if (!top) this.value = this.text;
    else if (top.isArray) {
      const list = top.container as unknown[];
      list[list.length - 1] = this.text;
    } else setKey(top.container as Record<string, unknown>, top.key, this.text);
  }

  private closeString(): void {
    if (this.isKey) {
      this.top!.key = this.text;
      this.state = State.Colon;
      return;
    }
    this.showString();
    this.afterValue();
  }

  private closeToken(): void {
    const token = this.token;
    let value: unknown;
    if (token === "true") value = true;
    else if (token === "false") value = false;
    else if (token === "null") value = null;
    else if (NUMBER.test(token)) value = Number(token);
    else {
      this.fail(`${JSON.stringify(token)} is not a JSON value`);
      return;
    }
    this.place(value);
    this.afterValue();
  }

  private afterValue(): void {
    this.state = this.top ? State.AfterValue : State.Done;
  }

  private fail(message: string): void {
    this.error = message;
    this.state = State.Failed;
  }
}

/**
 * Defers parsing until a snapshot is asked for: fragments queue up (no work per fragment), and `through(n)` feeds
 * the queued ones up to the n-th. A stream whose consumer never reads `partial` pays nothing for it.
 */
export class LazyPartialJson {
  private readonly parser = new PartialJsonParser();
  private queue: string[] = [];
  private head = 0;
  /** Fragments pushed so far. */
  count = 0;

  /** Queues a fragment; returns its number (1-based), for `through`. */
  push(fragment: string): number {
    this.queue.push(fragment);
    return ++this.count;
  }

  /** The snapshot after at least the first `n` fragments (live: later fragments may have been parsed too). */
  through(n: number): unknown {
    const fed = this.count - (this.queue.length - this.head);
    for (let k = fed; k < n; k++) this.parser.feed(this.queue[this.head++]);
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
    return this.parser.value;
  }

  /** Characters the parser has consumed. */
  get scanned(): number {
    return this.parser.scanned;
  }

  /** The `tool-call-delta` event for the next fragment of this input, its `partial` read from this parser. */
  event(index: number, id: string, name: string, fragment: string): ToolCallDelta {
    return new ToolCallDelta(index, id, name, fragment, this);
  }
}

/**
 * A `tool-call-delta` event. `partial` is a prototype getter over private state: parsed on first read
 * (incrementally), so streams whose consumers ignore it pay nothing, and the event stays a plain-looking record
 * (spread and JSON.stringify see only the data fields).
 */
class ToolCallDelta {
  readonly type = "tool-call-delta" as const;
  readonly index: number;
  readonly id: string;
  readonly name: string;
  readonly argumentsText: string;
  readonly #input: LazyPartialJson;
  readonly #upTo: number;
  constructor(index: number, id: string, name: string, argumentsText: string, input: LazyPartialJson) {
    this.index = index;
    this.id = id;
    this.name = name;
    this.argumentsText = argumentsText;
    this.#input = input;
    this.#upTo = input.push(argumentsText);
  }
  get partial(): unknown {
    return this.#input.through(this.#upTo);
  }
}
