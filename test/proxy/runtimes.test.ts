import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fault } from "../../src/emulator";
import { startRuntime } from "../helpers/runtime-process";
import { workerBundle } from "../helpers/worker-bundle";
import { HAIKU, startUpstream, TOKEN, UPSTREAM_KEY, type Upstream, waitFor, weatherThrough } from "./setup";

// The proxy bundle served by Deno.serve and Bun.serve, with the emulator (in this Node process) as upstream:
// the core client streams through it, and a caller that goes away closes the upstream connection.

const ROOT = join(import.meta.dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "proxy-runtimes-"));
let upstream: Upstream;
let stalled: Upstream;

beforeAll(async () => {
  upstream = await startUpstream();
  stalled = await startUpstream({ faults: [fault.stall(20_000, 1)] });
  writeFileSync(join(dir, "proxy.mjs"), await workerBundle(join(ROOT, "src/proxy/index.ts")));
});
afterAll(async () => {
  await upstream?.close();
  await stalled?.close();
  rmSync(dir, { recursive: true, force: true });
});

const options = (to: Upstream) =>
  JSON.stringify({
    tokens: [TOKEN],
    upstreamKey: UPSTREAM_KEY,
    upstream: to.url,
    defaultRegion: "us-east-1",
  });

const startProcess = (command: string, args: string[], script: string) =>
  startRuntime(command, args, script, dir);

const RUNTIMES = {
  deno: {
    args: ["run", "--allow-net=127.0.0.1", "--no-prompt"],
    script: (to: Upstream) => `import { createProxy } from "./proxy.mjs";
const proxy = createProxy(${options(to)});
Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: ({ port }) => console.log("LISTENING " + port) }, proxy.fetch);`,
  },
  bun: {
    args: ["run"],
    script: (to: Upstream) => `import { createProxy } from "./proxy.mjs";
const proxy = createProxy(${options(to)});
const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: proxy.fetch });
console.log("LISTENING " + server.port);`,
  },
};

describe.each(Object.entries(RUNTIMES))("the proxy under %s", (command, runtime) => {
  it("streams a tool call from the emulator to the core client", async () => {
    const { child, url } = await startProcess(command, runtime.args, runtime.script(upstream));
    try {
      const events = await weatherThrough(url, "Lisbon");
      expect(events.find((e) => e.type === "tool-call")).toMatchObject({ name: "get_weather" });
      expect(events.at(-1)).toMatchObject({ type: "finish", stopReason: "tool_use" });
      expect(upstream.seen.at(-1)!.headers.get("authorization")).toBe(`Bearer ${UPSTREAM_KEY}`);
    } finally {
      child.kill();
    }
  });

  it("closes the upstream connection when the caller goes away", async () => {
    const { child, url } = await startProcess(command, runtime.args, runtime.script(stalled));
    try {
      const before = stalled.seen.length;
      const controller = new AbortController();
      const response = await fetch(`${url}/model/${HAIKU}/converse-stream`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ messages: [{ role: "user", content: [{ text: "Hi" }] }] }),
        signal: controller.signal,
      });
      const reader = response.body!.getReader();
      expect((await reader.read()).value?.byteLength).toBeGreaterThan(0);
      const seen = stalled.seen[before];
      expect(seen.cutOff).toBe(false);
      controller.abort();
      await waitFor(() => seen.cutOff, 10_000);
    } finally {
      child.kill();
    }
  });
});
