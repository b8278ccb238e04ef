/// <reference types="node" />
import { createServer as createHttp1Server, type IncomingMessage, type ServerResponse } from "node:http";
import {
  createServer as createHttp2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  constants as http2Constants,
} from "node:http2";
import { type AddressInfo, createServer as createTcpServer, type Socket } from "node:net";

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
  /**
   * Time for a request's head to arrive, from the connection's start (or the end of the previous response on a
   * kept-alive HTTP/1.1 connection). Past it: 408 and the connection is closed. Default 60 000 (Node's). 0: off.
   */
  headersTimeoutMs?: number;
  /**
   * Time for a whole request (head and body) to arrive. Past it: 408, or a cut once the answer has started.
   * Default 300 000 (Node's). 0: off.
   */
  requestTimeoutMs?: number;
  /** How long an idle kept-alive HTTP/1.1 connection, or an HTTP/2 session with no stream, stays open. Default 5 000 (Node's). */
  keepAliveTimeoutMs?: number;
  /** Connections open at once; one more is answered 503 and closed. Default 1000. */
  maxConnections?: number;
  /** Receives what a failing handler threw (the client's 500 only says the handler failed). Default: console.error. */
  onError?: (error: unknown) => void;
}

/** The limits serve() applies when not told otherwise. */
export const SERVE_DEFAULTS = {
  headersTimeoutMs: 60_000,
  requestTimeoutMs: 300_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1000,
} as const;

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
/** How long a refused connection may take to read its answer before it is destroyed. */
const LINGER_MS = 1000;

/** A complete HTTP/1.1 answer written straight to a socket (no request could be parsed or accepted). */
function rawAnswer(status: string, message: string, extra = ""): string {
  return (
    `HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-type: text/plain; charset=utf-8\r\n` +
    `content-length: ${Buffer.byteLength(message)}\r\n${extra}\r\n${message}`
  );
}

/** Ends a socket with a last answer, and destroys it if the peer does not let it close. */
function refuseSocket(socket: Socket, answer: string): void {
  if (socket.destroyed) return;
  socket.end(answer, () => socket.destroy());
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}

/** An HTTP/1.1 connection: when its current wait for a request head started, and its requests in progress. */
interface Connection {
  waitingSince: number;
  inProgress: number;
  headTimer?: ReturnType<typeof setTimeout>;
}

/**
 * Serves a web-standard fetch handler over node:http. Each request becomes a Request whose signal aborts
 * when the client disconnects; the Response body is written chunk by chunk as it is produced (no
 * buffering), waiting for the socket to drain when the client reads slowly. Cleartext HTTP/2 (prior
 * knowledge, as the AWS SDK's default Bedrock Runtime handler speaks) is served on the same port.
 *
 * Built for a hostile network: every socket has an error listener from its first moment (a reset in any
 * phase ends that connection only), request heads and bodies have deadlines, idle connections are closed,
 * connections are capped, and every request gets an HTTP answer (400, 405, 408, 500, 503), never a bare close.
 */
export async function serve(handler: FetchHandler, options: ServeOptions = {}): Promise<Server> {
  const { port = 0, host = "127.0.0.1", signal } = options;
  const headersTimeoutMs = options.headersTimeoutMs ?? SERVE_DEFAULTS.headersTimeoutMs;
  const requestTimeoutMs = options.requestTimeoutMs ?? SERVE_DEFAULTS.requestTimeoutMs;
  const keepAliveTimeoutMs = options.keepAliveTimeoutMs ?? SERVE_DEFAULTS.keepAliveTimeoutMs;
  const maxConnections = options.maxConnections ?? SERVE_DEFAULTS.maxConnections;
  const onError =
    options.onError ?? ((error: unknown) => console.error("serve(): the request handler failed:", error));
  const inFlight = new Set<AbortController>();
  const sockets = new Set<Socket>();
  const connections = new WeakMap<Socket, Connection>();
  let accepted = 0;
  let origin = "";

  /** HTTP/1.1: the next request head must arrive within headersTimeoutMs. */
  const awaitHead = (socket: Socket, connection: Connection) => {
    clearTimeout(connection.headTimer);
    connection.waitingSince = Date.now();
    if (headersTimeoutMs <= 0 || socket.destroyed) return;
    connection.headTimer = setTimeout(() => {
      if (connection.inProgress > 0) return;
      const message = "Request Timeout: no complete request head in time\n";
      refuseSocket(socket, rawAnswer("408 Request Timeout", message));
    }, headersTimeoutMs);
    connection.headTimer.unref();
  };

  const onRequest = (req: NodeRequest, res: NodeResponse) => {
    const controller = new AbortController();
    const exchange = { controller, ended: false };
    inFlight.add(controller);
    // Closed before we ended the response: the client went away (HTTP/2 emits finish then, too).
    res.on("close", () => {
      inFlight.delete(controller);
      if (!exchange.ended) controller.abort(new Error("client disconnected"));
    });
    // The whole request must arrive within requestTimeoutMs of the start of the wait for its head.
    let started = Date.now();
    const socket = "stream" in req ? undefined : req.socket;
    const connection = socket && connections.get(socket);
    if (socket && connection) {
      clearTimeout(connection.headTimer);
      started = connection.waitingSince;
      connection.inProgress++;
      res.once("close", () => {
        if (--connection.inProgress === 0) awaitHead(socket, connection);
      });
    }
    if (requestTimeoutMs > 0 && !req.complete) {
      const timer = setTimeout(
        () => {
          if (req.complete) return;
          exchange.ended = true;
          controller.abort(new Error("request timeout"));
          answer(res, 408, "Request Timeout: the request body did not arrive in time\n");
        },
        Math.max(0, requestTimeoutMs - (Date.now() - started)),
      );
      timer.unref();
      const clear = () => clearTimeout(timer);
      req.once("end", clear);
      // The exchange's own close (its answer done, or the connection gone), not the socket's: a keep-alive
      // socket would gather one listener per request.
      res.once("close", clear);
    }
    handle(handler, req, res, exchange, origin, onError).catch((error) => destroy(res, error));
  };
  const http1 = createHttp1Server(onRequest);
  http1.keepAliveTimeout = keepAliveTimeoutMs;
  // CONNECT (a tunnel) is never served: without this listener Node would close the socket with no answer.
  http1.on("connect", (_req: IncomingMessage, socket: Socket) =>
    refuseSocket(socket, rawAnswer("405 Method Not Allowed", "Method Not Allowed: CONNECT is not served\n")),
  );
  const http2 = createHttp2Server(onRequest);
  http2.on("session", (session) => {
    // An HTTP/2 session with no open stream is idle: closed after keepAliveTimeoutMs, like an HTTP/1.1 one.
    let open = 0;
    let idle: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      clearTimeout(idle);
      if (keepAliveTimeoutMs <= 0) return;
      idle = setTimeout(() => session.close(), keepAliveTimeoutMs);
      idle.unref();
    };
    session.on("stream", (stream) => {
      open++;
      clearTimeout(idle);
      stream.on("error", () => {});
      stream.once("close", () => {
        if (--open === 0 && !session.closed) arm();
      });
    });
    session.on("error", () => {});
    session.once("close", () => clearTimeout(idle));
    arm();
  });
  // One port for both protocols: the first bytes of a connection say which one it speaks.
  const tcp = createTcpServer((socket) => {
    // From the first moment: a peer that resets (before, during or after a request) ends its own connection.
    socket.on("error", () => {});
    sockets.add(socket);
    if (accepted >= maxConnections) {
      socket.once("close", () => sockets.delete(socket));
      const message = `Service Unavailable: too many connections (this server accepts ${maxConnections} at once)\n`;
      refuseSocket(socket, rawAnswer("503 Service Unavailable", message, "retry-after: 1\r\n"));
      return;
    }
    accepted++;
    const connection: Connection = { waitingSince: Date.now(), inProgress: 0 };
    socket.once("close", () => {
      accepted--;
      sockets.delete(socket);
      clearTimeout(connection.headTimer);
    });
    socket.setNoDelay(true);
    // Nothing received yet: the same deadline as for a request head (Node answers 408 too).
    awaitHead(socket, connection);
    socket.once("data", (first) => {
      socket.pause();
      socket.unshift(first);
      if (first.toString("latin1", 0, 3) === HTTP2_PREFACE) {
        clearTimeout(connection.headTimer);
        http2.emit("connection", socket);
      } else {
        connections.set(socket, connection);
        http1.emit("connection", socket);
      }
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
  onError: (error: unknown) => void,
): Promise<void> {
  let request: Request;
  try {
    request = toRequest(req, exchange.controller.signal, origin);
  } catch (error) {
    // A request Node parsed but the fetch API refuses (TRACE, a URL with credentials, one that does not parse).
    exchange.ended = true;
    if (error instanceof RefusedMethod) answer(res, 405, `Method Not Allowed: ${req.method} is not served\n`);
    else answer(res, 400, "Bad Request: the request target or a header cannot be served\n");
    return;
  }
  let response: Response;
  try {
    response = await handler.fetch(request);
  } catch (error) {
    // The detail goes to the operator's log, never to the client (it may name internals or secrets). A handler
    // that failed because the client went away is no failure of the handler.
    if (!exchange.controller.signal.aborted) onError(error);
    exchange.ended = true;
    answer(res, 500, "Internal Server Error: the request handler failed\n");
    return;
  }
  if (res.headersSent || res.destroyed) {
    // Already answered (a request timeout) or gone: the handler's answer is not wanted.
    await response.body?.cancel().catch(() => {});
    return;
  }
  await writeResponse(response, req, res, exchange);
}

/** Methods the fetch API forbids in a Request: answered 405. */
const FORBIDDEN_METHOD = /^(connect|trace|track)$/i;
class RefusedMethod extends Error {}

/** A short plain-text answer (closing an HTTP/1.1 connection after it), or a cut once a head was sent. */
function answer(res: NodeResponse, status: number, message: string): void {
  if (res.destroyed) return;
  if (res.headersSent) {
    destroy(res, new Error(message));
    return;
  }
  const headers: Record<string, string | number> = {
    "content-type": "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(message),
  };
  if (!("stream" in res)) headers.connection = "close";
  res.writeHead(status, headers);
  res.end(message);
}

function toRequest(req: NodeRequest, signal: AbortSignal, origin: string): Request {
  const method = req.method ?? "GET";
  if (FORBIDDEN_METHOD.test(method)) throw new RefusedMethod(method);
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i];
    // HTTP/2 pseudo-headers (:path, :method, ...) are already in the URL and method.
    if (name.startsWith(":") || HOP_BY_HOP.test(name)) continue;
    headers.append(name, req.rawHeaders[i + 1]);
  }
  const hasBody = method !== "GET" && method !== "HEAD";
  // Throws (before the body is wrapped) for a target that does not parse or carries credentials.
  const url = new URL(req.url ?? "/", origin);
  if (url.username || url.password) throw new TypeError("credentials in the request target");
  return new Request(url, {
    method,
    headers,
    signal,
    body: hasBody ? bodyStream(req) : undefined,
    // Node's fetch needs this for a streamed request body.
    duplex: hasBody ? "half" : undefined,
  } as RequestInit);
}

/**
 * The request body as a Web stream, paced by its reader. Not Readable.toWeb: once its stream is cancelled (a
 * handler refusing an over-long body), data already in flight throws "Controller is already closed" out of
 * an event listener and kills the process, and the cancel destroys the socket before the refusal is sent.
 * Cancelling here drains and drops the rest of the body (bounded by requestTimeoutMs), so the answer arrives.
 */
function bodyStream(req: NodeRequest): ReadableStream<Uint8Array> {
  let settled = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on("data", (chunk: Buffer) => {
        if (settled) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.once("end", () => {
        if (settled) return;
        settled = true;
        controller.close();
      });
      const fail = () => {
        if (settled) return;
        settled = true;
        controller.error(new Error("the client closed the connection before the request body ended"));
      };
      req.once("error", fail);
      req.once("close", () => {
        if (!req.complete) fail();
      });
      req.pause();
    },
    pull() {
      req.resume();
    },
    cancel() {
      settled = true;
      req.resume();
    },
  });
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
  // Node 22+ keeps the last chunked writes in the response itself while it is corked (until the next tick):
  // hand them to the socket first, or the cut drops them.
  if (!("stream" in res)) while (res.writableCorked > 0) res.uncork();
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
