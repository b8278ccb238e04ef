// scripts/mutation.mjs's arithmetic and its list of accepted survivors (the score the floor is checked on).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error a plain .mjs script without declarations
import { acceptedFor, acceptedRows } from "../../scripts/mutation-equivalent.mjs";
// @ts-expect-error a plain .mjs script without declarations
import { fileScore } from "../../scripts/mutation.mjs";

const ROOT = join(__dirname, "..", "..");

/** A mutant as Stryker's JSON report holds it, on one line of `source`. */
const mutant = (status: string, line: number, from: number, to: number, replacement: string) => ({
  status,
  replacement,
  mutatorName: "Test",
  location: { start: { line, column: from }, end: { line, column: to } },
});

describe("accepted survivors", () => {
  it("docs/testing.md's table is the list the script leaves out of the score, row for row", () => {
    const docs = readFileSync(join(ROOT, "docs", "testing.md"), "utf8");
    const section = docs.slice(docs.indexOf("## Survivors that stay"));
    const rows = section.split("\n").filter((line) => line.startsWith("| src/"));
    expect(rows).toEqual(acceptedRows());
  });

  it("a mutant is accepted only by its exact code, replacement, line and (when given) the next line", () => {
    const module = "src/stream/decode.ts";
    const source = [
      "    for (let k = 0; k < this.frameSlots; k += FrameSlot.Size)",
      "      this.frames[k + FrameSlot.Bytes] = this.frames[k + FrameSlot.View] = undefined;",
      "    for (let k = 0; k < this.frameSlots; k += FrameSlot.Size)",
      "      out.push(f[k]);",
    ].join("\n");
    const at = (line: number, replacement = "k <= this.frameSlots") =>
      mutant("Survived", line, 21, 40, replacement);
    expect(acceptedFor(module, at(1), source)?.why).toMatch(/release\(\)/);
    expect(acceptedFor(module, at(3), source)).toBeUndefined(); // same line, another next line
    expect(acceptedFor(module, at(1, "false"), source)).toBeUndefined();
    expect(acceptedFor("src/stream/parse.ts", at(1), source)).toBeUndefined();
  });
});

describe("a mutant over several lines", () => {
  it("is named by its code with each run of whitespace as one space", () => {
    const source = [
      "  try {",
      "    return JSON.parse(json);",
      "  } catch {",
      "    return undefined;",
      "  }",
    ].join("\n");
    const block = {
      ...mutant("Survived", 3, 11, 0, "{}"),
      location: { start: { line: 3, column: 11 }, end: { line: 5, column: 4 } },
    };
    expect(acceptedFor("src/stream/delta-scan.ts", block, source)?.why).toMatch(/empty catch block/);
    expect(acceptedFor("src/stream/delta-scan.ts", { ...block, replacement: "{ }" }, source)).toBeUndefined();
  });
});

describe("fileScore", () => {
  it("counts killed and timed-out mutants against all but the ignored, invalid and accepted ones", () => {
    const source = "    for (; i + 8 <= end; i += 8) {\nconst r = 1;";
    const accepted = mutant("Survived", 1, 12, 24, "false"); // crc32.ts's fast-path loop bound
    const mutants = [
      mutant("Killed", 2, 11, 12, "0"),
      mutant("Killed", 2, 11, 12, "2"),
      mutant("Timeout", 2, 11, 12, "3"),
      mutant("Survived", 2, 11, 12, "4"),
      mutant("NoCoverage", 2, 11, 12, "5"),
      mutant("CompileError", 2, 11, 12, '"x"'),
      mutant("Ignored", 2, 11, 12, "6"),
      accepted,
    ];
    const score = fileScore("src/stream/crc32.ts", mutants, source);
    expect(score).toMatchObject({ killed: 3, survived: 2, noCoverage: 1, accepted: 1, invalid: 1 });
    expect(score.score).toBe(60); // 3 / (3 + 2 survivors + 1 no coverage - 1 accepted)
    expect(score.open.map((m: { replacement: string }) => m.replacement)).toEqual(["4", "5"]);
  });
});
