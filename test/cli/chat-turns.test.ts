// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${file:...} placeholders are the config syntax under test
// `bedrock-edge chat` doing what the config and the terminal say (issue 13): stream: false from extraPayload,
// Ctrl-C while waiting for a prompt, --interactive turns with history, --max-tokens / --temperature / --system,
// --provider and ${file:} next to the config, and the emulator's fault.SPEC model ids.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, cliEnv, collect, ensureBuilt, removeSnapshot, runCli, startEmulatorProcess } from "./run-cli";

beforeAll(ensureBuilt, 180_000);
afterAll(removeSnapshot);

const dir = mkdtempSync(join(tmpdir(), "bedrock-edge-chat13-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const MODEL = "anthropic.claude-sonnet-4-20250514-v1:0";

function configFile(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(content, null, 2));
  return path;
}

/** Request lines (`POST /model/.../converse 200 ...`) and bodies the emulator logged at debug level. */
function logged(stdout: string): { paths: string[]; bodies: any[] } {
  const lines = stdout.split("\n");
  return {
    paths: lines.filter((l) => / POST \/model\//.test(l)).map((l) => l.split(" ")[2]),
    bodies: lines.filter((l) => l.startsWith('{"messages"')).map((l) => JSON.parse(l)),
  };
}

async function withEmulator<T>(run: (url: string) => Promise<T>): Promise<{ result: T; stdout: string }> {
  const emulator = await startEmulatorProcess(["--log-level", "debug"]);
  try {
    const result = await run(emulator.url);
    const stopped = await emulator.stop();
    return { result, stdout: `${stopped.stdout}\n${stopped.stderr}` };
  } catch (error) {
    await emulator.stop();
    throw error;
  }
}

const corp = (url: string, model: Record<string, unknown> = {}) => ({
  providers: {
    openai: { api: "openai-chat", models: { "gpt-5": {} } },
    corp: {
      api: "bedrock",
      url: `${url}/model/`,
      modelIdPrefix: "none",
      key: "k-123456",
      models: { claude: { modelName: MODEL, ...model } },
    },
  },
});

describe("chat follows the config", () => {
  it('honours "stream": false in the model\'s extraPayload: /converse, not /converse-stream', async () => {
    const { result, stdout } = await withEmulator(async (url) => {
      const path = configFile("nostream.json", corp(url, { extraPayload: { stream: false } }));
      return runCli(["chat", "--config", path, "--model", "claude", "Hello"]);
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('You said: "Hello"');
    expect(logged(stdout).paths).toEqual([`/model/${MODEL}/converse`]);
  });

  it("--max-tokens, --temperature and --system go into the request", async () => {
    const { result, stdout } = await withEmulator(async (url) => {
      const path = configFile("flags.json", corp(url));
      return runCli([
        "chat",
        "--config",
        path,
        "--max-tokens",
        "64",
        "--temperature",
        "0.25",
        "--system",
        "Be brief",
        "Hi",
      ]);
    });
    expect(result.code).toBe(0);
    expect(logged(stdout).bodies[0]).toMatchObject({
      system: [{ text: "Be brief" }],
      inferenceConfig: { maxTokens: 64, temperature: 0.25 },
    });
    const bad = await runCli(["chat", "--emulator", "--temperature", "hot", "Hi"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--temperature: expected a number from 0 to 2, got "hot"');
  });

  it("--provider picks one of several Bedrock providers; ${file:} is read next to the config file", async () => {
    const { result, stdout } = await withEmulator(async (url) => {
      writeFileSync(join(dir, "key.txt"), "file-key-abcdef\n");
      const doc = corp(url);
      (doc.providers as any).corp.key = "${file:key.txt}";
      (doc.providers as any).other = { api: "bedrock", key: "x-123456", region: "eu-west-1" };
      const path = configFile("two.json", doc);
      const ambiguous = await runCli(["chat", "--config", path, "Hi"], { cwd: tmpdir() });
      expect(ambiguous.code).toBe(2);
      expect(ambiguous.stderr).toMatch(/several Bedrock providers \(corp, other\)/);
      return runCli(["chat", "--config", path, "--provider", "corp", "Hi"], { cwd: tmpdir() });
    });
    expect(result.code).toBe(0);
    expect(logged(stdout).paths).toHaveLength(1);
  });
});

describe("chat --emulator with an ECA document", () => {
  it("points the provider marked api: bedrock (any name) at the emulator, keeping its models", async () => {
    const path = configFile("corp-emulator.json", {
      defaultModel: "corp/claude",
      providers: {
        openai: { api: "openai-chat", models: { "gpt-5": {} } },
        corp: {
          api: "bedrock",
          models: { claude: { modelName: MODEL }, nova: { modelName: "amazon.nova-lite-v1:0" } },
        },
      },
    });
    const run = await runCli(["chat", "--emulator", "--config", path, "What is 6 * 7?"]);
    expect(run.stderr).toBe("usage: 6 input + 6 output = 12 tokens, stop reason end_turn\n");
    expect(run.stdout).toBe("6 * 7 = 42.\n");
    expect(run.code).toBe(0);
  });
});

describe("chat --interactive", () => {
  it("answers each line as a turn and keeps the history until EOF", async () => {
    const { result, stdout } = await withEmulator(async (url) => {
      const path = configFile("turns.json", corp(url));
      return runCli(["chat", "--config", path, "-i"], { input: "What is 6 * 7?\n\nAnd 2 + 2?\n" });
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("6 * 7 = 42.\n2 + 2 = 4.\n");
    const { bodies } = logged(stdout);
    expect(bodies).toHaveLength(2);
    expect(bodies[1].messages.map((m: any) => m.role)).toEqual(["user", "assistant", "user"]);
    expect(bodies[1].messages[1].content[0].text).toBe("6 * 7 = 42.");
  });
});

describe("Ctrl-C while chat waits for a prompt", () => {
  const hasScript = (() => {
    try {
      execFileSync("script", ["--version"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(!hasScript)(
    "on a terminal (a real pty through util-linux script): one Ctrl-C exits 130",
    async () => {
      const child = spawn(
        "script",
        ["-qfec", `'${process.execPath}' '${CLI}' chat --emulator`, "/dev/null"],
        {
          env: cliEnv(),
        },
      );
      const done = collect(child, 15_000);
      let seen = "";
      await new Promise<void>((resolve) =>
        child.stdout.on("data", (d: Buffer) => {
          seen += d.toString();
          if (seen.includes("Type your prompt")) resolve();
        }),
      );
      await new Promise((r) => setTimeout(r, 200));
      child.stdin.write("\x03"); // the terminal turns it into SIGINT for the foreground process
      const run = await done;
      expect(run.code).toBe(130);
      expect(run.stdout).toContain("interrupted");
    },
  );

  it("with piped stdin still open: SIGINT exits 130, not 2 (no prompt)", async () => {
    const child = spawn(process.execPath, [CLI, "chat", "--emulator"], { env: cliEnv() });
    const done = collect(child, 15_000);
    child.stdin.write("half a prom");
    await new Promise((r) => setTimeout(r, 500));
    child.kill("SIGINT");
    const run = await done;
    expect(run.code).toBe(130);
    expect(run.stderr).toContain("interrupted");
    expect(run.stderr).not.toContain("no prompt");
  });
});

describe("the emulator's fault.SPEC model ids", () => {
  it("work through the CLI: the fault happens, not an unknown-model usage error", async () => {
    const run = await runCli(["chat", "--emulator", "--model", "fault.throttle-frame;after=3", "hi"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("ThrottlingException");
    expect(run.stderr).not.toContain("unknown model");
  });
});
