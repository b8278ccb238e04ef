// Node beyond the shared cases: examples/node run as a user runs it, and the packed package (npm pack, then
// extracted into test/runtimes/consumer/node_modules) imported from ESM and required from CommonJS.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { createEmulator } from "bedrock-edge/emulator";
import { type Server, serve } from "bedrock-edge/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_KEY, emulatorOptions } from "./cases/fixtures.js";
// @ts-expect-error plain JS helper without types
import { checkBuilt, prepare } from "./prepare.mjs";

const ROOT = join(import.meta.dirname, "..", "..");
const CONSUMER = join(import.meta.dirname, "consumer");
const exec = promisify(execFile);

async function node(args: string[], env: Record<string, string> = {}, cwd = ROOT) {
  try {
    const { stdout, stderr } = await exec(process.execPath, args, {
      cwd,
      env: { PATH: process.env.PATH, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error: any) {
    return { code: error.code as number, stdout: error.stdout as string, stderr: error.stderr as string };
  }
}

checkBuilt();
let server: Server;
beforeAll(async () => {
  if (!existsSync(join(CONSUMER, "node_modules", "bedrock-edge", "package.json"))) prepare({ quiet: true });
  server = await serve(createEmulator(emulatorOptions()));
});
afterAll(() => server?.close());

describe("examples/node", () => {
  it("streams an answer to stdout with the key from the environment", async () => {
    const env = { BEDROCK_API_KEY: API_KEY, BEDROCK_URL: `${server.url}/model/` };
    const ok = await node(["examples/node/main.mjs", "Hello from Node"], env);
    expect(ok.stderr).not.toMatch(/Error/);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('You said: "Hello from Node"');
    expect(ok.stdout).toMatch(/\[end_turn, \d+ tokens\]/);
  });

  it("a wrong key exits 1 with AccessDeniedException and a hint, never printing the key", async () => {
    const env = { BEDROCK_API_KEY: "wrong-key-0123456789", BEDROCK_URL: `${server.url}/model/` };
    const bad = await node(["examples/node/main.mjs", "hi"], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("AccessDeniedException");
    expect(bad.stderr).toContain("hint:");
    expect(bad.stdout + bad.stderr).not.toContain("wrong-key-0123456789");
  });
});

describe("the packed package as a dependency", () => {
  for (const [file, kind] of [
    ["esm.mjs", "ESM import"],
    ["cjs.cjs", "CommonJS require"],
  ] as const) {
    it(`${kind}: bedrock-edge, /emulator and /proxy resolve from node_modules and work`, async () => {
      const out = await node([file], {}, CONSUMER);
      expect(out.stderr).toBe("");
      const result = JSON.parse(out.stdout);
      expect(result.resolved).toContain(join("consumer", "node_modules", "bedrock-edge", "dist", "index."));
      expect(result.resolved.endsWith(kind === "ESM import" ? "index.js" : "index.cjs")).toBe(true);
      expect(result.text).toContain('"hello from a consumer"');
      expect(result.proxy).toBe("function");
    });
  }
});
