import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmulator } from "../../src/emulator";
import { startRuntime } from "../helpers/runtime-process";
import { workerBundle } from "../helpers/worker-bundle";
import { converseRequest, decodeFrames, readAll, user } from "./helpers";

// The emulator is plain web-standard code: bundled once, it serves the same bytes under Deno.serve,
// Bun.serve and a Cloudflare Worker (workerd via Miniflare) as it does in Node.

const ROOT = join(import.meta.dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "emulator-runtimes-"));
const OPTIONS = "{ latencyMs: 5 }";
let bundle = "";

beforeAll(async () => {
  bundle = await workerBundle(join(ROOT, "src/emulator/index.ts"));
  writeFileSync(join(dir, "emulator.mjs"), bundle);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const body = {
  messages: [user("What's the weather in Paris?")],
  toolConfig: {
    tools: [
      {
        toolSpec: {
          name: "get_weather",
          description: "Weather for a city",
          inputSchema: {
            json: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
          },
        },
      },
    ],
  },
};

async function nodeReference(): Promise<Uint8Array> {
  const response = await createEmulator({ latencyMs: 5 }).fetch(converseRequest(body, { stream: true }));
  return (await readAll(response.body)).bytes;
}

/** Sends the same request to `base` with 1-byte chunks; returns status, bytes and chunk count. */
async function exercise(send: (request: Request) => Promise<Response>, base: string) {
  const response = await send(
    converseRequest(body, { stream: true, base, headers: { "x-bedrock-edge-chunk-size": "1" } }),
  );
  const { bytes, chunks } = await readAll(response.body as ReadableStream<Uint8Array>);
  const throttled = await send(
    converseRequest(body, { base, headers: { "x-bedrock-edge-fault": "throttle" } }),
  );
  await throttled.arrayBuffer();
  return { status: response.status, type: response.headers.get("content-type"), bytes, chunks, throttled };
}

async function checkRuntime(send: (request: Request) => Promise<Response>, base: string) {
  const result = await exercise(send, base);
  expect(result.status).toBe(200);
  expect(result.type).toBe("application/vnd.amazon.eventstream");
  expect(result.bytes).toEqual(await nodeReference());
  const frames = decodeFrames(result.bytes);
  const input = frames.flatMap((f) => (f.json.delta?.toolUse ? [f.json.delta.toolUse.input] : [])).join("");
  expect(JSON.parse(input)).toEqual({ city: "Paris" });
  expect(result.throttled.status).toBe(429);
  expect(result.throttled.headers.get("x-amzn-errortype")).toMatch(/^ThrottlingException:/);
}

const startProcess = (command: string, args: string[], script: string) =>
  startRuntime(command, args, script, dir);

describe("the emulator bundle runs on other runtimes", () => {
  it("Deno.serve", async () => {
    const { child, port } = await startProcess(
      "deno",
      ["run", "--allow-net=127.0.0.1", "--no-prompt"],
      `import { createEmulator } from "./emulator.mjs";
const emulator = createEmulator(${OPTIONS});
Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: ({ port }) => console.log("LISTENING " + port) }, (req) => emulator.fetch(req));`,
    );
    try {
      await checkRuntime(fetch, `http://127.0.0.1:${port}`);
    } finally {
      child.kill();
    }
  });

  it("Bun.serve", async () => {
    const { child, port } = await startProcess(
      "bun",
      ["run"],
      `import { createEmulator } from "./emulator.mjs";
const emulator = createEmulator(${OPTIONS});
const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req) => emulator.fetch(req) });
console.log("LISTENING " + server.port);`,
    );
    try {
      await checkRuntime(fetch, `http://127.0.0.1:${port}`);
    } finally {
      child.kill();
    }
  });

  it("a Cloudflare Worker (workerd via Miniflare)", async () => {
    // A Worker module may only export handlers, so the worker entry is bundled on its own.
    const worker = await workerBundle({
      contents: `import { createEmulator } from "./src/emulator/index.ts";
const emulator = createEmulator(${OPTIONS});
export default { fetch: (req) => emulator.fetch(req) };`,
      resolveDir: ROOT,
    });
    const mf = new Miniflare({
      modules: true,
      compatibilityDate: "2026-07-30",
      script: worker,
    });
    try {
      await checkRuntime(async (request) => {
        const init = { method: request.method, headers: [...request.headers], body: await request.text() };
        return (await mf.dispatchFetch(request.url, init)) as unknown as Response;
      }, "http://localhost");
    } finally {
      await mf.dispose();
    }
  });
});
