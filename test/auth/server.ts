import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { parseAuthorization, verifyOnServer } from "./helpers";

export interface Received {
  method: string;
  target: string;
  headers: IncomingHttpHeaders;
  body: Uint8Array;
}

export interface AwsLikeServer {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

const AMZ = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/;
const amzToMs = (v: string) => {
  const m = AMZ.exec(v);
  if (!m) return Number.NaN;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  return Date.UTC(y, mo - 1, d, h, mi, s);
};
const compact = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, "");

/**
 * A loopback server that checks SigV4 the way an AWS endpoint does: it recomputes the signature from the bytes
 * it received (node:crypto), rejects a request signed more than 5 minutes away from its clock with AWS's
 * 403 InvalidSignatureException messages, and answers 200 with what it saw.
 */
export async function startAwsLikeServer(
  secret: string,
  options: { clock?: () => number } = {},
): Promise<AwsLikeServer> {
  const clock = options.clock ?? Date.now;
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = new Uint8Array(Buffer.concat(chunks));
      const entry = { method: req.method!, target: req.url!, headers: req.headers, body };
      received.push(entry);
      const now = clock();
      const deny = (message: string) => {
        res.writeHead(403, {
          "content-type": "application/json",
          "x-amzn-errortype":
            "InvalidSignatureException:http://internal.amazon.com/coral/com.amazon.coral.service/",
          date: new Date(now).toUTCString(),
        });
        res.end(JSON.stringify({ message }));
      };
      let verdict: ReturnType<typeof verifyOnServer>;
      try {
        parseAuthorization(String(req.headers.authorization));
        verdict = verifyOnServer({ ...entry, secret });
      } catch (e) {
        return deny(`Authorization header is invalid: ${(e as Error).message}`);
      }
      const signedAt = amzToMs(String(req.headers["x-amz-date"]));
      const fmt = (ms: number) => compact(ms);
      if (signedAt < now - 300_000) {
        return deny(
          `Signature expired: ${fmt(signedAt)} is now earlier than ${fmt(now - 300_000)} (${fmt(now)} - 5 min.)`,
        );
      }
      if (signedAt > now + 300_000) {
        return deny(
          `Signature not yet current: ${fmt(signedAt)} is still later than ${fmt(now + 300_000)} (${fmt(now)} + 5 min.)`,
        );
      }
      if (!verdict.ok) {
        return deny(
          "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
        );
      }
      res.writeHead(200, { "content-type": "application/json", date: new Date(now).toUTCString() });
      res.end(JSON.stringify({ ok: true, bytes: body.length }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
