import { connect as connectHttp2, constants } from "node:http2";
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type FetchHandler, SERVE_DEFAULTS, type Server, serve } from "../../src/node/serve";

// serve() against peers that misbehave at the connection level (issue 14, items 1, 3 and 10): resets in every
// phase of HTTP/1.1 and h2c exchanges, silent and trickling peers, kept-alive idlers, floods past the
// connection cap, and requests that Node parses but the fetch API cannot take. Each must end that connection
// only, with an HTTP answer wherever one can still be read; the server keeps answering everyone else.

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function start(handler: FetchHandler, options: Parameters<typeof serve>[1] = {}) {
  const server = await serve(handler, options);
  servers.push(server);
  return server;
}

/** A handler that echoes the body, or streams `n` chunks slowly for /slow. */
const echo: FetchHandler = {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/slow") {
      let n = 0;
      return new Response(
        new ReadableStream<Uint8Array>({
          async pull(controller) {
            await sleep(20);
            if (n++ < 50) controller.enqueue(new Uint8Array(1000).fill(97));
            else controller.close();
          },
        }),
      );
    }
    if (url.pathname === "/think") await sleep(200);
    return new Response(`echo:${await request.text()}`);
  },
};

/** A raw TCP client: what it received, and when the server closed it. */
function raw(port: number) {
  const socket = connect(port, "127.0.0.1");
  let received = "";
  socket.setEncoding("latin1");
  socket.on("data", (chunk: string) => {
    received += chunk;
  });
  socket.on("error", () => {});
  const closed = new Promise<number>((resolve) => {
    const opened = Date.now();
    socket.once("close", () => resolve(Date.now() - opened));
  });
  const connected = new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  return { socket, received: () => received, closed, connected };
}

const within = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms)),
  ]);

async function stillServes(server: Server) {
  const res = await fetch(`${server.url}/after`, { method: "POST", body: "ok" });
  expect(await res.text()).toBe("echo:ok");
}

describe("serve(): resets in every phase", () => {
  const HTTP1_PHASES: [string, (s: Socket) => Promise<void>][] = [
    ["before a byte", async () => {}],
    ["inside the request line", async (s) => void s.write("POST /x HT")],
    [
      "inside the body",
      async (s) => void s.write("POST /x HTTP/1.1\r\nhost: a\r\ncontent-length: 100\r\n\r\n0123456789"),
    ],
    [
      "while the handler works",
      async (s) => void s.write("POST /think HTTP/1.1\r\nhost: a\r\ncontent-length: 2\r\n\r\nhi"),
    ],
    ["mid-response", async (s) => void s.write("GET /slow HTTP/1.1\r\nhost: a\r\n\r\n")],
    [
      "idle after a kept-alive exchange",
      async (s) => {
        s.write("POST /x HTTP/1.1\r\nhost: a\r\ncontent-length: 2\r\n\r\nhi");
        await new Promise((r) => s.once("data", r));
      },
    ],
  ];
  for (const [phase, act] of HTTP1_PHASES) {
    it(`HTTP/1.1: a reset ${phase} ends that connection only`, async () => {
      const server = await start(echo);
      for (let i = 0; i < 3; i++) {
        const peer = raw(server.port);
        await peer.connected;
        await act(peer.socket);
        await sleep(phase === "mid-response" || phase.startsWith("while") ? 60 : 5);
        peer.socket.resetAndDestroy();
        await peer.closed;
      }
      await sleep(50);
      await stillServes(server);
    });
  }

  /** An h2c client over a socket the test holds, so that it can reset it. */
  function h2c(port: number) {
    const socket = connect(port, "127.0.0.1");
    socket.on("error", () => {});
    const session = connectHttp2(`http://127.0.0.1:${port}`, { createConnection: () => socket });
    session.on("error", () => {});
    return { socket, session };
  }

  const H2_PHASES: [string, (c: ReturnType<typeof h2c>) => Promise<void>][] = [
    ["inside the preface", async ({ session }) => void session.destroy()],
    [
      "after the settings",
      async ({ session }) => void (await new Promise((r) => session.once("connect", r))),
    ],
    [
      "inside a request body",
      async ({ session }) => {
        const stream = session.request({ ":method": "POST", ":path": "/x" });
        stream.on("error", () => {});
        stream.write("partial");
        await sleep(30);
      },
    ],
    [
      "mid-response",
      async ({ session }) => {
        const stream = session.request({ ":method": "GET", ":path": "/slow" });
        stream.on("error", () => {});
        await new Promise((r) => stream.once("data", r));
      },
    ],
  ];
  for (const [phase, act] of H2_PHASES) {
    it(`h2c: a reset ${phase} ends that connection only`, async () => {
      const server = await start(echo);
      for (let i = 0; i < 3; i++) {
        if (phase === "inside the preface") {
          const peer = raw(server.port);
          await peer.connected;
          peer.socket.write("PRI * HTTP/2.0\r\n");
          await sleep(5);
          peer.socket.resetAndDestroy();
          await peer.closed;
          continue;
        }
        const client = h2c(server.port);
        await act(client);
        client.socket.resetAndDestroy();
        client.session.destroy();
      }
      await sleep(50);
      await stillServes(server);
    });
  }
});

describe("serve(): deadlines and the connection cap", () => {
  it("the defaults are Node's own limits, and a cap on connections", () => {
    expect(SERVE_DEFAULTS).toEqual({
      headersTimeoutMs: 60_000,
      requestTimeoutMs: 300_000,
      keepAliveTimeoutMs: 5_000,
      maxConnections: 1000,
    });
  });

  it("a connection that sends nothing is answered 408 and closed after headersTimeoutMs", async () => {
    const server = await start(echo, { headersTimeoutMs: 300 });
    const peer = raw(server.port);
    const ms = await within(peer.closed, 3000, "silent connection closed");
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(peer.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("a request head trickled a byte at a time gets 408 after headersTimeoutMs", async () => {
    const server = await start(echo, { headersTimeoutMs: 400 });
    const peer = raw(server.port);
    await peer.connected;
    const head = "GET / HTTP/1.1\r\nhost: a\r\nx-slow: ";
    let stop = false;
    void (async () => {
      for (let i = 0; !stop; i++) {
        peer.socket.write(head[i] ?? "a");
        await sleep(50);
      }
    })();
    const ms = await within(peer.closed, 3000, "trickling head closed");
    stop = true;
    expect(ms).toBeGreaterThanOrEqual(350);
    expect(peer.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("a request body trickled a byte at a time gets 408 after requestTimeoutMs, and the handler is aborted", async () => {
    let aborted = false;
    const server = await start(
      {
        async fetch(request) {
          request.signal.addEventListener("abort", () => (aborted = true));
          return new Response(await request.text());
        },
      },
      { requestTimeoutMs: 500 },
    );
    const peer = raw(server.port);
    await peer.connected;
    peer.socket.write("POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 1000\r\n\r\n");
    let stop = false;
    void (async () => {
      while (!stop && !peer.socket.destroyed) {
        peer.socket.write("x");
        await sleep(50);
      }
    })();
    const ms = await within(peer.closed, 3000, "trickling body closed");
    stop = true;
    expect(ms).toBeGreaterThanOrEqual(450);
    expect(peer.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(aborted).toBe(true);
  });

  it("a long streamed answer is not cut by requestTimeoutMs once the request has arrived", async () => {
    const server = await start(echo, { requestTimeoutMs: 300, headersTimeoutMs: 300 });
    const res = await fetch(`${server.url}/slow`);
    expect((await res.arrayBuffer()).byteLength).toBe(50_000); // ~1 s of streaming
  });

  it("an idle kept-alive HTTP/1.1 connection is closed after keepAliveTimeoutMs", async () => {
    const server = await start(echo, { keepAliveTimeoutMs: 200 });
    const peer = raw(server.port);
    await peer.connected;
    peer.socket.write("POST /x HTTP/1.1\r\nhost: a\r\ncontent-length: 2\r\n\r\nhi");
    const ms = await within(peer.closed, 3000, "kept-alive connection closed");
    expect(peer.received()).toContain("echo:hi");
    expect(ms).toBeGreaterThanOrEqual(150);
  });

  it("an h2c session with no stream is closed after keepAliveTimeoutMs", async () => {
    const server = await start(echo, { keepAliveTimeoutMs: 200 });
    const session = connectHttp2(server.url);
    session.on("error", () => {});
    const stream = session.request({ ":method": "POST", ":path": "/x" });
    stream.end("hi");
    let body = "";
    stream.setEncoding("utf8");
    stream.on("data", (c) => (body += c));
    await new Promise((r) => stream.once("end", r));
    expect(body).toBe("echo:hi");
    const started = Date.now();
    await within(new Promise((r) => session.once("close", r)), 3000, "idle h2c session closed");
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });

  it("connections past maxConnections get a 503 that says why; the server recovers when they go", async () => {
    const server = await start(echo, { maxConnections: 5, headersTimeoutMs: 5000 });
    const held = Array.from({ length: 5 }, () => raw(server.port));
    await Promise.all(held.map((p) => p.connected));
    await sleep(30);
    const extra = Array.from({ length: 10 }, () => raw(server.port));
    await within(Promise.all(extra.map((p) => p.closed)), 3000, "refused connections closed");
    for (const peer of extra) {
      expect(peer.received()).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
      expect(peer.received()).toContain("too many connections (this server accepts 5 at once)");
    }
    for (const peer of held) peer.socket.destroy();
    await Promise.all(held.map((p) => p.closed));
    await sleep(30);
    await stillServes(server);
  });
});

describe("serve(): an HTTP answer for every request", () => {
  async function ask(port: number, request: string) {
    const peer = raw(port);
    await peer.connected;
    peer.socket.write(request);
    await within(peer.closed, 3000, `answer to ${request.split("\r\n")[0]}`);
    return peer.received();
  }

  it("TRACE and CONNECT get 405, a target with credentials or that does not parse gets 400", async () => {
    let reached = 0;
    const server = await start({
      async fetch() {
        reached++;
        return new Response("reached");
      },
    });
    const trace = await ask(server.port, "TRACE / HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n");
    expect(trace).toMatch(/^HTTP\/1\.1 405 /);
    expect(trace).toContain("TRACE is not served");
    const tunnel = await ask(
      server.port,
      "CONNECT example.com:443 HTTP/1.1\r\nhost: example.com:443\r\n\r\n",
    );
    expect(tunnel).toMatch(/^HTTP\/1\.1 405 /);
    const withCredentials = await ask(
      server.port,
      "GET http://user:pass@127.0.0.1/x HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n",
    );
    expect(withCredentials).toMatch(/^HTTP\/1\.1 400 /);
    expect(withCredentials).not.toContain("pass");
    const unparsable = await ask(server.port, "GET //[x/ HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n");
    expect(unparsable).toMatch(/^HTTP\/1\.1 400 /);
    expect(reached).toBe(0);
  });

  it("h2c TRACE gets 405", async () => {
    const server = await start(echo);
    const session = connectHttp2(server.url);
    session.on("error", () => {});
    try {
      const stream = session.request({ ":method": "TRACE", ":path": "/" });
      const status = await within(
        new Promise<number>((resolve) =>
          stream.once("response", (h) => resolve(Number(h[constants.HTTP2_HEADER_STATUS]))),
        ),
        3000,
        "h2c TRACE answered",
      );
      expect(status).toBe(405);
    } finally {
      session.close();
    }
  });

  it("a handler that throws gets a 500 that says only that; the detail goes to onError", async () => {
    const logged: unknown[] = [];
    const server = await start(
      {
        async fetch() {
          throw new Error("db password=hunter2 unreachable");
        },
      },
      { onError: (error) => logged.push(error) },
    );
    const res = await fetch(server.url);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).toBe("Internal Server Error: the request handler failed\n");
    expect((logged[0] as Error).message).toContain("hunter2");
  });
});

describe("serve() on a long keep-alive connection", () => {
  it("adds no listener per request to the socket (a connection reused for many requests does not grow)", async () => {
    const server = await start(echo);
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on("warning", onWarning);
    const { Agent, request } = await import("node:http");
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    try {
      for (let i = 0; i < 30; i++) {
        const body = await new Promise<string>((resolve, reject) => {
          const req = request(`${server.url}/echo`, { method: "POST", agent }, (res) => {
            let text = "";
            res.setEncoding("utf8");
            res.on("data", (d) => {
              text += d;
            });
            res.on("end", () => resolve(text));
          });
          req.on("socket", (s) => sockets.add(s));
          req.on("error", reject);
          req.end(`request ${i}`);
        });
        expect(body).toBe(`echo:request ${i}`);
      }
      await sleep(20);
    } finally {
      process.off("warning", onWarning);
      agent.destroy();
    }
    expect(sockets.size).toBe(1); // every request went over the one connection
    expect(warnings).not.toContain("MaxListenersExceededWarning");
  });
});
