import { Agent, request as httpRequest, type IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { type FetchHandler, serve } from "../../src/node";

// The Node adapter: Request/Response over node:http with streaming, backpressure, disconnects and close.

function get(url: string, options: { method?: string; agent?: Agent } = {}): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? "GET", agent: options.agent }, resolve);
    req.on("error", reject);
    req.end();
  });
}

function bodyOf(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    res.setEncoding("utf8");
    res.on("data", (c) => (text += c));
    res.on("end", () => resolve(text));
    res.on("error", reject);
    res.on("aborted", () => reject(new Error("aborted")));
  });
}

const within = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms)),
  ]);

describe("serve()", () => {
  it("listens on 127.0.0.1 on a free port and converts the request faithfully (streamed body)", async () => {
    const server = await serve({
      async fetch(request) {
        return Response.json({
          method: request.method,
          url: request.url,
          accept: request.headers.get("accept"),
          multi: request.headers.get("x-multi"),
          body: await request.text(),
        });
      },
    });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(server.port).toBeGreaterThan(0);
      const res = await fetch(`${server.url}/model/a%3Ab/converse?x=1`, {
        method: "POST",
        headers: [
          ["accept", "application/json"],
          ["x-multi", "one"],
          ["x-multi", "two"],
        ],
        body: "x".repeat(200_000),
      });
      expect(await res.json()).toEqual({
        method: "POST",
        url: `${server.url}/model/a%3Ab/converse?x=1`,
        accept: "application/json",
        multi: "one, two",
        body: "x".repeat(200_000),
      });
    } finally {
      await server.close();
    }
  });

  it("writes each chunk as soon as the handler produces it (no buffering)", async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const server = await serve({
      async fetch() {
        const body = new ReadableStream<Uint8Array>({
          async start(controller) {
            controller.enqueue(new TextEncoder().encode("first;"));
            await released;
            controller.enqueue(new TextEncoder().encode("second;"));
            controller.close();
          },
        });
        return new Response(body, { headers: { "content-type": "text/plain" } });
      },
    });
    try {
      const res = await within(get(server.url), 2000, "response head before the body finished");
      const first = await within(
        new Promise<string>((resolve) => res.once("data", (c: Buffer) => resolve(c.toString()))),
        2000,
        "first chunk before the second was produced",
      );
      expect(first).toBe("first;");
      release();
      expect(await bodyOf(res)).toBe("second;");
    } finally {
      await server.close();
    }
  });

  it("a slow reader applies backpressure; disconnecting cancels the body and aborts request.signal", async () => {
    const CHUNK = 64 * 1024;
    const TOTAL = 1024; // 64 MiB if read in full
    let pulled = 0;
    let cancelled = false;
    let signalAborted!: () => void;
    const aborted = new Promise<void>((r) => (signalAborted = r));
    const server = await serve({
      async fetch(request) {
        request.signal.addEventListener("abort", () => signalAborted());
        const body = new ReadableStream<Uint8Array>(
          {
            pull(controller) {
              if (pulled++ >= TOTAL) controller.close();
              else controller.enqueue(new Uint8Array(CHUNK));
            },
            cancel() {
              cancelled = true;
            },
          },
          { highWaterMark: 0 },
        );
        return new Response(body);
      },
    });
    try {
      const res = await get(server.url);
      res.pause();
      await new Promise((r) => setTimeout(r, 400));
      // Only what fits in socket buffers was produced, far from all 64 MiB.
      expect(pulled * CHUNK).toBeLessThan(24 * 1024 * 1024);
      res.destroy();
      await within(aborted, 2000, "request.signal abort after disconnect");
      await within(
        (async () => {
          while (!cancelled) await new Promise((r) => setTimeout(r, 10));
        })(),
        2000,
        "body cancelled after disconnect",
      );
      expect(pulled).toBeLessThan(TOTAL);
    } finally {
      await server.close();
    }
  });

  it("a body that fails mid-way cuts the connection instead of ending cleanly", async () => {
    const server = await serve({
      async fetch() {
        let sent = false;
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (!sent) {
              sent = true;
              controller.enqueue(new TextEncoder().encode("partial"));
            } else controller.error(new Error("upstream broke"));
          },
        });
        return new Response(body);
      },
    });
    try {
      const res = await get(server.url);
      await expect(bodyOf(res)).rejects.toThrow();
    } finally {
      await server.close();
    }
  });

  it("a body that fails after much was written still delivers every byte written before the cut", async () => {
    // Chunks below the socket's high-water mark are accepted into its buffer without waiting: at the failure,
    // the last ones are still queued in the process, not yet handed to the kernel.
    const CHUNK = 3000;
    const CHUNKS = 400;
    const server = await serve({
      async fetch() {
        let n = 0;
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (n < CHUNKS) controller.enqueue(new Uint8Array(CHUNK).fill(n++ & 0xff));
            else controller.error(new Error("upstream broke"));
          },
        });
        return new Response(body);
      },
    });
    try {
      const res = await get(server.url);
      let received = 0;
      // A slow start, so that the server has written ahead into its buffers when the body fails.
      await new Promise((r) => setTimeout(r, 100));
      const outcome = await new Promise<string>((resolve) => {
        res.on("data", (c: Buffer) => {
          received += c.length;
        });
        res.on("end", () => resolve("end"));
        res.on("error", () => resolve("error"));
        res.on("aborted", () => resolve("error"));
      });
      expect(outcome).toBe("error");
      expect(received).toBe(CHUNK * CHUNKS);
    } finally {
      await server.close();
    }
  });

  it("a handler that throws gets a 500 without leaking a hang", async () => {
    const logged: unknown[] = [];
    const server = await serve(
      {
        async fetch() {
          throw new Error("handler bug");
        },
      },
      { onError: (error) => logged.push(error) },
    );
    try {
      const res = await fetch(server.url);
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(text).toContain("the request handler failed");
      expect(text).not.toContain("handler bug");
      expect(String(logged[0])).toContain("handler bug");
    } finally {
      await server.close();
    }
  });

  it("HEAD gets headers and no body; status text and repeated set-cookie survive", async () => {
    const server = await serve({
      async fetch() {
        const headers = new Headers({ "x-test": "yes" });
        headers.append("set-cookie", "a=1");
        headers.append("set-cookie", "b=2");
        return new Response("hello", { status: 202, statusText: "Accepted Later", headers });
      },
    });
    try {
      const head = await get(server.url, { method: "HEAD" });
      expect(head.statusCode).toBe(202);
      expect(head.headers["x-test"]).toBe("yes");
      expect(await bodyOf(head)).toBe("");
      const res = await get(server.url);
      expect(res.statusMessage).toBe("Accepted Later");
      expect(res.headers["set-cookie"]).toEqual(["a=1", "b=2"]);
      expect(await bodyOf(res)).toBe("hello");
    } finally {
      await server.close();
    }
  });

  it("close() ends idle keep-alive connections and in-flight streams promptly", async () => {
    let inFlightAborted = false;
    const handler: FetchHandler = {
      async fetch(request) {
        if (new URL(request.url).pathname === "/forever") {
          request.signal.addEventListener("abort", () => (inFlightAborted = true));
          return new Response(new ReadableStream({ pull: () => new Promise(() => {}) }));
        }
        return new Response("ok");
      },
    };
    const server = await serve(handler);
    const agent = new Agent({ keepAlive: true });
    const idle = await get(server.url, { agent });
    const socket = idle.socket;
    expect(await bodyOf(idle)).toBe("ok");
    expect(socket.destroyed).toBe(false); // kept alive, idle in the agent
    const socketClosed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    const forever = await get(`${server.url}/forever`);
    const foreverEnded = bodyOf(forever).then(
      () => "ended",
      () => "aborted",
    );
    const started = Date.now();
    await within(server.close(), 2000, "close()");
    expect(Date.now() - started).toBeLessThan(1000);
    await within(socketClosed, 2000, "keep-alive socket closed");
    expect(await within(foreverEnded, 2000, "in-flight stream ended")).toBe("aborted");
    expect(inFlightAborted).toBe(true);
    agent.destroy();
    await expect(fetch(server.url)).rejects.toThrow();
  });

  it("aborting the signal option closes the server", async () => {
    const controller = new AbortController();
    const server = await serve({ fetch: async () => new Response("ok") }, { signal: controller.signal });
    expect(await (await fetch(server.url)).text()).toBe("ok");
    controller.abort();
    await new Promise((r) => setTimeout(r, 50));
    await expect(fetch(server.url)).rejects.toThrow();
  });
});
