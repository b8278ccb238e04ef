import { afterAll, afterEach } from "vitest";
import { type BedrockClient, createBedrock } from "../../src/client/create";
import { createEmulator, type EmulatorOptions, type RequestInfo } from "../../src/emulator";
import { serve } from "../../src/node";
import { readJson } from "../helpers/fixtures";
import { EVENT_STREAM, loopback, writeChunked } from "../helpers/server";

export const KEY = "features-test-key-0123456789";
export const CLAUDE = "us.anthropic.claude-3-7-sonnet-20250219-v1:0";

/** A client for a server at `url` (bearer key, no model prefix, quiet). */
export function clientFor(
  url: string,
  modelName = CLAUDE,
  extra: Record<string, unknown> = {},
): BedrockClient {
  return createBedrock(
    {
      key: KEY,
      url: `${url}/model/`,
      region: "us-east-1",
      modelIdPrefix: "none",
      logLevel: "silent",
      models: { m: { modelName } },
      ...extra,
    },
    { env: {} },
  );
}

/** The emulator over node:http on 127.0.0.1, with every request it saw; closed after the file's tests. */
export async function emulator(options: EmulatorOptions = {}) {
  const seen: RequestInfo[] = [];
  const server = await serve(
    createEmulator({
      ...options,
      onRequest: (info) => {
        seen.push(info);
        options.onRequest?.(info);
      },
    }),
  );
  afterAll(() => server.close());
  return { url: server.url, seen, client: (model = CLAUDE) => clientFor(server.url, model) };
}

type Loopback = Awaited<ReturnType<typeof loopback>>;
let open: Loopback[] = [];
afterEach(async () => {
  await Promise.all(open.map((s) => s.close()));
  open = [];
});

/** A loopback server answering each request with the next recorded ConverseStream body (in 97-byte chunks). */
export async function replayStream(...bodies: Uint8Array[]): Promise<Loopback> {
  let next = 0;
  const server = await loopback((_, res) => {
    res.writeHead(200, EVENT_STREAM);
    return writeChunked(res, bodies[Math.min(next++, bodies.length - 1)], 97);
  });
  open.push(server);
  return server;
}

export interface RecordedPair {
  request: { uri: string; body: string };
  response: { status: number; headers?: Record<string, string[]>; body?: unknown; body_raw?: string };
}

/** The recorded /converse interactions of one file (those that went to /converse). */
export function pairs(file: string): RecordedPair[] {
  return readJson(`recorded/converse/${file}`).interactions.filter((i: RecordedPair) =>
    i.request.uri.endsWith("/converse"),
  );
}

/** The response body exactly as recorded (dd-trace keeps the raw text; pydantic-ai a re-serialised object). */
export function responseText(pair: RecordedPair): string {
  return (
    pair.response.body_raw ??
    (typeof pair.response.body === "string" ? pair.response.body : JSON.stringify(pair.response.body))
  );
}

/** A loopback server answering /converse requests with the recorded responses, in order. */
export async function replayConverse(recorded: RecordedPair[]): Promise<Loopback> {
  let next = 0;
  const server = await loopback((_, res) => {
    const pair = recorded[Math.min(next++, recorded.length - 1)];
    res.writeHead(pair.response.status, {
      "content-type": "application/json",
      "x-amzn-requestid": `req-${next}`,
    });
    res.end(responseText(pair));
  });
  open.push(server);
  return server;
}
