// Deno beyond the shared cases: examples/deno run as a user runs it, the package by path (deno.json exports,
// the TypeScript source) and as `npm:bedrock-edge`, each type-checked by `deno check`.
import { createBedrock } from "@bedrock-edge/client";
import { createEmulator } from "@bedrock-edge/client/emulator";
import { API_KEY, emulatorOptions } from "../cases/fixtures.js";

const ROOT = new URL("../../../", import.meta.url);
const path = (p: string) => new URL(p, ROOT).pathname;
const decoder = new TextDecoder();

async function run(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: options.cwd ?? path("."),
    env: options.env,
    clearEnv: options.env !== undefined,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

async function withEmulator(fn: (url: string) => Promise<void>) {
  const emulator = createEmulator(emulatorOptions());
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (r) => emulator.fetch(r));
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`);
  } finally {
    await server.shutdown();
  }
}

const EXAMPLE_PERMISSIONS = [
  "--allow-net=127.0.0.1",
  "--allow-env=BEDROCK_API_KEY,AWS_BEARER_TOKEN_BEDROCK,AWS_REGION,BEDROCK_URL,BEDROCK_MODEL",
];

Deno.test("examples/deno streams an answer with the key from Deno.env, under narrow permissions", async () => {
  await withEmulator(async (url) => {
    const env = { BEDROCK_API_KEY: API_KEY, BEDROCK_URL: `${url}/model/`, PATH: Deno.env.get("PATH") ?? "" };
    const ok = await run(["run", ...EXAMPLE_PERMISSIONS, path("examples/deno/main.ts"), "Hello from Deno"], {
      env,
    });
    check(ok.code === 0, `exit ${ok.code}: ${ok.stderr}`);
    check(ok.stdout.includes('You said: "Hello from Deno"'), `stdout: ${ok.stdout}`);
    check(/\[end_turn, \d+ in, \d+ tokens\]/.test(ok.stdout), `finish line: ${ok.stdout}`);
    // The count before sending equals the input tokens the answer reports.
    const counted = /^\[(\d+) input tokens\]$/m.exec(ok.stdout)?.[1];
    check(
      counted !== undefined && ok.stdout.includes(`[end_turn, ${counted} in,`),
      `token count: ${ok.stdout}`,
    );
    const bad = await run(["run", ...EXAMPLE_PERMISSIONS, path("examples/deno/main.ts"), "hi"], {
      env: { ...env, BEDROCK_API_KEY: "wrong-key-0123456789" },
    });
    check(bad.code === 1, `exit ${bad.code} for a wrong key`);
    check(bad.stderr.includes("AccessDeniedException"), `stderr: ${bad.stderr}`);
    check(!(bad.stdout + bad.stderr).includes("wrong-key-0123456789"), "the key leaked");
  });
});

Deno.test("by path: deno.json exports the TypeScript source, which runs on Deno", async () => {
  const emulator = createEmulator({ apiKeys: ["k"] });
  const bedrock = createBedrock(
    { key: "k", url: "http://emulator.test/model/", modelIdPrefix: "none" },
    { env: {}, fetch: (input, init) => emulator.fetch(new Request(input, init)) },
  );
  const result = await bedrock.request([{ role: "user", content: "by path" }], {
    model: "amazon.nova-lite-v1:0",
  });
  check(result.outputText.includes('"by path"'), result.outputText);
  check(import.meta.resolve("@bedrock-edge/client").endsWith("/src/index.ts"), "resolves to the source");
});

Deno.test("JSR: deno publish --dry-run type-checks and packages the exported entry points", async () => {
  // Slow types (inferred public types) are allowed for now; type errors are not.
  const out = await run(["publish", "--dry-run", "--allow-dirty"]);
  check(out.code === 0, `deno publish --dry-run failed:\n${out.stderr}`);
});

Deno.test("npm:bedrock-edge (the packed package in node_modules) runs and type-checks", async () => {
  const cwd = path("test/runtimes/consumer");
  const ran = await run(["run", "--allow-read", "--config", "deno.json", "npm.ts"], { cwd });
  check(ran.code === 0, `exit ${ran.code}: ${ran.stderr}`);
  const result = JSON.parse(ran.stdout);
  check(result.resolved.includes("/consumer/node_modules/bedrock-edge/dist/index.js"), result.resolved);
  check(result.text.includes("hello from a consumer") && result.last === "finish", ran.stdout);
  const checked = await run(["check", "--config", "deno.json", "npm.ts"], { cwd });
  check(checked.code === 0, `deno check failed:\n${checked.stderr}`);
});
