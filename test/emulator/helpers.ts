import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { afterAll } from "vitest";
import type { Emulator, EmulatorOptions } from "../../src/emulator";
import { createEmulator } from "../../src/emulator";
import { type Server, serve } from "../../src/node";
import { decodeFrame } from "../helpers/frames";

/** The emulator tests read the recorded captures every suite uses (test/fixtures/recorded), by file name. */
const RECORDED = join(import.meta.dirname, "..", "fixtures", "recorded");
const FOLDERS = ["converse-stream", "converse", "errors", "synthetic"];

function recorded(name: string): string {
  for (const folder of FOLDERS) {
    const path = join(RECORDED, folder, name);
    if (existsSync(path)) return path;
  }
  throw new Error(`no recorded capture ${name} in test/fixtures/recorded/{${FOLDERS.join(",")}}`);
}

export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(recorded(name)));
}

export function fixtureJson<T = any>(name: string): T {
  return JSON.parse(readFileSync(recorded(name), "utf8"));
}

export const MODEL = "us.anthropic.claude-3-5-sonnet-20240620-v1:0";

/** An emulator served on loopback; closed after the file's tests. */
export async function startEmulator(
  options?: EmulatorOptions,
): Promise<{ emulator: Emulator; server: Server }> {
  const emulator = createEmulator(options);
  const server = await serve(emulator);
  afterAll(() => server.close());
  return { emulator, server };
}

/**
 * The official SDK pointed at the emulator, over HTTP/1.1 (NodeHttpHandler) unless `http2` asks for the
 * SDK's default Bedrock Runtime handler (HTTP/2). Extra headers (test controls) are added by a middleware.
 */
export function sdkClient(
  url: string,
  options: { headers?: Record<string, string>; token?: string; maxAttempts?: number; http2?: boolean } = {},
): BedrockRuntimeClient {
  const client = new BedrockRuntimeClient({
    region: "us-east-1",
    endpoint: url,
    ...(options.http2 ? {} : { requestHandler: new NodeHttpHandler() }),
    maxAttempts: options.maxAttempts ?? 1,
    ...(options.token
      ? { token: { token: options.token }, authSchemePreference: ["httpBearerAuth"] }
      : { credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "emulator-secret" } }),
  });
  const extra = options.headers;
  if (extra) {
    client.middlewareStack.add(
      (next) => async (args: any) => {
        Object.assign(args.request.headers, extra);
        return next(args);
      },
      { step: "build", name: "emulatorTestHeaders" },
    );
  }
  return client;
}

export interface DecodedFrame {
  headers: Record<string, string>;
  headerNames: string[];
  payload: string;
  json: any;
}

/** Splits and decodes concatenated event-stream frames (the codec checks both CRCs). */
export function decodeFrames(bytes: Uint8Array): DecodedFrame[] {
  const frames: DecodedFrame[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const length = new DataView(bytes.buffer, bytes.byteOffset + offset).getUint32(0);
    const message = decodeFrame(bytes.subarray(offset, offset + length));
    const headers: Record<string, string> = {};
    for (const [name, header] of Object.entries(message.headers)) headers[name] = String(header.value);
    const payload = new TextDecoder().decode(message.body);
    let json: any;
    try {
      json = JSON.parse(payload);
    } catch {
      json = undefined;
    }
    frames.push({ headers, headerNames: Object.keys(message.headers), payload, json });
    offset += length;
  }
  return frames;
}

export async function readAll(
  body: ReadableStream<Uint8Array> | null,
): Promise<{ bytes: Uint8Array; chunks: number[] }> {
  const chunks: Uint8Array[] = [];
  if (body) for await (const chunk of body as any as AsyncIterable<Uint8Array>) chunks.push(chunk);
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.length;
  }
  return { bytes, chunks: chunks.map((c) => c.length) };
}

/** A request straight to an emulator's fetch (no HTTP). */
export function converseRequest(
  body: unknown,
  options: { modelId?: string; stream?: boolean; headers?: Record<string, string>; base?: string } = {},
): Request {
  const modelId = encodeURIComponent(options.modelId ?? MODEL);
  const op = options.stream ? "converse-stream" : "converse";
  return new Request(`${options.base ?? "http://emulator.test"}/model/${modelId}/${op}`, {
    method: "POST",
    headers: { authorization: "Bearer test-token", "content-type": "application/json", ...options.headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export const user = (text: string) => ({ role: "user" as const, content: [{ text }] });
