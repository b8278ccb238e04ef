// The Converse types must say what AWS's service model says: same shapes, members, member types, required
// members and enum values. A shape AWS adds (reachable from Converse/ConverseStream) fails here until typed.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import {
  driftProblems,
  HTTP_BOUND,
  loadTypes,
  NOT_TYPED,
  reachableShapes,
  type Shapes,
  type TypesModule,
  tsNameOf,
} from "./drift";

const typesFile = fileURLToPath(new URL("../../src/types/converse.ts", import.meta.url));
const indexFile = fileURLToPath(new URL("../../src/types/index.ts", import.meta.url));
const modelFile = new URL("../fixtures/service-model/service-2.json", import.meta.url);

const model = JSON.parse(readFileSync(modelFile, "utf8"));
const shapes: Shapes = model.shapes;
const fresh = (): Shapes => structuredClone(shapes);

/** Snippets compiled against the types as a user would write them; `bad` ones must not compile. */
const SNIPPETS: Record<string, { bad: boolean; code: string }> = {
  request: {
    bad: false,
    code: `
      const req: ConverseRequest = {
        system: [{ text: "be brief" }, { cachePoint: { type: "default", ttl: "1h" } }],
        messages: [
          { role: "user", content: [{ text: "hi" }, { image: { format: "png", source: { bytes: "iVBORw0KGgo=" } } }] },
          { role: "assistant", content: [{ toolUse: { toolUseId: "t1", name: "get", input: { city: "Oslo", n: [1, null] } } }] },
          { role: "user", content: [{ toolResult: { toolUseId: "t1", status: "success", content: [{ json: { ok: true } }, { text: "x" }] } }] },
          { role: "user", content: [{ document: { name: "Report (v2)", format: "pdf", source: { s3Location: { uri: "s3://b/k.pdf", bucketOwner: "123456789012" } }, citations: { enabled: true } } }] },
        ],
        inferenceConfig: { maxTokens: 100, temperature: 0.5, stopSequences: ["END"] },
        toolConfig: { tools: [{ toolSpec: { name: "get", inputSchema: { json: { type: "object" } } } }], toolChoice: { auto: {} } },
        guardrailConfig: { guardrailIdentifier: "abc", guardrailVersion: "1", trace: "enabled_full" },
        additionalModelRequestFields: { thinking: { type: "enabled", budget_tokens: 1024 } },
        promptVariables: { name: { text: "Ada" } },
        requestMetadata: { team: "a" },
        performanceConfig: { latency: "optimized" },
        serviceTier: { type: "flex" },
      };
      const stream: ConverseStreamRequest = { messages: req.messages, guardrailConfig: { streamProcessingMode: "async" } };
      export { req, stream };`,
  },
  readResponse: {
    bad: false,
    code: `
      export function text(res: ConverseResponse): string {
        const out: string[] = [];
        for (const block of res.output.message?.content ?? []) {
          if (block.text !== undefined) out.push(block.text);
          else if (block.reasoningContent?.reasoningText) out.push(block.reasoningContent.reasoningText.signature ?? "");
          else if (block.toolUse) out.push(block.toolUse.name);
        }
        const stop: StopReason = res.stopReason;
        const cached: number = (res.usage.cacheReadInputTokens ?? 0) + (res.usage.cacheDetails?.[0]?.inputTokens ?? 0);
        return out.join("") + stop + cached + res.metrics.latencyMs;
      }`,
  },
  readEvents: {
    bad: false,
    code: `
      export function onEvent(e: ConverseStreamOutput): string {
        if (e.contentBlockDelta) {
          const d = e.contentBlockDelta.delta;
          return d.text ?? d.toolUse?.input ?? d.reasoningContent?.text ?? d.citation?.title ?? "";
        }
        if (e.contentBlockStart?.start.toolUse) return e.contentBlockStart.start.toolUse.toolUseId;
        if (e.messageStop) return e.messageStop.stopReason;
        if (e.metadata) return String(e.metadata.usage.totalTokens + e.metadata.metrics.latencyMs);
        if (e.throttlingException) return e.throttlingException.message ?? "";
        if (e.modelStreamErrorException) return String(e.modelStreamErrorException.originalStatusCode);
        return "";
      }`,
  },
  viaIndex: {
    bad: false,
    code: `import type { ContentBlock as FromIndex } from "${indexFile.replace(/\.ts$/, "")}";
      export const b: FromIndex = { text: "x" };`,
  },
  twoUnionMembers: {
    bad: true,
    code: `export const b: ContentBlock = { text: "a", cachePoint: { type: "default" } };`,
  },
  emptyUnion: { bad: true, code: "export const b: ContentBlock = {};" },
  unknownImageFormat: {
    bad: true,
    code: `export const b: ContentBlock = { image: { format: "bmp", source: { bytes: "AA==" } } };`,
  },
  unknownStopReason: { bad: true, code: `export const s: StopReason = "done";` },
  modelIdInBody: { bad: true, code: `export const r: ConverseRequest = { modelId: "m", messages: [] };` },
  missingRequired: { bad: true, code: `export const m: Message = { role: "user" };` },
  bytesNotBase64Text: {
    bad: true,
    code: `export const s: ImageSource = { bytes: new Uint8Array(1) };`,
  },
  twoEventsInOne: {
    bad: true,
    code: `export const e: ConverseStreamOutput = { messageStart: { role: "assistant" }, contentBlockStop: { contentBlockIndex: 0 } };`,
  },
  notJson: { bad: true, code: "export const j: JsonValue = { f: () => 1 };" },
};

let types: TypesModule;
let diagnostics: Map<string, string[]>;

beforeAll(() => {
  const dir = fileURLToPath(new URL("./", import.meta.url));
  const virtual = new Map<string, string>();
  const exported = readFileSync(typesFile, "utf8").match(/^export (?:type|interface) (\w+)/gm) ?? [];
  const names = exported.map((line) => line.split(" ")[2]);
  const header = `import type { ${names.join(", ")} } from "${typesFile.replace(/\.ts$/, "")}";\n`;
  for (const [name, snippet] of Object.entries(SNIPPETS))
    virtual.set(`${dir}__snippet_${name}.ts`, header + snippet.code);

  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    verbatimModuleSyntax: true,
    noUnusedLocals: false,
    types: [],
    lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => virtual.has(f) || fileExists.call(host, f);
  host.readFile = (f) => virtual.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, lang, ...rest) => {
    const text = virtual.get(f);
    return text === undefined
      ? getSourceFile.call(host, f, lang, ...rest)
      : ts.createSourceFile(f, text, lang);
  };
  const program = ts.createProgram([typesFile, ...virtual.keys()], options, host);
  types = loadTypes(program, typesFile);
  diagnostics = new Map();
  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile) continue;
    const list = ts
      .getPreEmitDiagnostics(program, sf)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    diagnostics.set(sf.fileName, list);
  }
  for (const [file, list] of diagnostics) {
    if (!file.includes("__snippet_")) continue;
    const name = file.slice(file.lastIndexOf("__snippet_") + 10, -3);
    diagnostics.set(name, list);
  }
}, 60_000);

describe("src/types/converse.ts against service-2.json", () => {
  it("compiles on its own without errors", () => {
    expect(diagnostics.get(typesFile)).toEqual([]);
  });

  it("has a type for every structure, union and enum reachable from Converse and ConverseStream, and agrees on each", () => {
    const reachable = reachableShapes(shapes);
    // The whole API surface, not a sample: 130+ structures and unions plus ~30 enums.
    expect(reachable.length).toBeGreaterThan(150);
    for (const name of ["ContentBlock", "StopReason", "TokenUsage", "CacheDetail", "ConverseStreamOutput"]) {
      expect(reachable).toContain(name);
    }
    expect(driftProblems(shapes, types)).toEqual([]);
  });

  it("lists each HTTP-bound member and untyped shape it leaves out, with the reason", () => {
    expect(Object.keys(HTTP_BOUND).sort()).toEqual([
      "ApplyGuardrailRequest.guardrailIdentifier",
      "ApplyGuardrailRequest.guardrailVersion",
      "ConverseRequest.modelId",
      "ConverseStreamRequest.modelId",
      "CountTokensRequest.modelId",
    ]);
    expect(shapes.ConverseRequest.members!.modelId.location).toBe("uri");
    expect(shapes.ApplyGuardrailRequest.members!.guardrailVersion.location).toBe("uri");
    expect(Object.keys(NOT_TYPED)).toEqual([
      "ConverseStreamResponse",
      "InvokeModelWithResponseStreamResponse",
    ]);
    expect(tsNameOf("Document")).toBe("JsonValue");
  });

  it("has the StopReason values the model lists", () => {
    const stop = types.exports.get("StopReason")!;
    const union = types.checker.getDeclaredTypeOfSymbol(stop) as ts.UnionType;
    const values = union.types.map((t) => (t as ts.StringLiteralType).value).sort();
    expect(values).toEqual([...shapes.StopReason.enum!].sort());
    expect(values).toContain("model_context_window_exceeded");
  });
});

describe("the drift check catches a model that changed", () => {
  it("a new shape AWS adds to a union", () => {
    const s = fresh();
    s.FancyBlock = { type: "structure", members: { data: { shape: "String" } } };
    s.ContentBlock.members!.fancy = { shape: "FancyBlock" };
    const problems = driftProblems(s, types).join("\n");
    expect(problems).toContain("shape FancyBlock is reachable but FancyBlock is not exported");
    expect(problems).toContain("ContentBlock (shape ContentBlock): 14 union variants, model has 15 members");
  });

  it("a new member, a removed member and a member that became required", () => {
    const s = fresh();
    s.TokenUsage.members!.audioTokens = { shape: "Integer" };
    s.Integer = { type: "integer" };
    delete s.CachePointBlock.members!.ttl;
    s.InferenceConfiguration.required = ["maxTokens"];
    const problems = driftProblems(s, types).join("\n");
    expect(problems).toContain("TokenUsage (shape TokenUsage): members missing [audioTokens]");
    expect(problems).toContain(
      "CachePointBlock (shape CachePointBlock): members missing [], not in the model [ttl]",
    );
    expect(problems).toContain(
      "InferenceConfiguration (shape InferenceConfiguration).maxTokens: optional in TS",
    );
  });

  it("a new enum value and a member whose type changed", () => {
    const s = fresh();
    s.StopReason.enum = [...s.StopReason.enum!, "refusal"];
    s.ToolUseBlockDelta.members!.input = { shape: "Document" };
    s.ContentBlockDelta.members!.text = { shape: "ToolUseBlockDelta" };
    const problems = driftProblems(s, types).join("\n");
    expect(problems).toContain(
      "ContentBlockDelta (shape ContentBlockDelta).text: type string, model says ToolUseBlockDelta",
    );
    expect(problems).toContain("StopReason (enum StopReason)");
    expect(problems).toContain(
      "ToolUseBlockDelta (shape ToolUseBlockDelta).input: type string, model says JsonValue",
    );
  });

  it("a new HTTP-bound member, and a shape the types have but the model dropped", () => {
    const s = fresh();
    s.ConverseRequest.members!.trace = { shape: "String", location: "header", locationName: "X-Amzn-Trace" };
    delete s.ContentBlock.members!.searchResult;
    delete s.ToolResultContentBlock.members!.searchResult;
    const problems = driftProblems(s, types).join("\n");
    expect(problems).toContain(
      "ConverseRequest.trace is bound to the HTTP header but not listed in HTTP_BOUND",
    );
    expect(problems).toContain("SearchResultBlock is exported but maps to no reachable model shape");
  });
});

describe("using the types", () => {
  for (const [name, snippet] of Object.entries(SNIPPETS)) {
    it(snippet.bad ? `rejects ${name}` : `accepts ${name}`, () => {
      const found = diagnostics.get(name);
      expect(found, `snippet ${name} was not compiled`).toBeDefined();
      if (snippet.bad) expect(found!.length, `${name} compiled but should not`).toBeGreaterThan(0);
      else expect(found).toEqual([]);
    });
  }
});
