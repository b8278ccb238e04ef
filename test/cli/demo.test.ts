import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, cliEnv, collect, ensureBuilt, ROOT, removeSnapshot, runCli } from "./run-cli";

beforeAll(ensureBuilt, 180_000);
afterAll(removeSnapshot);

const USAGE = /(\d+) input \+ (\d+) output = (\d+) tokens/g;

function usages(text: string): number[][] {
  return [...text.matchAll(USAGE)].map((m) => [Number(m[1]), Number(m[2]), Number(m[3])]);
}

describe("bedrock-edge demo", () => {
  it("streams a two-turn chat with a tool call and prints usage, offline, exit 0", async () => {
    const run = await runCli(["demo"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const out = run.stdout;
    // The prompt, the first turn's text, the tool call with its arguments, the tool's result, the final answer.
    expect(out).toContain("you: What's the weather in Lisbon right now?");
    expect(out).toContain("I'll use the get_weather tool to answer that.");
    expect(out).toMatch(/tool call\s+get_weather \{"city":"Lisbon"\}\s+\(id tooluse_\w+\)/);
    const result = '{"city":"Lisbon","temperatureC":22,"conditions":"sunny","windKmh":14}';
    expect(out).toMatch(new RegExp(`result\\s+${result.replace(/[{}]/g, "\\$&")}`));
    expect(out).toContain(`assistant: The get_weather tool returned: ${result}`);
    // In order: call, result, final answer.
    const call = out.indexOf("tool call");
    const res = out.indexOf(`result      ${result}`);
    const final = out.indexOf("assistant: The get_weather tool returned");
    expect(call).toBeGreaterThan(0);
    expect(res).toBeGreaterThan(call);
    expect(final).toBeGreaterThan(res);
    // Usage per turn, and a total that is their sum; every line adds up.
    const [first, second, total] = usages(out);
    for (const [input, output, sum] of [first, second, total]) expect(input + output).toBe(sum);
    expect(total).toEqual([first[0] + second[0], first[1] + second[1], first[2] + second[2]]);
    expect(out).toContain("stop reason tool_use");
    expect(out).toContain("stop reason end_turn");
    expect(out).toMatch(/total: 2 requests/);
    // Piped output: no colours, no cursor control.
    expect(out).not.toContain("\x1b");
  });

  it("takes its prompt from the command line and sends the tool's error back for an unknown city", async () => {
    const run = await runCli(["demo", "What's the weather in Reykjavik?"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('get_weather {"city":"Reykjavik"}');
    expect(run.stdout).toMatch(/error\s+no weather data for Reykjavik; try one of Lisbon/);
    expect(run.stdout).toContain(
      "assistant: The get_weather tool reported an error: no weather data for Reykjavik",
    );
  });

  it("answers in one turn when the prompt needs no tool", async () => {
    const run = await runCli(["demo", "Hello there"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('assistant: You said: "Hello there".');
    expect(run.stdout).not.toMatch(/tool call\s+get_weather/);
    expect(run.stdout).toContain("no tool call");
    expect(run.stdout).toMatch(/total: 1 request,/);
  });

  it("uses colours on a terminal and none with NO_COLOR", async () => {
    // A real pseudo-terminal via script(1): util-linux syntax on Linux, BSD syntax on macOS.
    const inTerminal = (env: Record<string, string>) => {
      const command = `"${process.execPath}" "${CLI}" demo --delay 0`;
      const args =
        process.platform === "darwin"
          ? ["-q", "/dev/null", "sh", "-c", command]
          : ["-qec", command, "/dev/null"];
      const child = spawn("script", args, { env: cliEnv({ TERM: "xterm-256color", ...env }), stdio: "pipe" });
      child.stdin.end();
      return collect(child, 20_000);
    };
    const tty = await inTerminal({});
    expect(tty.code).toBe(0);
    expect(tty.stdout).toContain("get_weather");
    expect(tty.stdout).toContain("\x1b[1m");
    const noColor = await inTerminal({ NO_COLOR: "1" });
    expect(noColor.code).toBe(0);
    expect(noColor.stdout).toContain("The get_weather tool returned");
    expect(noColor.stdout).not.toContain("\x1b");
  });

  it("rejects a bad option with exit 2 and a pointer to --help", async () => {
    const run = await runCli(["demo", "--delay", "soon"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--delay: expected an integer from 0 to 10000, got "soon"');
    expect(run.stdout).toBe("");
  });

  it("prints what docs/cli.md shows (apart from the port and the time)", async () => {
    const doc = readFileSync(join(ROOT, "docs/cli.md"), "utf8");
    const session = /```text\n\$ node dist\/cli\/main\.js demo\n([\s\S]*?)```/.exec(doc);
    expect(session).not.toBeNull();
    const normalise = (text: string) =>
      text
        .replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:PORT")
        .replace(/, \d+ ms\n/, ", N ms\n")
        .replace(/, [\d.]+ s\n/, ", N ms\n");
    const run = await runCli(["demo"]);
    expect(normalise(run.stdout)).toBe(normalise(session![1]));
  });
});
