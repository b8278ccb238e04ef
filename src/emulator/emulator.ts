import type { ConverseRequest } from "../types/index.ts";
import { checkAuthorization } from "./auth.ts";
import { createBodyStream, type Step, sleep } from "./body-stream.ts";
import { converseBody } from "./converse-body.ts";
import {
  EmulatorError,
  errorResponse,
  isErrorCode,
  plainErrorResponse,
  unknownOperationResponse,
  validationError,
} from "./errors.ts";
import { type Fault, FaultSpecError, formatFaults, httpErrorOf, parseFaults } from "./faults.ts";
import { encodeEvent, paddingFor, splitFrames } from "./frames.ts";
import { sortedJson, utf8 } from "./json.ts";
import { builtinReply, DEFAULT_BLOCKED_MESSAGE } from "./model/builtin.ts";
import { PromptCache } from "./model/prompt-cache.ts";
import { isValidModelId } from "./model-id.ts";
import {
  answerModelOperation,
  applyGuardrailAnswer,
  isModelOperation,
  matchGuardrail,
} from "./operations/index.ts";
import { readBody } from "./read-body.ts";
import { finishReply } from "./reply.ts";
import { decodeModelId, matchRoute, type Operation } from "./route.ts";
import { streamEvents } from "./stream-events.ts";
import { httpCodeForStreamException, planStream } from "./stream-plan.ts";
import type { Emulator, EmulatorOptions, ModelReply, RequestInfo, ResponderContext } from "./types.ts";
import { parseConverseBody } from "./validate.ts";

const DEFAULT_MAX_BODY = 20 * 1024 * 1024;
const MAX_CHUNK = 1 << 20;
const MAX_FAIL_KEYS = 1000;
const REDACTED_HEADERS = new Set(["authorization", "x-amz-security-token", "cookie"]);

/** Test-control headers (documented in docs/emulator.md). */
export const HEADER = {
  fault: "x-bedrock-edge-fault",
  faultKey: "x-bedrock-edge-fault-key",
  replay: "x-bedrock-edge-replay",
  chunkSize: "x-bedrock-edge-chunk-size",
} as const;

/** A Bedrock Runtime Converse/ConverseStream emulator as a web-standard `fetch` handler. */
export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const defaultFaults: Fault[] =
    typeof options.faults === "string" ? parseFaults(options.faults) : [...(options.faults ?? [])];
  const { chunkSize: optionChunk } = options;
  if (
    optionChunk !== undefined &&
    !(Number.isInteger(optionChunk) && optionChunk >= 1 && optionChunk <= MAX_CHUNK)
  ) {
    throw new RangeError(
      `createEmulator: chunkSize must be an integer from 1 to ${MAX_CHUNK}, got ${optionChunk}.`,
    );
  }
  const promptCache = new PromptCache();
  const failCounts = new Map<string, number>();
  const cors = options.cors ?? true;

  async function handle(
    request: Request,
    info: RequestInfo,
    headers: Headers,
    started: number,
  ): Promise<Response> {
    if (request.method === "OPTIONS" && cors) return preflight(request, headers);
    const guardrail = request.method === "POST" ? matchGuardrail(info.path) : undefined;
    if (guardrail) {
      info.operation = "apply-guardrail";
      await checkAuthorization(request.headers.get("authorization"), options);
      const faults = [...defaultFaults, ...parseFaults(request.headers.get(HEADER.fault) ?? "")];
      const http = faults.find((f) => f.kind === "http");
      if (http) return httpFaultResponse(http, headers);
      const text = await readBody(request, options.maxBodyBytes ?? DEFAULT_MAX_BODY);
      const answer = applyGuardrailAnswer(
        text,
        guardrail,
        options.blockedWords ?? ["BLOCKME"],
        options.blockedMessage ?? DEFAULT_BLOCKED_MESSAGE,
      );
      return jsonResponse(utf8.encode(sortedJson(answer)), faults, chunkSizeFor(request), request, headers);
    }
    const route = matchRoute(info.path);
    if (!route || request.method !== "POST") return unknownOperationResponse(headers);
    info.operation = route.operation;
    if (options.signal?.aborted)
      throw new EmulatorError("ServiceUnavailableException", "The emulator is shutting down.");
    await checkAuthorization(request.headers.get("authorization"), options);

    const modelId = decodeModelId(route.rawModelId);
    if (modelId === undefined) throw validationError("The provided model identifier is invalid.");
    info.modelId = modelId;
    const faults = [...defaultFaults];
    const faultHeader = request.headers.get(HEADER.fault);
    if (faultHeader) faults.push(...parseFaults(faultHeader));
    let replay = request.headers.get(HEADER.replay) ?? undefined;
    if (modelId.startsWith("fault.")) faults.push(...parseFaults(modelId.slice("fault.".length)));
    else if (modelId.startsWith("replay.")) replay = modelId.slice("replay.".length);
    else if (!isValidModelId(modelId) || (options.models && !options.models.includes(modelId))) {
      throw validationError("The provided model identifier is invalid.");
    }
    info.faults = faults;
    info.replay = replay;
    const chunkSize = chunkSizeFor(request) ?? options.chunkSize;

    for (const f of faults) if (f.kind === "slow-first-byte") await sleep(f.ms, request.signal);
    for (const f of faults) {
      if (f.kind !== "fail-first") continue;
      const key = request.headers.get(HEADER.faultKey) ?? formatFaults([f]);
      const seen = failCounts.get(key) ?? 0;
      if (seen < f.count) {
        if (!failCounts.has(key) && failCounts.size >= MAX_FAIL_KEYS) failCounts.clear();
        failCounts.set(key, seen + 1);
        return httpFaultResponse(f, headers);
      }
    }
    const http = faults.find((f) => f.kind === "http");
    if (http) return httpFaultResponse(http, headers);

    const text = await readBody(request, options.maxBodyBytes ?? DEFAULT_MAX_BODY);
    if (isModelOperation(route.operation))
      return answerModelOperation(route.operation, modelId, text, {
        reply: async (body) =>
          finishReply(await respond(body, modelId, route.operation, info.requestId, request.signal), body),
        json: (bytes, extra) => {
          for (const [name, value] of Object.entries(extra ?? {})) headers.set(name, value);
          return jsonResponse(bytes, faults, chunkSize, request, headers);
        },
        stream: (frames) =>
          eventStreamResponse(planStream(frames, planOptions(faults)), chunkSize, request, headers),
        latencyMs: () => options.latencyMs ?? Date.now() - started,
      });
    if (replay !== undefined)
      return replayResponse(replay, route.operation, faults, chunkSize, request, info, headers);

    const prompt = /^arn:aws[a-z-]*:bedrock:[^:]*:[^:]*:prompt\//.test(modelId);
    const received = parseConverseBody(text, prompt);
    info.body = received;
    // The prompt's own text is not known here: the model answers its variables (and any appended messages).
    const body = prompt ? { ...received, messages: promptTurns(received) } : received;
    const reply = finishReply(
      await respond(body, modelId, route.operation, info.requestId, request.signal),
      body,
    );
    const latency = () => options.latencyMs ?? Date.now() - started;
    const streamException = faults.find((f) => f.kind === "exception");
    if (streamException?.kind === "exception") info.errorCode = streamException.type;

    if (route.operation === "converse" || faults.some((f) => f.kind === "json-200")) {
      if (route.operation === "converse" && streamException?.kind === "exception") {
        const { type, message, originalStatusCode, originalMessage } = streamException;
        const code = httpCodeForStreamException(type);
        info.errorCode = code;
        throw new EmulatorError(code, message, { extra: { originalStatusCode, originalMessage } });
      }
      const bytes = utf8.encode(sortedJson(converseBody(reply, latency())));
      return jsonResponse(bytes, faults, chunkSize, request, headers);
    }
    const seed = `${modelId}\u0000${text}`;
    const frames = streamEvents(reply, latency).map(
      (event, i) => () =>
        encodeEvent(
          event.type,
          typeof event.payload === "function" ? event.payload() : event.payload,
          paddingFor(`${seed}:${i}`),
        ),
    );
    return eventStreamResponse(planStream(frames, planOptions(faults)), chunkSize, request, headers);
  }

  async function respond(
    body: ConverseRequest,
    modelId: string,
    operation: Operation,
    requestId: string,
    signal: AbortSignal,
  ): Promise<ModelReply | string> {
    const builtin = () =>
      builtinReply(body, modelId, {
        promptCache,
        blockedWords: options.blockedWords,
        blockedMessage: options.blockedMessage,
      });
    if (!options.model) return builtin();
    const context: ResponderContext = { modelId, operation, requestId, signal, builtin };
    try {
      return await options.model(body, context);
    } catch (error) {
      if (error instanceof EmulatorError) throw error;
      throw new EmulatorError(
        "InternalServerException",
        `The emulator's model responder threw: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  async function replayResponse(
    name: string,
    operation: Operation,
    faults: Fault[],
    chunkSize: number | undefined,
    request: Request,
    info: RequestInfo,
    headers: Headers,
  ): Promise<Response> {
    // Names may reach a loader that reads files: keep them to one plain path segment.
    if (!/^[\w.-]{1,200}$/.test(name) || name.includes("..")) {
      throw validationError(
        `Invalid recording name '${name.slice(0, 200)}': use letters, digits, '.', '_' and '-'.`,
      );
    }
    const recordings = options.recordings;
    const bytes =
      typeof recordings === "function"
        ? await recordings(name)
        : recordings && Object.hasOwn(recordings, name)
          ? recordings[name]
          : undefined;
    if (!bytes)
      throw new EmulatorError("ResourceNotFoundException", `No recording named '${name}' is loaded.`);
    const exception = faults.find((f) => f.kind === "exception");
    if (exception?.kind === "exception") info.errorCode = exception.type;
    if (operation === "converse") {
      if (bytes[0] !== 0x7b) {
        throw validationError(`Recording '${name}' is an event stream: request it on /converse-stream.`);
      }
      return jsonResponse(bytes, faults, chunkSize, request, headers);
    }
    const frames = splitFrames(bytes).map((frame) => () => frame);
    return eventStreamResponse(planStream(frames, planOptions(faults)), chunkSize, request, headers);
  }

  function planOptions(faults: Fault[]) {
    return { faults, eventDelayMs: options.eventDelayMs ?? 0 };
  }

  function eventStreamResponse(
    steps: Step[],
    chunkSize: number | undefined,
    request: Request,
    headers: Headers,
  ) {
    headers.set("content-type", "application/vnd.amazon.eventstream");
    const body = createBodyStream(steps, { chunkSize, signals: [request.signal, options.signal] });
    return new Response(body, { status: 200, headers });
  }

  /** A JSON body: whole with content-length, or streamed when chunked, stalled, truncated or reset. */
  function jsonResponse(
    bytes: Uint8Array,
    faults: Fault[],
    chunkSize: number | undefined,
    request: Request,
    headers: Headers,
  ): Response {
    headers.set("content-type", "application/json");
    const cut = faults.find((f) => f.kind === "truncate" || f.kind === "reset");
    const stallMs = faults.reduce((ms, f) => (f.kind === "stall" ? ms + f.ms : ms), 0);
    if (!cut && !chunkSize && stallMs === 0) {
      headers.set("content-length", String(bytes.byteLength));
      return new Response(bytes as Uint8Array<ArrayBuffer>, { status: 200, headers });
    }
    const steps: Step[] = [];
    if (stallMs > 0) steps.push({ type: "sleep", ms: stallMs });
    if (cut) {
      steps.push({ type: "bytes", build: () => bytes.subarray(0, Math.floor(bytes.length / 2)) });
      if (cut.kind === "reset") steps.push({ type: "reset" });
    } else {
      headers.set("content-length", String(bytes.byteLength));
      steps.push({ type: "bytes", build: () => bytes });
    }
    const body = createBodyStream(steps, { chunkSize, signals: [request.signal, options.signal] });
    return new Response(body, { status: 200, headers });
  }

  return {
    async fetch(request: Request): Promise<Response> {
      const started = Date.now();
      const requestId = `${options.requestIdPrefix ?? ""}${crypto.randomUUID()}`;
      const info: RequestInfo = {
        requestId,
        method: request.method,
        path: pathOf(request.url),
        headers: redactedHeaders(request.headers),
        status: 0,
        faults: [],
      };
      const headers = new Headers({ "x-amzn-RequestId": requestId });
      if (cors) {
        headers.set("access-control-allow-origin", "*");
        headers.set(
          "access-control-expose-headers",
          "x-amzn-RequestId, x-amzn-ErrorType, x-amzn-bedrock-input-token-count, x-amzn-bedrock-output-token-count",
        );
      }
      let response: Response;
      try {
        response = await handle(request, info, headers, started);
      } catch (error) {
        const answer =
          error instanceof EmulatorError
            ? error
            : error instanceof FaultSpecError
              ? validationError(`Invalid ${HEADER.fault}: ${error.message}`)
              : new EmulatorError(
                  "InternalServerException",
                  `The emulator failed: ${error instanceof Error ? error.message : String(error)}`,
                );
        info.errorCode = answer.code;
        response = errorResponse(answer, headers);
      }
      info.status = response.status;
      if (response.status >= 400 && info.errorCode === undefined) {
        info.errorCode = response.headers.get("x-amzn-ErrorType")?.split(":")[0];
      }
      try {
        options.onRequest?.(info);
      } catch {
        // A failing observer must not change what the client receives.
      }
      return response;
    },
    reset() {
      promptCache.clear();
      failCounts.clear();
    },
  };
}

function httpFaultResponse(
  f: Fault & { status?: number; code?: string; message?: string },
  headers: Headers,
): Response {
  const { status, code } = httpErrorOf(f);
  if (code === undefined) return plainErrorResponse(status, headers);
  const known = isErrorCode(code);
  return errorResponse(
    new EmulatorError(code, f.message, { status: known && f.status === undefined ? undefined : status }),
    headers,
  );
}

function preflight(request: Request, headers: Headers): Response {
  headers.set("access-control-allow-methods", "POST, OPTIONS");
  headers.set("access-control-allow-headers", request.headers.get("access-control-request-headers") ?? "*");
  headers.set("access-control-max-age", "600");
  return new Response(null, { status: 204, headers });
}

function chunkSizeFor(request: Request): number | undefined {
  const header = request.headers.get(HEADER.chunkSize);
  if (header === null) return undefined;
  const n = /^\d+$/.test(header.trim()) ? Number(header) : Number.NaN;
  if (!(n >= 1 && n <= MAX_CHUNK)) {
    throw validationError(`${HEADER.chunkSize} must be an integer from 1 to ${MAX_CHUNK}, got '${header}'.`);
  }
  return n;
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return "/";
  }
}

function redactedHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = REDACTED_HEADERS.has(name) ? "<redacted>" : value;
  });
  return out;
}

/** What the built-in model sees for a prompt resource: the variables' values as one user turn, then the messages. */
function promptTurns(body: ConverseRequest): NonNullable<ConverseRequest["messages"]> {
  const vars = Object.entries((body.promptVariables ?? {}) as Record<string, { text?: unknown }>)
    .map(([name, value]) => `${name}: ${typeof value?.text === "string" ? value.text : ""}`)
    .join("\n");
  const messages = body.messages ?? [];
  const first = { role: "user" as const, content: [{ text: vars || "(prompt)" }] };
  if (messages[0]?.role === "user")
    return [{ role: "user", content: [...first.content, ...messages[0].content] }, ...messages.slice(1)];
  return [first, ...messages];
}
