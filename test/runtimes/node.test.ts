// The shared cases on Node, under vitest, against the built package ("bedrock-edge" resolves to dist through
// the package's exports map) and a loopback emulator served by bedrock-edge/node.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createEmulator } from "bedrock-edge/emulator";
import { type Server, serve } from "bedrock-edge/node";
import { afterAll, beforeAll, describe, it } from "vitest";
// @ts-expect-error plain JS helper without types
import { checkBuilt, writeCaptures } from "./prepare.mjs";

checkBuilt();
if (!existsSync(join(import.meta.dirname, "generated", "captures.js"))) writeCaptures();
const { cases, emulatorOptions } = await import("./cases/index.ts");
await import("./cases/ai-sdk.ts");

let server: Server;
beforeAll(async () => {
  server = await serve(createEmulator(emulatorOptions()));
});
afterAll(() => server?.close());

describe("shared runtime cases on Node", () => {
  for (const c of cases) it(c.name, () => c.fn({ emulatorUrl: server.url, runtime: "node" }));
});
