// Bun beyond the shared cases: examples/bun run as a user runs it, and the packed package from node_modules.
import { expect, test } from "bun:test";
import { createEmulator } from "bedrock-edge/emulator";
import { API_KEY, emulatorOptions } from "../cases/fixtures.js";

declare const Bun: any;

const ROOT = new URL("../../../", import.meta.url).pathname;

async function run(args: string[], env: Record<string, string> = {}, cwd = ROOT) {
  const child = Bun.spawn([process.execPath, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { code, stdout, stderr };
}

test("examples/bun streams an answer with the key from Bun.env", async () => {
  const emulator = createEmulator(emulatorOptions());
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (r: Request) => emulator.fetch(r) });
  try {
    const env = { BEDROCK_API_KEY: API_KEY, BEDROCK_URL: `http://127.0.0.1:${server.port}/model/` };
    const ok = await run(["examples/bun/main.ts", "Hello from Bun"], env);
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('You said: "Hello from Bun"');
    expect(ok.stdout).toMatch(/\[end_turn, \d+ tokens\]/);
    const bad = await run(["examples/bun/main.ts", "hi"], {
      ...env,
      BEDROCK_API_KEY: "wrong-key-0123456789",
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("AccessDeniedException");
    expect(bad.stdout + bad.stderr).not.toContain("wrong-key-0123456789");
  } finally {
    server.stop(true);
  }
});

test("the packed package resolves from node_modules and works on Bun", async () => {
  const out = await run(["esm.mjs"], {}, `${ROOT}test/runtimes/consumer`);
  expect(out.code).toBe(0);
  const result = JSON.parse(out.stdout);
  expect(result.resolved).toContain("/consumer/node_modules/bedrock-edge/dist/index.js");
  expect(result.text).toContain("hello from a consumer");
  expect(result.proxy).toBe("function");
});
