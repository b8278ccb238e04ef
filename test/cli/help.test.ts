import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, ROOT, removeSnapshot, runCli } from "./run-cli";

beforeAll(ensureBuilt, 180_000);
afterAll(removeSnapshot);

describe("bedrock-edge --help / --version", () => {
  it("--version prints the package.json version", async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    for (const flag of ["--version", "-v"]) {
      const run = await runCli([flag]);
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(`${version}\n`);
    }
  });

  it("--help lists the commands; no arguments shows the same", async () => {
    const run = await runCli(["--help"]);
    expect(run.code).toBe(0);
    for (const command of ["demo", "chat", "emulator", "proxy"])
      expect(run.stdout).toMatch(new RegExp(`^  ${command} `, "m"));
    expect(run.stdout).toContain("--log-level");
    const bare = await runCli([]);
    expect(bare.code).toBe(0);
    expect(bare.stdout).toBe(run.stdout);
  });

  it("each command has --help, and `help CMD` shows the same", async () => {
    const expected: Record<string, string[]> = {
      demo: ["Usage: bedrock-edge demo", "get_weather", "--delay"],
      chat: [
        "Usage: bedrock-edge chat",
        "--config FILE",
        "--model NAME",
        "--no-stream",
        "--emulator",
        "--system",
        "Exit status",
      ],
      emulator: [
        "Usage: bedrock-edge emulator",
        "--port N",
        "--host HOST",
        "listening on http://HOST:PORT",
        "SIGTERM",
      ],
    };
    for (const [command, parts] of Object.entries(expected)) {
      const run = await runCli([command, "--help"]);
      expect(run.code).toBe(0);
      for (const part of parts) expect(run.stdout).toContain(part);
      const viaHelp = await runCli(["help", command]);
      expect(viaHelp.stdout).toBe(run.stdout);
    }
  });

  it("an unknown command: exit 2 naming it and the commands", async () => {
    const run = await runCli(["chta", "hi"]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(
      'unknown command "chta" (commands: demo, chat, count, embed, emulator, proxy)',
    );
  });

  it("--log-level before the command applies to it", async () => {
    const run = await runCli(["--log-level", "debug", "chat", "--emulator", "hi"]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("[bedrock-edge] POST http://127.0.0.1:");
  });
});
