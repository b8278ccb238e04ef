// Runs every snippet of docs/features.md against the emulator, as a reader would (imports of "bedrock-edge" point
// at the sources), and checks that what it prints contains each `// → ...` line, in order.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { format } from "node:util";
import { afterAll, describe, expect, it, vi } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const doc = readFileSync(join(ROOT, "docs/features.md"), "utf8");
const dir = mkdtempSync(join(tmpdir(), "bedrock-edge-docs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ENTRIES: Record<string, string> = {
  "bedrock-edge": "src/index.ts",
  "bedrock-edge/emulator": "src/emulator/index.ts",
  "bedrock-edge/node": "src/node/index.ts",
};

/** Each ```ts block with the heading it sits under. */
function snippets(): { title: string; code: string }[] {
  const out: { title: string; code: string }[] = [];
  let title = "intro";
  const lines = doc.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].startsWith("## ")) title = lines[i].slice(3);
    if (lines[i] !== "```ts") continue;
    const end = lines.indexOf("```", i + 1);
    out.push({ title, code: lines.slice(i + 1, end).join("\n") });
    i = end;
  }
  return out;
}

describe("docs/features.md snippets run offline and print what they say", () => {
  const all = snippets();
  it("has a snippet per feature", () => {
    expect(all.length).toBeGreaterThanOrEqual(11);
  });

  all.forEach(({ title, code }, n) => {
    it(`${title} (snippet ${n + 1})`, async () => {
      const source = code.replace(
        /from "(bedrock-edge(?:\/\w+)?)"/g,
        (_, name) => `from ${JSON.stringify(join(ROOT, ENTRIES[name]))}`,
      );
      const file = join(dir, `snippet-${n}.ts`);
      writeFileSync(file, `${source}\nexport {};\n`);
      const printed: string[] = [];
      const spy = vi.spyOn(console, "log").mockImplementation((...args) => printed.push(format(...args)));
      try {
        await import(file);
      } finally {
        spy.mockRestore();
      }
      const output = printed.join("\n");
      let at = 0;
      for (const match of code.matchAll(/\/\/ → (.*)$/gm)) {
        const found = output.indexOf(match[1], at);
        expect(found, `expected ${JSON.stringify(match[1])} in:\n${output}`).toBeGreaterThanOrEqual(0);
        at = found + match[1].length;
      }
    });
  });
});
