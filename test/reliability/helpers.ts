import { afterAll } from "vitest";
import { type ConfigInput, request, stream } from "../../src/client/create";
import type { Logger } from "../../src/client/log";
import type { ConverseResult, RequestOptions } from "../../src/client/options";
import { type ResolveOptions, resolveConfig } from "../../src/config/resolve";
import { createEmulator, type EmulatorOptions } from "../../src/emulator";
import { BedrockError } from "../../src/errors";
import { type Server, serve } from "../../src/node";
import type { ChatEvent } from "../../src/types/events";

export const MODEL = "us.anthropic.claude-3-5-sonnet-20240620-v1:0";
export const KEY = "bedrock-edge-reliability-key-7f3a9c21e4b8";
export const FAULT = "x-bedrock-edge-fault";

/** The emulator served over node:http on 127.0.0.1; closed after the file's tests. */
export async function emulatorServer(options?: EmulatorOptions): Promise<Server> {
  const server = await serve(createEmulator(options));
  afterAll(() => server.close());
  return server;
}

/** A provider block pointing at `url` (the emulator, or a loopback server). */
export function configFor(url: string, extra: Record<string, unknown> = {}) {
  return {
    key: KEY,
    url: `${url}/model/`,
    region: "us-east-1",
    modelIdPrefix: "none",
    logLevel: "silent",
    models: { claude: { modelName: MODEL } },
    ...extra,
  };
}

/** The block resolved with a fetch / logger / env of the test's choosing (env empty unless given). */
export function resolvedFor(url: string, extra: Record<string, unknown> = {}, options: ResolveOptions = {}) {
  return resolveConfig(configFor(url, extra), { env: {}, ...options });
}

/**
 * A fetch that counts attempts and can add a fault header to chosen ones (attempt numbers from 1), so a
 * test can fail the first attempt only.
 */
export function countingFetch(faultFor: (attempt: number) => string | undefined = () => undefined) {
  const state = { attempts: 0, bodies: [] as string[] };
  const fetcher: typeof fetch = async (input, init) => {
    state.attempts++;
    const request = new Request(input as Request, init);
    state.bodies.push(await request.clone().text());
    const fault = faultFor(state.attempts);
    if (!fault) return fetch(request);
    const headers = new Headers(request.headers);
    headers.set(FAULT, fault);
    return fetch(new Request(request, { headers }));
  };
  return Object.assign(state, { fetch: fetcher });
}

export type Api = "request" | "stream";

export interface Outcome {
  result?: { outputText: string; stopReason?: string; usage?: unknown };
  error?: BedrockError;
  /** Every text delta the caller saw, across all attempts. */
  texts: string[];
  events: ChatEvent[];
  onError: unknown[];
}

/**
 * Runs one call through `request` (callbacks) or `stream` (for await), collecting what the caller saw.
 * `delayPerEventMs` makes the stream consumer slow.
 */
export async function callWith(
  api: Api,
  config: ConfigInput,
  prompt: string,
  options: RequestOptions & { delayPerEventMs?: number } = {},
): Promise<Outcome> {
  const outcome: Outcome = { texts: [], events: [], onError: [] };
  const { delayPerEventMs, ...rest } = options;
  const opts: RequestOptions = {
    ...rest,
    onError: (e) => outcome.onError.push(e),
    onEvent: (e) => outcome.events.push(e),
  };
  const messages = [{ role: "user" as const, content: prompt }];
  try {
    if (api === "request") {
      const r: ConverseResult = await request(config, messages, {
        ...opts,
        onMessageReceived: (m) => outcome.texts.push(m.text),
      });
      outcome.result = r;
    } else {
      let finish: Extract<ChatEvent, { type: "finish" }> | undefined;
      for await (const event of stream(config, messages, opts)) {
        if (event.type === "text") outcome.texts.push(event.text);
        if (event.type === "finish") finish = event;
        if (delayPerEventMs) await new Promise((r) => setTimeout(r, delayPerEventMs));
      }
      outcome.result = {
        outputText: outcome.texts.join(""),
        stopReason: finish?.stopReason,
        usage: finish?.usage,
      };
    }
  } catch (error) {
    if (!(error instanceof BedrockError)) throw error;
    outcome.error = error;
  }
  return outcome;
}

/** Splits concatenated event-stream frames by their length prefixes: the byte offset of each frame. */
export function frameOffsets(bytes: Uint8Array): number[] {
  const offsets: number[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at + 4 <= bytes.length; at += view.getUint32(at)) offsets.push(at);
  return offsets;
}

/** A logger that keeps every line (message and data) for inspection. */
export function capturingLogger(): Logger & { lines: { level: string; message: string; data: unknown }[] } {
  const lines: { level: string; message: string; data: unknown }[] = [];
  const at = (level: string) => (message: string, data?: unknown) => lines.push({ level, message, data });
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
