// The import graph of src/ runs one way: each folder sits on a layer and imports only from layers below it.
// A new folder must be given a layer here (and in docs/architecture.md) before it can import anything.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(__dirname, "../../src");

/**
 * Bottom to top. Folders on the same layer do not import each other. The entry files at the top of src/
 * (index.ts, core.ts, sigv4.ts) sit above everything.
 */
const LAYERS: readonly (readonly string[])[] = [
  ["types"], // wire types generated from the service model, and the SDK's event and result types
  ["errors"], // BedrockError and every subclass; secret scrubbing
  ["auth"], // SigV4, API keys, credential providers
  ["config"], // config documents, the environment, the schema
  ["endpoint"], // URLs and model ids
  ["request"], // messages, media, tools, structured output -> a Converse body
  ["stream"], // event-stream frames -> Converse events -> the assistant message
  ["client"], // the transport and the clients (core and full), service errors and hints
  ["tools", "emulator", "proxy"], // the tool loop, the local Bedrock, the signing proxy
  ["node"], // serve() and files for Node
  ["cli"], // the command line
  ["(entries)"],
  ["ai-sdk"], // bedrock-edge/ai-sdk: an entry of its own, built on the package's public API (src/index.ts)
];

function layerOf(file: string): { folder: string; rank: number } {
  const rel = relative(SRC, file);
  const folder = rel.includes("/") ? rel.split("/")[0] : "(entries)";
  const rank = LAYERS.findIndex((layer) => layer.includes(folder));
  if (rank < 0)
    throw new Error(`src/${folder} has no layer: add it to LAYERS in test/architecture/layers.test.ts`);
  return { folder, rank };
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Every relative specifier a file imports or re-exports, type-only and dynamic imports included. */
function specifiers(text: string): string[] {
  const found: string[] = [];
  const patterns = [/\bfrom\s*["'](\.{1,2}\/[^"']+)["']/g, /\bimport\s*\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g];
  for (const pattern of patterns) for (const match of text.matchAll(pattern)) found.push(match[1]);
  return found;
}

/** Each import that points up the layers or sideways to a sibling folder, as "from -> to". */
function violations(files: string[], read: (file: string) => string): string[] {
  const out: string[] = [];
  for (const file of files) {
    const from = layerOf(file);
    for (const spec of specifiers(read(file))) {
      const target = resolve(dirname(file), spec);
      if (!target.startsWith(`${SRC}/`)) continue;
      const to = layerOf(target);
      if (to.folder === from.folder) continue;
      if (to.rank > from.rank || (to.rank === from.rank && to.folder !== from.folder)) {
        out.push(
          `${relative(SRC, file)} -> ${relative(SRC, target)} (${from.folder} may not import ${to.folder})`,
        );
      }
    }
  }
  return out;
}

describe("the import graph of src/", () => {
  const files = sources(SRC);

  it("has no edge up the layers or across a layer", () => {
    expect(violations(files, (f) => readFileSync(f, "utf8"))).toEqual([]);
  });

  it("gives every folder a layer", () => {
    for (const file of files) expect(() => layerOf(file)).not.toThrow();
  });

  it("catches an upward edge, a sibling edge and a type-only or dynamic import", () => {
    const file = (p: string) => join(SRC, p);
    const fake: Record<string, string> = {
      [file("errors/index.ts")]: 'import type { X } from "../client/options.ts";',
      [file("stream/parse.ts")]: 'const m = await import("../client/run.ts");',
      [file("proxy/proxy.ts")]: 'export { createEmulator } from "../emulator/index.ts";',
      [file("client/run.ts")]: 'import { parse } from "../stream/parse.ts";',
    };
    expect(violations(Object.keys(fake), (f) => fake[f])).toEqual([
      "errors/index.ts -> client/options.ts (errors may not import client)",
      "stream/parse.ts -> client/run.ts (stream may not import client)",
      "proxy/proxy.ts -> emulator/index.ts (proxy may not import emulator)",
    ]);
  });
});
