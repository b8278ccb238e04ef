import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export type Handler = (req: Received, res: ServerResponse, raw: IncomingMessage) => void | Promise<void>;

/** A real HTTP server on 127.0.0.1 for client tests; records what it received. */
export async function loopback(handler: Handler) {
  const received: Received[] = [];
  const closed: string[] = [];
  const server = createServer(async (raw, res) => {
    const chunks: Buffer[] = [];
    for await (const c of raw) chunks.push(c as Buffer);
    const req = {
      method: raw.method!,
      url: raw.url!,
      headers: raw.headers,
      body: Buffer.concat(chunks).toString("utf8"),
    };
    received.push(req);
    res.on("close", () => closed.push(req.url));
    try {
      await handler(req, res, raw);
    } catch (error) {
      res.destroy(error as Error);
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    /** Request URLs whose connection the server saw close. */
    closed,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export const EVENT_STREAM = {
  "content-type": "application/vnd.amazon.eventstream",
  "x-amzn-requestid": "req-1",
};

/** Writes `bytes` in chunks of `size`, waiting `delayMs` between them. */
export async function writeChunked(
  res: ServerResponse,
  bytes: Uint8Array,
  size: number,
  delayMs = 0,
): Promise<void> {
  for (let i = 0; i < bytes.length; i += size) {
    res.write(bytes.subarray(i, i + size));
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
  }
  res.end();
}
