// `bedrock-edge count` and `bedrock-edge embed` (issue 16), run as the built CLI against the in-process emulator.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, removeSnapshot, runCli } from "./run-cli";

beforeAll(ensureBuilt, 180_000);
afterAll(removeSnapshot);

describe("bedrock-edge count --emulator", () => {
  it("prints the input tokens chat reports for the same prompt", async () => {
    const count = await runCli(["count", "--emulator", "What is 6 * 7?"]);
    expect(count.code).toBe(0);
    expect(count.stdout).toMatch(/^\d+\n$/);
    const chat = await runCli(["chat", "--emulator", "What is 6 * 7?"]);
    const reported = /usage: (\d+) input/.exec(chat.stderr)?.[1];
    expect(count.stdout.trim()).toBe(reported);
    const longer = await runCli([
      "count",
      "--emulator",
      "--system",
      "Answer in French, briefly.",
      "What is 6 * 7?",
    ]);
    expect(Number(longer.stdout)).toBeGreaterThan(Number(count.stdout));
  });

  it("reads stdin; a bad model is a usage error (exit 2) as for chat", async () => {
    const piped = await runCli(["count", "--emulator"], { input: "hello there\n" });
    expect(piped.code).toBe(0);
    expect(Number(piped.stdout)).toBeGreaterThan(0);
    const bad = await runCli(["count", "--emulator", "--model", "no such model", "hi"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--model/);
  });
});

describe("bedrock-edge embed --emulator", () => {
  it("prints one JSON vector per text, in order, of the requested dimension", async () => {
    const run = await runCli([
      "embed",
      "--emulator",
      "--dimensions",
      "256",
      "the cat",
      "a kitten",
      "tax law",
    ]);
    expect(run.code).toBe(0);
    const vectors = run.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as number[]);
    expect(vectors.map((v) => v.length)).toEqual([256, 256, 256]);
    const piped = await runCli(["embed", "--emulator", "--dimensions", "256"], {
      input: "tax law\n\nthe cat\n",
    });
    const fromStdin = piped.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(fromStdin).toEqual([vectors[2], vectors[0]]);
  });

  it("an unknown embedding model or a bad flag is a clear error", async () => {
    const unknown = await runCli([
      "embed",
      "--emulator",
      "--model",
      "anthropic.claude-3-haiku-20240307-v1:0",
      "x",
    ]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/not an embedding model/);
    const purpose = await runCli(["embed", "--emulator", "--purpose", "fun", "x"]);
    expect(purpose.code).toBe(2);
    expect(purpose.stderr).toMatch(/--purpose/);
  });
});
