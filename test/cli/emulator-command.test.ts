import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, removeSnapshot, runCli, startEmulatorProcess } from "./run-cli";

beforeAll(ensureBuilt, 180_000);
afterAll(removeSnapshot);

const MODEL = "anthropic.claude-sonnet-4-20250514-v1:0";

function converse(url: string, body: unknown, key = "any-key"): Promise<Response> {
  return fetch(`${url}/model/${encodeURIComponent(MODEL)}/converse`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
}

describe("bedrock-edge emulator", () => {
  it("prints `listening on` first, serves Converse, and exits 0 on SIGTERM", async () => {
    const emulator = await startEmulatorProcess();
    expect(emulator.firstLine).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+$/);
    const response = await converse(emulator.url, {
      messages: [{ role: "user", content: [{ text: "What is 3 * 5?" }] }],
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-amzn-requestid")).toMatch(/[0-9a-f-]{36}/);
    const json = (await response.json()) as any;
    expect(json.output.message.content[0].text).toBe("3 * 5 = 15.");
    expect(json.stopReason).toBe("end_turn");
    const stream = await fetch(`${emulator.url}/model/${MODEL}/converse-stream`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer any-key" },
      body: JSON.stringify({ messages: [{ role: "user", content: [{ text: "hi" }] }] }),
    });
    expect(stream.headers.get("content-type")).toBe("application/vnd.amazon.eventstream");
    expect((await stream.arrayBuffer()).byteLength).toBeGreaterThan(100);

    const run = await emulator.stop("SIGTERM");
    expect(run.code).toBe(0);
    expect(run.signal).toBeNull();
    // One log line per request on stderr, then the stop message.
    expect(run.stderr).toMatch(/POST \/model\/[^ ]+\/converse 200/);
    expect(run.stderr).toMatch(/POST \/model\/[^ ]+\/converse-stream 200/);
    expect(run.stderr).toContain("emulator stopped");
    // The server is gone.
    await expect(converse(emulator.url, {})).rejects.toThrow();
  });

  it("stops cleanly on SIGINT (Ctrl-C) too, with an open stream in flight", async () => {
    const emulator = await startEmulatorProcess(["--event-delay", "200"]);
    const response = await fetch(`${emulator.url}/model/${MODEL}/converse-stream`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer any-key" },
      body: JSON.stringify({ messages: [{ role: "user", content: [{ text: "Say 50 words" }] }] }),
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    await reader.read();
    const started = Date.now();
    const run = await emulator.stop("SIGINT");
    expect(run.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    await reader.cancel().catch(() => {});
  });

  it("with --api-key accepts only that key; the stdout stays just the first line", async () => {
    const emulator = await startEmulatorProcess(["--api-key", "key-one-1234"]);
    const body = { messages: [{ role: "user", content: [{ text: "hi" }] }] };
    expect((await converse(emulator.url, body, "key-one-1234")).status).toBe(200);
    const denied = await converse(emulator.url, body, "key-two-5678");
    expect(denied.status).toBe(403);
    expect(denied.headers.get("x-amzn-errortype")).toMatch(/^AccessDeniedException:/);
    const run = await emulator.stop();
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`listening on ${emulator.url}\n`);
    expect(run.stderr).toMatch(/403 AccessDeniedException/);
    expect(run.stderr).not.toContain("key-two-5678");
  });

  it("applies --fault to every request", async () => {
    const emulator = await startEmulatorProcess(["--fault", "throttle"]);
    const response = await converse(emulator.url, {
      messages: [{ role: "user", content: [{ text: "hi" }] }],
    });
    expect(response.status).toBe(429);
    expect(response.headers.get("x-amzn-errortype")).toMatch(/^ThrottlingException:/);
    expect((await emulator.stop()).code).toBe(0);
  });

  it("--log-level silent prints only the first line", async () => {
    const emulator = await startEmulatorProcess(["--log-level", "silent"]);
    await converse(emulator.url, { messages: [{ role: "user", content: [{ text: "hi" }] }] });
    const run = await emulator.stop();
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`listening on ${emulator.url}\n`);
    expect(run.stderr).toBe("");
  });

  it("a port in use: exit 1 with the port and a hint; bad options: exit 2", async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const run = await runCli(["emulator", "--port", String(port)]);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe("");
      expect(run.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(run.stderr).toContain("--port 0");
    } finally {
      blocker.close();
    }
    const badPort = await runCli(["emulator", "--port", "http"]);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('--port: expected an integer from 0 to 65535, got "http"');
    const badFault = await runCli(["emulator", "--fault", "explode"]);
    expect(badFault.code).toBe(2);
    expect(badFault.stderr).toContain('--fault: Unknown fault kind "explode"');
  });
});
