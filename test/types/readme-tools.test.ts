// The README's tools snippet, compiled as TypeScript (strict) against the sources: `call.arguments.city` must
// type-check without a cast (issue 13: toolsToCall[].arguments is a JSON object, not unknown).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** The ```js block under a README heading. */
function snippetUnder(heading: string): string {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const at = readme.indexOf(`\n${heading}\n`);
  expect(at, heading).toBeGreaterThan(0);
  const block = /```js\n([\s\S]*?)```/.exec(readme.slice(at));
  return block![1];
}

function compile(code: string): string[] {
  const dir = mkdtempSync(join(root, "test", "types", ".tmp-"));
  try {
    const file = join(dir, "snippet.ts");
    writeFileSync(file, `${code}\nexport {};\n`);
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ["lib.es2022.d.ts", "lib.dom.d.ts", "lib.dom.iterable.d.ts"],
      types: ["node"],
      typeRoots: [join(root, "node_modules", "@types")],
      skipLibCheck: true,
      baseUrl: root,
      paths: { "bedrock-edge": ["src/index.ts"] },
    });
    return ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file?.fileName === file)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("toolsToCall[].arguments types", () => {
  it("the README's tools snippet type-checks as TypeScript without a cast", () => {
    const code = snippetUnder("### Tools");
    expect(code).toContain("call.arguments.city");
    // As a TypeScript user writes it: the history typed (a JS array literal's roles widen to string).
    const typed = code.replace("const history = [", "const history: InputMessage[] = [");
    expect(typed).not.toBe(code);
    expect(compile(`import type { InputMessage } from "bedrock-edge";\n${typed}`)).toEqual([]);
  }, 60_000);

  it("arguments is JSON, not any: a misuse is still a type error", () => {
    const errors = compile(`
import { createBedrock } from "bedrock-edge";
const bedrock = createBedrock({ region: "us-east-1" });
const result = await bedrock.request([{ role: "user", content: "x" }]);
const n: number = result.toolsToCall[0].arguments.city;
`);
    expect(errors.join("\n")).toMatch(/not assignable to type 'number'/);
  }, 60_000);
});
