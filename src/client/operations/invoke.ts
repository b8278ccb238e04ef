import { base64ToBytes } from "../../request/base64.ts";
import { RequestError } from "../../request/errors.ts";
import { EventStreamDecoder, type EventStreamMessage } from "../../stream/decode.ts";
import { parseFrame } from "../../stream/parse.ts";
import type { Attempt } from "../call.ts";
import { EVENT_STREAM, runCall } from "../call.ts";
import type { ConfigInput } from "../create.ts";
import { eventStream } from "../deliver.ts";
import { BedrockError, EventPayloadError, incompleteStream, requestIdOf } from "../errors.ts";
import { callJson, checkOptions, type ModelOperationOptions, planModelOperation } from "./plan.ts";

/** InvokeModel's options: the model, and the request headers the service model defines. */
export interface InvokeOptions extends ModelOperationOptions {
  /** `X-Amzn-Bedrock-Trace`: ENABLED, DISABLED or ENABLED_FULL (guardrail trace). */
  trace?: "ENABLED" | "DISABLED" | "ENABLED_FULL";
  guardrailIdentifier?: string;
  guardrailVersion?: string;
  /** `X-Amzn-Bedrock-PerformanceConfig-Latency`. */
  performanceConfigLatency?: "standard" | "optimized";
  /** `X-Amzn-Bedrock-Service-Tier`. */
  serviceTier?: "priority" | "default" | "flex" | "reserved";
  /** `X-Amzn-Bedrock-Request-Metadata` (a JSON object of strings, for invocation logs). */
  requestMetadata?: Record<string, string>;
}

/** Token counts Bedrock reports for an InvokeModel call (headers or, streamed, the invocation metrics). */
export interface InvokeUsage {
  inputTokens?: number;
  outputTokens?: number;
  /** Streamed only: `amazon-bedrock-invocationMetrics` as the last chunk carried it. */
  invocationLatencyMs?: number;
  firstByteLatencyMs?: number;
}

export interface InvokeResult<T = unknown> {
  /** The model's answer, parsed from its native JSON. */
  body: T;
  usage: InvokeUsage;
  /** `x-amzn-requestid`. */
  requestId?: string;
}

/** The chunks of an InvokeModelWithResponseStream call; `usage` is set once the metrics chunk has arrived. */
export type InvokeChunkStream<T = Record<string, unknown>> = ReadableStream<T> &
  AsyncIterable<T> & { readonly usage: InvokeUsage | undefined };

const HEADERS: [keyof InvokeOptions, string][] = [
  ["trace", "x-amzn-bedrock-trace"],
  ["guardrailIdentifier", "x-amzn-bedrock-guardrailidentifier"],
  ["guardrailVersion", "x-amzn-bedrock-guardrailversion"],
  ["performanceConfigLatency", "x-amzn-bedrock-performanceconfig-latency"],
  ["serviceTier", "x-amzn-bedrock-service-tier"],
  ["requestMetadata", "x-amzn-bedrock-request-metadata"],
];
const OWN_KEYS = new Set(HEADERS.map(([k]) => k as string));

function planInvoke(config: ConfigInput, body: unknown, options: InvokeOptions, stream: boolean) {
  checkOptions(options, [...OWN_KEYS]);
  if (typeof body === "string") {
    try {
      body = JSON.parse(body);
    } catch {
      throw new RequestError("body", "expected the model's native JSON (an object or JSON text)");
    }
  }
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new RequestError("body", "expected the model's native request, a JSON object");
  const headers: Record<string, string> = { ...options.headers };
  const transport: ModelOperationOptions = {};
  for (const [key, value] of Object.entries(options)) {
    if (!OWN_KEYS.has(key)) (transport as any)[key] = value;
  }
  for (const [key, name] of HEADERS) {
    const value = options[key];
    if (value !== undefined) headers[name] = typeof value === "string" ? value : JSON.stringify(value);
  }
  transport.headers = headers;
  return planModelOperation(
    config,
    stream ? "invoke-with-response-stream" : "invoke",
    transport,
    body as Record<string, unknown>,
    stream,
  );
}

/**
 * One InvokeModel call (`POST /model/{modelId}/invoke`): the model's native JSON in, its native JSON out, with the
 * token counts from the `x-amzn-bedrock-*-token-count` headers. Same auth, retries, timeouts and errors as Converse.
 */
export async function invoke<T = unknown>(
  config: ConfigInput,
  body: Record<string, unknown> | string,
  options: InvokeOptions = {},
): Promise<InvokeResult<T>> {
  const { json, response } = await callJson(planInvoke(config, body, options, false));
  const usage: InvokeUsage = {};
  const count = (name: string) => {
    const v = response.headers.get(`x-amzn-bedrock-${name}-token-count`);
    return v !== null && /^\d+$/.test(v) ? Number(v) : undefined;
  };
  const input = count("input");
  const output = count("output");
  if (input !== undefined) usage.inputTokens = input;
  if (output !== undefined) usage.outputTokens = output;
  return { body: json as T, usage, requestId: requestIdOf(response) };
}

/**
 * One InvokeModelWithResponseStream call: a stream of the model's native chunks, each parsed from its base64
 * `bytes`, delivered as each frame completes. Exception frames and a cut stream are typed errors whose
 * `partial.eventsDelivered` says how many chunks arrived; `usage` holds the invocation metrics at the end.
 */
export function invokeStream<T = Record<string, unknown>>(
  config: ConfigInput,
  body: Record<string, unknown> | string,
  options: InvokeOptions = {},
): InvokeChunkStream<T> {
  let usage: InvokeUsage | undefined;
  const stream = eventStream<T>(
    (signal) => {
      const plan = planInvoke(config, body, options, true);
      plan.signal = signal;
      return {
        run: runChunks<T>(plan, (u) => {
          usage = u;
        }),
        onEvents: () => {},
      };
    },
    options.signal,
    () => {},
  );
  Object.defineProperty(stream, "usage", { get: () => usage });
  return stream as InvokeChunkStream<T>;
}

async function* runChunks<T>(
  plan: ReturnType<typeof planInvoke>,
  onUsage: (usage: InvokeUsage) => void,
): AsyncGenerator<T[], void> {
  yield* runCall(plan, (response, at) => readChunks<T>(response, at, onUsage));
}

async function* readChunks<T>(
  response: Response,
  at: Attempt,
  onUsage: (usage: InvokeUsage) => void,
): AsyncGenerator<T[], void> {
  const type = response.headers.get("content-type") ?? "";
  if (!type.includes(EVENT_STREAM)) {
    const text = (await at.text(response)).slice(0, 200);
    throw new BedrockError(
      "UnexpectedResponseError",
      `Expected an event stream (${EVENT_STREAM}) from /invoke-with-response-stream but got ${type || "no content type"}` +
        (/^\s*</.test(text)
          ? " with an HTML page"
          : text
            ? `: ${JSON.stringify(text)}`
            : " with an empty body"),
      { status: response.status, requestId: requestIdOf(response) },
    );
  }
  if (!response.body)
    throw incompleteStream("The event stream response was empty: the body ended before any chunk");
  const decoder = new EventStreamDecoder();
  const text = new TextDecoder();
  let count = 0;
  at.partial = () => ({ outputText: "", toolsToCall: [], eventsDelivered: count });
  const reader = response.body.getReader();
  try {
    for (let first = true; ; first = false) {
      const { done, value } = await at.read(reader, first);
      if (done) {
        decoder.end();
        if (!count)
          throw incompleteStream(
            "The event stream ended before any chunk: the answer was cut or the model sent nothing",
          );
        return;
      }
      const batch: T[] = [];
      let failure: unknown;
      // Frames before a malformed byte are still delivered (feed fills `frames` before it throws).
      const frames: EventStreamMessage[] = [];
      try {
        decoder.feed(value, frames);
      } catch (error) {
        failure = error;
      }
      try {
        for (const frame of frames) {
          const chunk = chunkOf(frame, text);
          const metrics = chunk["amazon-bedrock-invocationMetrics"];
          if (metrics && typeof metrics === "object") onUsage(usageOf(metrics as Record<string, unknown>));
          batch.push(chunk as T);
        }
      } catch (error) {
        failure ??= error;
      }
      if (batch.length) {
        at.delivered = true;
        count += batch.length;
        yield batch;
      }
      if (failure) throw failure;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

/** One frame's chunk: `{"bytes": base64}` decoded and parsed; exception frames throw their typed error. */
function chunkOf(frame: EventStreamMessage, text: TextDecoder): Record<string, unknown> {
  const headers = frame.headers;
  const str = (name: string) =>
    headers[name]?.type === "string" ? (headers[name].value as string) : undefined;
  const type = str(":message-type");
  if (type !== undefined && type !== "event") parseFrame(headers, frame.body, frame.offset);
  const eventType = str(":event-type");
  if (eventType !== "chunk")
    throw new EventPayloadError(
      String(eventType),
      "not a chunk: an InvokeModel stream carries chunk events only",
      frame.offset,
    );
  let payload: any;
  try {
    payload = JSON.parse(text.decode(frame.body));
    const inner = text.decode(base64ToBytes(payload.bytes));
    const parsed = JSON.parse(inner);
    if (typeof parsed !== "object" || parsed === null) throw new Error("not a JSON object");
    return parsed;
  } catch (error) {
    throw new EventPayloadError(
      "chunk",
      `the payload is not {"bytes": <base64 of the model's JSON>}: ${(error as Error).message}`,
      frame.offset,
    );
  }
}

function usageOf(m: Record<string, unknown>): InvokeUsage {
  const usage: InvokeUsage = {};
  const num = (v: unknown) => (typeof v === "number" ? v : undefined);
  if (num(m.inputTokenCount) !== undefined) usage.inputTokens = num(m.inputTokenCount);
  if (num(m.outputTokenCount) !== undefined) usage.outputTokens = num(m.outputTokenCount);
  if (num(m.invocationLatency) !== undefined) usage.invocationLatencyMs = num(m.invocationLatency);
  if (num(m.firstByteLatency) !== undefined) usage.firstByteLatencyMs = num(m.firstByteLatency);
  return usage;
}
