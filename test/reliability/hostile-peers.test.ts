import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { connect as connectHttp2 } from "node:http2";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, cliEnv, collect, ensureBuilt, ROOT, removeSnapshot } from "../cli/run-cli";

// The built `bedrock-edge proxy` and `bedrock-edge emulator`, each in its own process on loopback, under hostile
// peers (issue 14): resets in every phase, silent and trickling connections, a bounded connection flood and
// malformed HTTP. After each, the process is alive, still answers a real call through the proxy, and its memory
// (VmRSS) has grown by less than a bound. Limits are set small by flags so the suite runs in seconds.

const TOKEN = "hostile-peers-proxy-token-0123456789abcdef";
const MODEL = "anthropic.claude-3-haiku-20240307-v1:0";
const LIMITS = ["--headers-timeout", "400", "--request-timeout", "800", "--keep-alive-timeout", "300"];
const MAX_CONNECTIONS = 40;
/** Growth of a server process's resident memory allowed per case. */
const RSS_BOUND_MB = 40;

interface Running {
  child: ChildProcess;
  url: string;
  port: number;
}

async function start(args: string[], env: Record<string, string> = {}): Promise<Running> {
  const child = spawn(process.execPath, [CLI, ...args, "--port", "0", "--log-level", "silent"], {
    cwd: ROOT,
    env: cliEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  void collect(child, 120_000).catch(() => {});
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`no listening line: ${out}`)), 10_000);
    child.stdout!.on("data", (d: Buffer) => {
      out += d;
      const m = /^listening on (http:\/\/\S+)\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  return { child, url, port: Number(new URL(url).port) };
}

let emulator: Running;
let proxy: Running;
const figures: string[] = [];

beforeAll(async () => {
  await ensureBuilt();
  emulator = await start(["emulator", ...LIMITS, "--max-connections", String(MAX_CONNECTIONS)]);
  proxy = await start(
    [
      "proxy",
      "--upstream",
      emulator.url,
      "--region",
      "us-east-1",
      ...LIMITS,
      "--max-connections",
      String(MAX_CONNECTIONS),
    ],
    { BEDROCK_EDGE_PROXY_TOKENS: TOKEN, BEDROCK_API_KEY: "upstream-key-for-the-emulator" },
  );
}, 180_000);

afterAll(() => {
  emulator?.child.kill("SIGTERM");
  proxy?.child.kill("SIGTERM");
  removeSnapshot();
  if (figures.length) console.log(`hostile peers, VmRSS growth per case:\n${figures.join("\n")}`);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssMb = (child: ChildProcess) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))![1]) / 1024;

/** A real call through the proxy to the emulator. */
async function callThrough(): Promise<void> {
  const res = await fetch(`${proxy.url}/model/${MODEL}/converse`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ messages: [{ role: "user", content: [{ text: "What is 3 * 5?" }] }] }),
  });
  expect(res.status).toBe(200);
  expect(((await res.json()) as any).stopReason).toBe("end_turn");
}

function raw(port: number) {
  const socket = connect(port, "127.0.0.1");
  let received = "";
  socket.setEncoding("latin1");
  socket.on("data", (c: string) => {
    received += c;
  });
  socket.on("error", () => {});
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  const connected = new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  return { socket, received: () => received, closed, connected };
}

/** Runs `attack` against both processes; both must survive, keep answering, and stay within the bound. */
async function survive(name: string, attack: (target: Running) => Promise<void>) {
  for (const target of [emulator, proxy]) {
    const before = rssMb(target.child);
    await attack(target);
    await sleep(100);
    expect(target.child.exitCode, `${name}: the process died`).toBeNull();
    const grew = rssMb(target.child) - before;
    figures.push(`  ${name} (${target === proxy ? "proxy" : "emulator"}): ${grew.toFixed(1)} MB`);
    expect(grew, `${name}: memory`).toBeLessThan(RSS_BOUND_MB);
  }
  await callThrough();
}

describe("bedrock-edge proxy and emulator under hostile peers", () => {
  it("resets in every phase (HTTP/1.1 and h2c), 20 rounds", async () => {
    await survive("resets", async ({ port }) => {
      const phases = [
        "",
        "POST /model/x/conv",
        `POST /model/${MODEL}/converse HTTP/1.1\r\nhost: a\r\nauthorization: Bearer ${TOKEN}\r\ncontent-length: 500\r\n\r\n{"mess`,
        `POST /model/${MODEL}/converse-stream HTTP/1.1\r\nhost: a\r\nauthorization: Bearer ${TOKEN}\r\ncontent-length: 70\r\n\r\n${JSON.stringify({ messages: [{ role: "user", content: [{ text: "hi there" }] }] }).padEnd(70)}`,
        "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
      ];
      for (let round = 0; round < 20; round++) {
        const peer = raw(port);
        await peer.connected;
        const bytes = phases[round % phases.length];
        if (bytes) peer.socket.write(bytes);
        await sleep(round % 2 ? 20 : 1);
        peer.socket.resetAndDestroy();
        await peer.closed;
      }
      // h2c mid-stream: a session whose socket is reset while its stream is open.
      const socket = connect(port, "127.0.0.1");
      socket.on("error", () => {});
      const session = connectHttp2(`http://127.0.0.1:${port}`, { createConnection: () => socket });
      session.on("error", () => {});
      const stream = session.request({ ":method": "POST", ":path": `/model/${MODEL}/converse-stream` });
      stream.on("error", () => {});
      stream.write("{");
      await sleep(30);
      socket.resetAndDestroy();
      session.destroy();
    });
  });

  it("slow connections: silent, a trickled head, a trickled body: each answered 408 and closed in time", async () => {
    await survive("slow connections", async ({ port }) => {
      const started = Date.now();
      const silent = raw(port);
      const head = raw(port);
      const body = raw(port);
      await Promise.all([silent.connected, head.connected, body.connected]);
      body.socket.write(
        `POST /model/${MODEL}/converse HTTP/1.1\r\nhost: a\r\nauthorization: Bearer ${TOKEN}\r\ncontent-length: 1000\r\n\r\n`,
      );
      const trickle = setInterval(() => {
        if (!head.socket.destroyed) head.socket.write("x");
        if (!body.socket.destroyed) body.socket.write("y");
      }, 50);
      head.socket.write("GET / HTTP/1.1\r\nx-slow: ");
      await Promise.all([silent.closed, head.closed, body.closed]);
      clearInterval(trickle);
      expect(Date.now() - started).toBeLessThan(3000);
      for (const peer of [silent, head, body]) expect(peer.received()).toMatch(/^HTTP\/1\.1 408 /);
    });
  });

  it(`a flood of ${MAX_CONNECTIONS * 3} connections: ${MAX_CONNECTIONS} held, the rest refused with 503`, async () => {
    await survive("connection flood", async ({ port }) => {
      const peers = Array.from({ length: MAX_CONNECTIONS * 3 }, () => raw(port));
      await Promise.all(peers.map((p) => p.connected));
      await sleep(200);
      const refused = peers.filter((p) => p.received().startsWith("HTTP/1.1 503 "));
      expect(refused.length).toBeGreaterThanOrEqual(MAX_CONNECTIONS * 2 - 2);
      expect(refused[0].received()).toContain("too many connections");
      for (const p of peers) p.socket.destroy();
      await Promise.all(peers.map((p) => p.closed));
      await sleep(100);
    });
  });

  it("malformed HTTP: each gets a 4xx answer, never a crash", async () => {
    await survive("malformed HTTP", async ({ port }) => {
      const cases: [string, RegExp][] = [
        ["\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http at all\r\n\r\n", /^HTTP\/1\.1 400 /],
        ["GET / HTTP/1.1\r\nbad header line\r\n\r\n", /^HTTP\/1\.1 400 /],
        [`GET / HTTP/1.1\r\nhost: a\r\nx-big: ${"h".repeat(20_000)}\r\n\r\n`, /^HTTP\/1\.1 431 /],
        [
          `POST /model/${MODEL}/converse HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nnot a chunk\r\n`,
          /^HTTP\/1\.1 (400|401) /,
        ],
        ["TRACE / HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n", /^HTTP\/1\.1 405 /],
        ["CONNECT a:443 HTTP/1.1\r\nhost: a:443\r\n\r\n", /^HTTP\/1\.1 405 /],
        ["GET http://u:p@a/ HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n", /^HTTP\/1\.1 400 /],
        ["GET //[x/ HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n", /^HTTP\/1\.1 400 /],
      ];
      for (const [request, answer] of cases) {
        const peer = raw(port);
        await peer.connected;
        peer.socket.write(request, "latin1");
        await Promise.race([peer.closed, sleep(2000)]);
        expect(peer.received(), JSON.stringify(request.slice(0, 40))).toMatch(answer);
        peer.socket.destroy();
      }
    });
  });
});
