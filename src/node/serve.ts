import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Readable } from "node:stream";

export interface FetchHandler {
  fetch(request: Request): Promise<Response>;
}

export interface ServeOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1 (loopback only). */
  host?: string;
  /** Aborting closes the server like close(). */
  signal?: AbortSignal;
}

export interface Server {
  /** Base URL, e.g. http://127.0.0.1:53124 */
  url: string;
  port: number;
  /** Stops accepting, aborts in-flight requests and ends every connection, keep-alive ones included. */
  close(): Promise<void>;
}

/**
 * Serves a web-standard fetch handler over node:http. Each request becomes a Request whose signal aborts
 * when the client disconnects; the Response body is written chunk by chunk as it is produced (no
 * buffering), waiting for the socket to drain when the client reads slowly.
 */
export async function serve(handler: FetchHandler, options: ServeOptions = {}): Promise<Server> {
  const { port = 0, host = "127.0.0.1", signal } = options;
  const inFlight = new Set<AbortController>();
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    const controller = new AbortController();
    inFlight.add(controller);
    res.on("close", () => {
      inFlight.delete(controller);
      if (!res.writableFinished) controller.abort(new Error("client disconnected"));
    });
    handle(handler, req, res, controller, origin).catch((error) => res.destroy(error));
  });
  server.on("connection", (socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const origin = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= new Promise<void>((resolve) => {
      signal?.removeEventListener("abort", close);
      for (const controller of inFlight) controller.abort(new Error("server closing"));
      server.close(() => resolve());
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
    });
    return closing;
  };
  if (signal?.aborted) await close();
  else signal?.addEventListener("abort", close, { once: true });

  return { url: origin, port: address.port, close };
}

async function handle(
  handler: FetchHandler,
  req: IncomingMessage,
  res: ServerResponse,
  controller: AbortController,
  origin: string,
): Promise<void> {
  const request = toRequest(req, controller.signal, origin);
  let response: Response;
  try {
    response = await handler.fetch(request);
  } catch (error) {
    if (!res.headersSent && !res.destroyed) {
      const body = `Internal error in the request handler: ${error instanceof Error ? error.message : String(error)}\n`;
      res.writeHead(500, {
        "content-type": "text/plain; charset=utf-8",
        "content-length": Buffer.byteLength(body),
      });
      res.end(body);
    }
    return;
  }
  await writeResponse(response, req, res);
}

function toRequest(req: IncomingMessage, signal: AbortSignal, origin: string): Request {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i];
    // HTTP/1 connection-level headers do not belong to the request a handler sees.
    if (/^(connection|keep-alive|transfer-encoding|upgrade)$/i.test(name)) continue;
    headers.append(name, req.rawHeaders[i + 1]);
  }
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  return new Request(new URL(req.url ?? "/", origin), {
    method,
    headers,
    signal,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : undefined,
    // Node's fetch needs this for a streamed request body.
    duplex: hasBody ? "half" : undefined,
  } as RequestInit);
}

async function writeResponse(response: Response, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const headers: [string, string][] = [];
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers.push([name, value]);
  });
  for (const cookie of response.headers.getSetCookie()) headers.push(["set-cookie", cookie]);
  res.writeHead(response.status, response.statusText || undefined, headers.flat());
  // Send the head now: a stream's first event may come much later.
  res.flushHeaders();
  if (!response.body || req.method === "HEAD") {
    await response.body?.cancel();
    res.end();
    return;
  }
  const reader = response.body.getReader();
  // When the client goes away, stop producing.
  const onClose = () => reader.cancel().catch(() => {});
  res.once("close", onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) return;
      if (!res.write(value)) await drained(res);
    }
    res.end();
  } catch (error) {
    // The body failed mid-way (e.g. a reset fault): cut the connection so the client sees it.
    res.destroy(error instanceof Error ? error : new Error(String(error)));
  } finally {
    res.off("close", onClose);
  }
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
