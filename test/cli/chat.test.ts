// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:VAR} placeholders are the config syntax under test
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, cliEnv, collect, ensureBuilt, removeSnapshot, runCli, startEmulatorProcess } from "./run-cli";

beforeAll(ensureBuilt, 180_000);
afterAll(removeSnapshot);

const dir = mkdtempSync(join(tmpdir(), "bedrock-edge-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const MODEL = "anthropic.claude-sonnet-4-20250514-v1:0";

function configFile(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return path;
}

const withModels = (bedrock: Record<string, unknown>) => ({
  providers: { bedrock: { models: { claude: { modelName: MODEL } }, ...bedrock } },
});

describe("bedrock-edge chat --emulator", () => {
  it("streams the answer to stdout and the usage to stderr", async () => {
    const run = await runCli(["chat", "--emulator", "What is 6 * 7?"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("6 * 7 = 42.\n");
    expect(run.stderr).toMatch(/usage: (\d+) input \+ (\d+) output = (\d+) tokens, stop reason end_turn/);
    const silent = await runCli(["chat", "--emulator", "--log-level", "silent", "What is 6 * 7?"]);
    expect(silent.stdout).toBe("6 * 7 = 42.\n");
    expect(silent.stderr).toBe("");
  });

  it("reads the prompt from stdin when none is given", async () => {
    const run = await runCli(["chat", "--emulator"], { input: "What is 12 + 30?\n" });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("12 + 30 = 42.\n");
    const echo = await runCli(["chat", "--emulator"], { input: "a prompt\nover two lines\n" });
    expect(echo.stdout).toBe(
      'You said: "a prompt\nover two lines". This is a deterministic reply from the bedrock-edge emulator.\n',
    );
  });

  it("joins several words into one prompt and sends --system", async () => {
    const emulator = await startEmulatorProcess(["--log-level", "debug"]);
    const path = configFile(
      "system.json",
      withModels({ url: `${emulator.url}/model/`, modelIdPrefix: "none", key: "k1234" }),
    );
    const run = await runCli(["chat", "--config", path, "--system", "Be terse.", "What", "is", "2+2?"]);
    const served = await emulator.stop();
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("2+2 = 4.\n");
    // The emulator's debug log shows the request body it received.
    expect(served.stderr).toContain('"system":[{"text":"Be terse."}]');
    expect(served.stderr).toContain('"content":[{"text":"What is 2+2?"}]');
  });

  it("--no-stream calls /converse, the default calls /converse-stream, with the same answer", async () => {
    const streamed = await runCli(["chat", "--emulator", "--log-level", "debug", "Say 12 words"]);
    const whole = await runCli(["chat", "--emulator", "--no-stream", "--log-level", "debug", "Say 12 words"]);
    expect(streamed.code).toBe(0);
    expect(whole.code).toBe(0);
    expect(streamed.stderr).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/model\/[^ ]+\/converse-stream/);
    expect(whole.stderr).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/model\/[^ ]+\/converse\b(?!-)/);
    expect(whole.stderr).not.toContain("/converse-stream");
    expect(whole.stdout).toBe(streamed.stdout);
    expect(whole.stdout.trim().split(" ")).toHaveLength(12);
    // Debug logging is on stderr only: stdout stays the answer.
    expect(streamed.stdout).not.toContain("[bedrock-edge]");
  });

  it("stops quietly, exit 0, when the reader of stdout goes away (| head)", async () => {
    const child = spawn(process.execPath, [CLI, "chat", "--emulator", "Say 20000 words"], { env: cliEnv() });
    child.stdin.end();
    const done = collect(child, 20_000);
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    child.stdout.destroy();
    const run = await done;
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain("EPIPE");
  });

  it("uses the model named by --model and keeps the config's models", async () => {
    const path = configFile("two-models.json", {
      providers: {
        bedrock: {
          key: "${env:UNSET_KEY_FOR_TEST}",
          models: { a: { modelName: MODEL }, b: { modelName: "amazon.nova-pro-v1:0" } },
        },
      },
    });
    const run = await runCli([
      "chat",
      "--emulator",
      "--config",
      path,
      "--model",
      "b",
      "--log-level",
      "debug",
      "hi",
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("/model/amazon.nova-pro-v1:0/converse-stream");
    // Several models and no --model: the user has to choose.
    const ambiguous = await runCli(["chat", "--emulator", "--config", path, "hi"]);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain("pass --model, one of a, b");
  });
});

describe("bedrock-edge chat: bad input exits 2 with a clear message", () => {
  it("names the config path of an invalid value, and the file", async () => {
    const path = configFile("bad-region.json", withModels({ region: "mars-1" }));
    const run = await runCli(["chat", "--emulator", "--config", path, "hi"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`config file ${path}`);
    expect(run.stderr).toContain("providers.bedrock.region: expected an AWS region such as us-east-1");
    expect(run.stdout).toBe("");
  });

  it("names an unknown key and an unset ${env:...} variable", async () => {
    const typo = configFile("typo.json", withModels({ regoin: "us-east-1" }));
    const run = await runCli(["chat", "--config", typo, "hi"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('providers.bedrock.regoin: unknown key "regoin"');
    const unset = configFile("unset-env.json", withModels({ url: "${env:BEDROCK_EDGE_TEST_URL}" }));
    const env = await runCli(["chat", "--config", unset, "hi"]);
    expect(env.code).toBe(2);
    expect(env.stderr).toContain(
      "providers.bedrock.url: environment variable BEDROCK_EDGE_TEST_URL is not set",
    );
  });

  it("reports bad JSON with line and column, and a missing file", async () => {
    const broken = configFile("broken.json", '{\n  "providers": {\n    "bedrock": {,}\n  }\n}\n');
    const run = await runCli(["chat", "--config", broken, "hi"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`config file ${broken}: not valid JSON`);
    expect(run.stderr).toContain("line 3, column 17");
    const missing = await runCli(["chat", "--config", join(dir, "nope.json"), "hi"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`config file ${join(dir, "nope.json")}: no such file`);
  });

  it("reads the config named by BEDROCK_EDGE_CONFIG", async () => {
    const path = configFile("env-named.json", withModels({ region: "nowhere" }));
    const run = await runCli(["chat", "hi"], { env: { BEDROCK_EDGE_CONFIG: path } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`config file ${path}`);
  });

  it("a missing key: exit 2 with a hint, before waiting for a prompt on stdin", async () => {
    const path = configFile("no-key.json", withModels({}));
    // stdin stays open: the CLI must not wait for it when it cannot send anyway.
    const run = await runCli(["chat", "--config", path], { keepStdinOpen: true, timeoutMs: 10_000 });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/key: .*credentials/i);
    expect(run.stderr).toContain("hint: set AWS_BEARER_TOKEN_BEDROCK");
  });

  it("an unknown model: exit 2 naming the model and the aliases", async () => {
    const path = configFile("models.json", withModels({ key: "not-used" }));
    const run = await runCli(["chat", "--config", path, "--model", "gpt-4o", "hi"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown model "gpt-4o"');
    expect(run.stderr).toContain("(claude)");
    expect(run.stderr).toContain("hint: --model takes an alias");
  });

  it("an empty prompt, an unknown option, a bad --log-level", async () => {
    const empty = await runCli(["chat", "--emulator"], { input: "\n" });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("no prompt: pass it as an argument or on stdin");
    const option = await runCli(["chat", "--emulator", "--temprature", "1", "hi"]);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("Unknown option '--temprature'");
    expect(option.stderr).toContain("bedrock-edge chat --help");
    const level = await runCli(["chat", "--emulator", "--log-level", "loud", "hi"]);
    expect(level.code).toBe(2);
    expect(level.stderr).toContain('--log-level: "loud" is not a log level');
  });
});

describe("bedrock-edge chat: service errors exit 1 with name, message and hint", () => {
  const servers: { stop(): Promise<unknown> }[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  it("a ValidationException from the service", async () => {
    const run = await runCli(["chat", "--emulator", "--model", `us-east-1.${MODEL}`, "hi"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("error: ValidationException: The provided model identifier is invalid.");
    expect(run.stderr).toContain("hint: invalid model id: a full region in front of the id");
    expect(run.stderr).toMatch(/HTTP 400, request id [0-9a-f-]{36}/);
  });

  it("a stream that fails mid-answer: the partial text, then the error", async () => {
    const emulator = await startEmulatorProcess(["--fault", "model-stream-error;after=4"]);
    servers.push(emulator);
    const path = configFile(
      "served.json",
      withModels({ url: `${emulator.url}/model/`, modelIdPrefix: "none", key: "k1234" }),
    );
    const run = await runCli(["chat", "--config", path, "Say 40 words"]);
    expect(run.code).toBe(1);
    // messageStart + 3 text deltas arrived before the exception frame.
    expect(run.stdout.length).toBeGreaterThan(1);
    expect(run.stdout.endsWith("\n")).toBe(true);
    const full =
      "The quick brown fox jumps over a lazy dog while seven bright stars watch quietly from an old blue sky";
    expect(full.startsWith(run.stdout.trim())).toBe(true);
    expect(run.stdout.trim().length).toBeLessThan(full.length);
    expect(run.stderr).toContain("error: ModelStreamErrorException:");
    expect(run.stderr).toMatch(/the stream failed after \d+ events: the output above is incomplete/);
  });

  it("never prints the key, even with debug logging", async () => {
    const emulator = await startEmulatorProcess(["--api-key", "right-key-0001"]);
    servers.push(emulator);
    const secret = "wrong-key-9d8c7b6a5f4e";
    const path = configFile(
      "wrong-key.json",
      withModels({ url: `${emulator.url}/model/`, modelIdPrefix: "none", key: secret }),
    );
    const run = await runCli(["chat", "--config", path, "--log-level", "debug", "hi"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("AccessDeniedException");
    expect(run.stderr).toContain("hint:");
    expect(run.stdout + run.stderr).not.toContain(secret);
  });

  it("takes the key from AWS_BEARER_TOKEN_BEDROCK and the region from AWS_REGION when the config has none", async () => {
    const emulator = await startEmulatorProcess(["--api-key", "env-key-4321", "--log-level", "debug"]);
    servers.push(emulator);
    const path = configFile(
      "env-key.json",
      withModels({ url: `${emulator.url}/model/`, modelIdPrefix: "none" }),
    );
    const run = await runCli(["chat", "--config", path, "--log-level", "debug", "hi"], {
      env: { AWS_BEARER_TOKEN_BEDROCK: "env-key-4321", AWS_REGION: "eu-west-1" },
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      'You said: "hi". This is a deterministic reply from the bedrock-edge emulator.\n',
    );
    expect(run.stderr).not.toContain("env-key-4321");
    const regional = configFile(
      "regional.json",
      withModels({ url: `${emulator.url}/model/`, modelIdPrefix: "geo" }),
    );
    const geo = await runCli(["chat", "--config", regional, "--log-level", "debug", "hi"], {
      env: { AWS_BEARER_TOKEN_BEDROCK: "env-key-4321", AWS_REGION: "eu-west-1" },
    });
    expect(geo.code).toBe(0);
    expect(geo.stderr).toContain(`/model/eu.${MODEL}/converse-stream`);
  });

  it("an unreachable endpoint is a NetworkError, exit 1", async () => {
    const emulator = await startEmulatorProcess();
    const url = emulator.url;
    await emulator.stop();
    const path = configFile(
      "gone.json",
      withModels({ url: `${url}/model/`, modelIdPrefix: "none", key: "k1234", maxRetries: 0 }),
    );
    const run = await runCli(["chat", "--config", path, "hi"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("error: NetworkError: Could not reach 127.0.0.1");
  });

  it("Ctrl-C mid-answer stops the request: exit 130, the partial line ended", async () => {
    const emulator = await startEmulatorProcess(["--event-delay", "300"]);
    servers.push(emulator);
    const path = configFile(
      "slow.json",
      withModels({ url: `${emulator.url}/model/`, modelIdPrefix: "none", key: "k1234" }),
    );
    const child = spawn(process.execPath, [CLI, "chat", "--config", path, "Say 200 words"], {
      env: cliEnv(),
    });
    child.stdin.end();
    const done = collect(child, 20_000);
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    child.kill("SIGINT");
    const run = await done;
    expect(run.code).toBe(130);
    expect(run.stderr).toContain("interrupted");
    expect(run.stdout.endsWith("\n")).toBe(true);
    expect(run.stdout.split(" ").length).toBeLessThan(200);
  });
});
