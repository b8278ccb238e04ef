/// <reference types="node" />
import { createServer as createHttp1Server, type IncomingMessage, type ServerResponse } from "node:http";
import {
  createServer as createHttp2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  constants as http2Constants,
} from "node:http2";
import { type AddressInfo, createServer as createTcpServer, type Socket } from "node:net";
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

type NodeRequest = IncomingMessage | Http2ServerRequest;
type NodeResponse = ServerResponse | Http2ServerResponse;

// Headers that describe an HTTP/1 connection, not the message: never passed on (and illegal in HTTP/2).
const HOP_BY_HOP = /^(connection|keep-alive|proxy-connection|transfer-encoding|upgrade)$/i;
const HTTP2_PREFACE = "PRI";

/**
 * Serves a web-standard fetch handler over node:http. Each request becomes a Request whose signal aborts
 * when the client disconnects; the Response body is written chunk by chunk as it is produced (no
 * buffering), waiting for the socket to drain when the client reads slowly. Cleartext HTTP/2 (prior
 * knowledge, as the AWS SDK's default Bedrock Runtime handler speaks) is served on the same port.
 */
export async function serve(handler: FetchHandler, options: ServeOptions = {}): Promise<Server> {
  const { port = 0, host = "127.0.0.1", signal } = options;
  const inFlight = new Set<AbortController>();
  const sockets = new Set<Socket>();
  let origin = "";

  const onRequest = (req: NodeRequest, res: NodeResponse) => {
    const controller = new AbortController();
    const exchange = { controller, ended: false };
    inFlight.add(controller);
    // Closed before we ended the response: the client went away (HTTP/2 emits finish then, too).
    res.on("close", () => {
      inFlight.delete(controller);
      if (!exchange.ended) controller.abort(new Error("client disconnected"));
    });
    handle(handler, req, res, exchange, origin).catch((error) => destroy(res, error));
  };
  const http1 = createHttp1Server(onRequest);
  const http2 = createHttp2Server(onRequest);
  // One port for both protocols: the first bytes of a connection say which one it speaks.
  const tcp = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.setNoDelay(true);
    socket.once("data", (first) => {
      socket.pause();
      socket.unshift(first);
      (first.toString("latin1", 0, 3) === HTTP2_PREFACE ? http2 : http1).emit("connection", socket);
      process.nextTick(() => socket.resume());
    });
  });

  await new Promise<void>((resolve, reject) => {
    tcp.once("error", reject);
    tcp.listen(port, host, () => {
      tcp.off("error", reject);
      resolve();
    });
  });
  const address = tcp.address() as AddressInfo;
  origin = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= new Promise<void>((resolve) => {
      signal?.removeEventListener("abort", close);
      for (const controller of inFlight) controller.abort(new Error("server closing"));
      tcp.close(() => resolve());
      http1.closeAllConnections();
      for (const socket of sockets) socket.destroy();
    });
    return closing;
  };
  if (signal?.aborted) await close();
  else signal?.addEventListener("abort", close, { once: true });

  return { url: origin, port: address.port, close };
}

interface Exchange {
  controller: AbortController;
  /** Set when the response is complete, so a later close is not a disconnect. */
  ended: boolean;
}

async function handle(
  handler: FetchHandler,
  req: NodeRequest,
  res: NodeResponse,
  exchange: Exchange,
  origin: string,
): Promise<void> {
  const request = toRequest(req, exchange.controller.signal, origin);
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
      exchange.ended = true;
      res.end(body);
    }
    return;
  }
  await writeResponse(response, req, res, exchange);
}

function toRequest(req: NodeRequest, signal: AbortSignal, origin: string): Request {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i];
    // HTTP/2 pseudo-headers (:path, :method, ...) are already in the URL and method.
    if (name.startsWith(":") || HOP_BY_HOP.test(name)) continue;
    headers.append(name, req.rawHeaders[i + 1]);
  }
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  return new Request(new URL(req.url ?? "/", origin), {
    method,
    headers,
    signal,
    body: hasBody ? (Readable.toWeb(req as Readable) as ReadableStream<Uint8Array>) : undefined,
    // Node's fetch needs this for a streamed request body.
    duplex: hasBody ? "half" : undefined,
  } as RequestInit);
}

async function writeResponse(
  response: Response,
  req: NodeRequest,
  res: NodeResponse,
  exchange: Exchange,
): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie" && !HOP_BY_HOP.test(name)) headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  if ("stream" in res) res.writeHead(response.status, headers);
  else res.writeHead(response.status, response.statusText || undefined, headers);
  // Send the head now: a stream's first event may come much later.
  if ("flushHeaders" in res) res.flushHeaders();
  if (!response.body || req.method === "HEAD") {
    await response.body?.cancel();
    exchange.ended = true;
    res.end();
    return;
  }
  const reader = response.body.getReader();
  const out = res as ServerResponse; // the HTTP/2 compatibility response writes the same way
  // When the client goes away, stop producing.
  const onClose = () => reader.cancel().catch(() => {});
  out.once("close", onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (out.destroyed) return;
      if (!out.write(value)) await drained(out);
    }
    exchange.ended = true;
    out.end();
  } catch (error) {
    // The body failed mid-way (e.g. a reset fault): cut the connection so the client sees it, once what was
    // already written has left the process (a cut must not also drop bytes sent before it).
    await flushed(res);
    destroy(res, error);
  } finally {
    out.off("close", onClose);
  }
}

/**
 * Resolves once every byte written so far has been handed to the kernel: an empty write's callback runs after
 * the writes queued before it. Bounded, for a client that stopped reading.
 */
function flushed(res: NodeResponse): Promise<void> {
  const target = "stream" in res ? res.stream : (res as ServerResponse).socket;
  if (!target || target.destroyed || target.writableLength === 0) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 2000);
    target.write(new Uint8Array(0), () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Cuts an exchange short: an HTTP/1 connection is destroyed, an HTTP/2 stream is reset. */
function destroy(res: NodeResponse, error: unknown): void {
  if ("stream" in res) res.stream.close(http2Constants.NGHTTP2_INTERNAL_ERROR);
  else res.destroy(error instanceof Error ? error : new Error(String(error)));
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
