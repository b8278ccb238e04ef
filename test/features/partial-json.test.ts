import { describe, expect, it } from "vitest";
import { ToolCallAccumulator } from "../../src/stream/accumulate";
import { LazyPartialJson, PartialJsonParser } from "../../src/stream/partial-json";
import { ConversePipeline } from "../../src/stream/pipeline";
import type { ChatEvent } from "../../src/types/events";
import { captures, prng } from "../helpers/fixtures";
import { emulator } from "./helpers";

// A realistic tool input: nesting, arrays, escapes (quotes, backslashes, newlines, \u escapes, a surrogate pair),
// numbers of every shape, literals, empty containers and a `__proto__` key.
const INPUT = JSON.stringify({
  path: "src/app/main.ts",
  content: 'import x from "y";\n\tconst s = "C:\\\\temp\\\\new";\n// café ☕ 𝄞 \u0001\n',
  edits: [
    { line: 12, replace: 'a"b', ok: true },
    { line: -3.5e-2, replace: "", ok: false, meta: null },
  ],
  options: { dryRun: false, depth: 0, ratio: 1.25e10, tags: [], extra: {} },
  ["__proto__"]: { polluted: true },
  unicode: "\u00e9\u4e2d\ud83d\ude00",
});

/** True when `next` only grew from `prev`: strings extended, containers gained members, nothing else changed. */
function grewFrom(prev: unknown, next: unknown): boolean {
  if (prev === undefined) return true;
  if (typeof prev === "string") return typeof next === "string" && next.startsWith(prev);
  if (Array.isArray(prev)) {
    if (!Array.isArray(next) || next.length < prev.length) return false;
    return prev.every(
      (v, i) =>
        grewFrom(v, next[i]) && (i === prev.length - 1 || JSON.stringify(v) === JSON.stringify(next[i])),
    );
  }
  if (prev !== null && typeof prev === "object") {
    if (next === null || typeof next !== "object" || Array.isArray(next)) return false;
    return Object.keys(prev).every(
      (k) => Object.hasOwn(next, k) && grewFrom((prev as any)[k], (next as any)[k]),
    );
  }
  return Object.is(prev, next);
}

/** Feeds `fragments`, checking each snapshot grew from the one before; returns the final value. */
function feedChecked(fragments: string[]): { value: unknown; parser: PartialJsonParser } {
  const parser = new PartialJsonParser();
  let previous: unknown;
  for (const fragment of fragments) {
    const snapshot = structuredClone(parser.feed(fragment));
    if (!grewFrom(previous, snapshot)) {
      throw new Error(
        `snapshot shrank after ${JSON.stringify(fragment)}: ${JSON.stringify(previous)} -> ${JSON.stringify(snapshot)}`,
      );
    }
    previous = snapshot;
  }
  return { value: parser.end(), parser };
}

describe("incremental partial JSON parser", () => {
  const expected = JSON.parse(INPUT);

  it("split in two at every position: snapshots only grow, the end equals JSON.parse", () => {
    for (let cut = 0; cut <= INPUT.length; cut++) {
      const { value, parser } = feedChecked([INPUT.slice(0, cut), INPUT.slice(cut)]);
      expect(parser.error, `cut at ${cut}`).toBeUndefined();
      expect(value, `cut at ${cut}`).toEqual(expected);
      expect(Object.hasOwn(value as object, "__proto__")).toBe(true); // an own key, never the prototype
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    }
  });

  it("one character at a time, and random splits: the same", () => {
    expect(feedChecked([...INPUT]).value).toEqual(expected);
    const random = prng(8);
    for (let round = 0; round < 200; round++) {
      const fragments: string[] = [];
      for (let i = 0; i < INPUT.length; ) {
        const size = 1 + Math.floor(random() * 12);
        fragments.push(INPUT.slice(i, i + size));
        i += size;
      }
      expect(feedChecked(fragments).value).toEqual(expected);
    }
  });

  it("shows what a UI needs while the input streams", () => {
    const p = new PartialJsonParser();
    expect(p.feed('{"path": "src/ma')).toEqual({ path: "src/ma" });
    expect(p.feed('in.ts", "line": 4')).toEqual({ path: "src/main.ts" }); // 4 may be 42: not shown yet
    expect(p.feed('2, "tags": ["a", "b\\u00')).toEqual({ path: "src/main.ts", line: 42, tags: ["a", "b"] });
    expect(p.feed('e9"], "ok": tr')).toEqual({ path: "src/main.ts", line: 42, tags: ["a", "bé"] });
    expect(p.feed("ue}")).toEqual({ path: "src/main.ts", line: 42, tags: ["a", "bé"], ok: true });
    expect(p.complete).toBe(true);
  });

  it("examines each character once: characters processed == total length, however many fragments", () => {
    const big = JSON.stringify({
      files: Array.from({ length: 400 }, (_, i) => ({
        name: `f${i}.ts`,
        body: `line "${i}"\n`.repeat(20),
        size: i * 1.5,
      })),
    });
    for (const pieces of [1, 7, 1000, big.length]) {
      const parser = new PartialJsonParser();
      const size = Math.ceil(big.length / pieces);
      let fed = 0;
      for (let i = 0; i < big.length; i += size) {
        parser.feed(big.slice(i, i + size));
        fed++;
      }
      parser.end();
      expect(parser.scanned, `${fed} fragments`).toBe(big.length);
      expect(parser.value).toEqual(JSON.parse(big));
    }
  });

  it("bad JSON stops it with a reason, keeps the last snapshot, never throws", () => {
    const cases: [string, string][] = [
      ['{"a": 1,, "b": 2}', "where a key was expected"],
      ['{"a" 1}', 'expected ":"'],
      ["[1, 2,]", "where a value was expected"],
      ['{"a": tru}', '"tru" is not a JSON value'],
      ['{"a": "\\x"}', "bad escape"],
      ['{"a": 1} {', "after the end of the value"],
      ['{"a": 01}', '"01" is not a JSON value'],
    ];
    for (const [text, reason] of cases) {
      const parser = new PartialJsonParser();
      for (const c of text) parser.feed(c);
      parser.end();
      expect(parser.error, text).toContain(reason);
      expect(() => JSON.parse(text)).toThrow();
    }
    const truncated = new PartialJsonParser();
    truncated.feed('{"a": [1, 2');
    expect(truncated.value).toEqual({ a: [1] }); // 2 may be 25
    expect(truncated.end()).toEqual({ a: [1, 2] }); // the text ended: it was 2
    expect(truncated.error).toBe("unexpected end of JSON input");
  });

  it("lazy: fragments are only parsed when a snapshot is read", () => {
    const lazy = new LazyPartialJson();
    const marks = [...INPUT].map((c) => lazy.push(c));
    expect(lazy.scanned).toBe(0);
    expect(lazy.through(marks[20])).toEqual({ path: "src/app/main" });
    expect(lazy.scanned).toBe(21);
    expect(lazy.through(marks.at(-1)!)).toEqual(expected);
    expect(lazy.scanned).toBe(INPUT.length);
  });
});

describe("tool-call-delta events carry the partial input", async () => {
  const emu = await emulator();

  it("every recorded capture with tool input: the last snapshot equals the parsed call", () => {
    let calls = 0;
    for (const cap of captures()) {
      const pipeline = new ConversePipeline();
      pipeline.accumulator.partialJson = LazyPartialJson;
      const events = [...pipeline.feed(cap.bytes), ...pipeline.end()];
      const deltas = events.filter((e) => e.type === "tool-call-delta") as Extract<
        ChatEvent,
        { type: "tool-call-delta" }
      >[];
      for (const call of events.filter((e) => e.type === "tool-call") as Extract<
        ChatEvent,
        { type: "tool-call" }
      >[]) {
        const mine = deltas.filter((d) => d.index === call.index);
        if (mine.length === 0) continue;
        calls++;
        expect(structuredClone(mine.at(-1)!.partial), cap.name).toEqual(call.arguments);
      }
    }
    expect(calls).toBeGreaterThanOrEqual(4);
  });

  it("fed in real time from the emulator's streamed tool input: snapshots grow to the final arguments", async () => {
    const tools = [
      {
        name: "create_event",
        description: "Create a calendar event with a title, attendees and a location",
        inputSchema: {
          type: "object",
          properties: {
            title: { type: "string" },
            attendees: { type: "array", items: { type: "string" } },
            location: { type: "object", properties: { city: { type: "string" }, room: { type: "integer" } } },
          },
          required: ["title", "attendees", "location"],
        },
      },
    ];
    const snapshots: unknown[] = [];
    const texts: string[] = [];
    const result = await emu.client().request(
      [
        {
          role: "user",
          content: "Create a calendar event titled Standup with Ana and Bo in Lisbon room 4",
        },
      ],
      {
        tools,
        toolChoice: { tool: "create_event" },
        onPrepareToolCall: (call) => {
          texts.push(call.argumentsText);
          snapshots.push(structuredClone(call.partial));
        },
      },
    );
    const call = result.toolsToCall[0];
    expect(snapshots.length).toBeGreaterThan(2);
    expect(texts.join("")).toBe(call.argumentsText);
    for (let i = 1; i < snapshots.length; i++) expect(grewFrom(snapshots[i - 1], snapshots[i])).toBe(true);
    expect(snapshots.at(-1)).toEqual(call.arguments);
  });

  const toolDeltas = (acc: ToolCallAccumulator) => {
    const out: ChatEvent[] = [];
    acc.push(
      { type: "contentBlockStart", contentBlockIndex: 0, start: { toolUse: { toolUseId: "t", name: "n" } } },
      out,
    );
    for (const c of '{"a": [1, 2, 3]}')
      acc.push({ type: "contentBlockDelta", contentBlockIndex: 0, delta: { toolUse: { input: c } } }, out);
    acc.push({ type: "contentBlockStop", contentBlockIndex: 0 }, out);
    return out;
  };

  it("`partial` is a getter, parsed on read: a consumer that ignores it pays no parsing", () => {
    const deltas = toolDeltas(new ToolCallAccumulator({ partialJson: LazyPartialJson })).filter(
      (e) => e.type === "tool-call-delta",
    );
    // A getter on the prototype: not stored on the event, not in its keys or its JSON.
    expect(Object.getOwnPropertyDescriptor(deltas[0], "partial")).toBeUndefined();
    expect(typeof Object.getOwnPropertyDescriptor(Object.getPrototypeOf(deltas[0]), "partial")!.get).toBe(
      "function",
    );
    expect(Object.keys(deltas[0])).toEqual(["type", "index", "id", "name", "argumentsText"]);
    expect(JSON.parse(JSON.stringify(deltas[0]))).toEqual({
      type: "tool-call-delta",
      index: 0,
      id: "t",
      name: "n",
      argumentsText: "{",
    });
    expect((deltas[6] as any).partial).toEqual({ a: [] });
    expect((deltas.at(-1) as any).partial).toEqual({ a: [1, 2, 3] });
  });

  it("without a partialJson parser (bedrock-edge/core) the deltas are plain records with no `partial`", () => {
    const out = toolDeltas(new ToolCallAccumulator());
    const deltas = out.filter((e) => e.type === "tool-call-delta");
    expect(deltas.map((d) => d.argumentsText).join("")).toBe('{"a": [1, 2, 3]}');
    expect(Object.getPrototypeOf(deltas[0])).toBe(Object.prototype);
    expect("partial" in deltas[0]).toBe(false);
    // The complete call is the same either way.
    expect(out.find((e) => e.type === "tool-call")).toMatchObject({ arguments: { a: [1, 2, 3] } });
  });
});
