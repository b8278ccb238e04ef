import { ToolCallAccumulator } from "../stream/accumulate";
import type { ChatEvent } from "../stream/events";
import { ConversePipeline } from "../stream/pipeline";
import { AbortError, BedrockError, errorFromResponse, NetworkError, TimeoutError } from "./errors";
import type { LevelLogger } from "./log";
import { backoffDelay, retryAfterMs, sleep } from "./retry";
import { checkConverseResponse, converseResponseEvents } from "./converse-json";
import type { Authorizer } from "../auth/types";

export const DEFAULT_MAX_RETRIES = 2;
export const DEFAULT_FIRST_BYTE_TIMEOUT_MS = 120_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

/** Everything one call needs, resolved by the client. */
export interface CallPlan {
  url: string;
  body: Record<string, unknown>;
  stream: boolean;
  authorize: Authorizer;
  fetch: typeof fetch;
  log: LevelLogger;
  signal?: AbortSignal;
  headers?: Record<string, string>;
  maxRetries: number;
  firstByteTimeoutMs: number;
  idleTimeoutMs: number;
  /** Values that must never appear in an error message (keys, tokens). */
  secrets: string[];
  /** Called once per failed attempt that will be retried (for logging and tests). */
  onRetry?: (error: BedrockError, attempt: number, delayMs: number) => void;
  /** Optional auth hook for clock-skew correction: returns true when the next attempt should be re-signed. */
  onAuthError?: (response: Response) => boolean;
}

const EVENT_STREAM = "application/vnd.amazon.eventstream";

/**
 * Runs a Converse call and yields chat events in batches, one batch per network chunk. Retries (backoff with
 * full jitter) only while nothing has been yielded: once the caller has seen an event, a failure is reported
 * with what was received, never retried behind the caller's back. Returns the accumulator with the result.
 */
export async function* runConverse(plan: CallPlan): AsyncGenerator<ChatEvent[], ToolCallAccumulator> {
  const payload = JSON.stringify(plan.body);
  if (plan.log.debugEnabled) plan.log.debug(`POST ${plan.url}`, { payload: plan.body });
  let skewRetried = false;
  let count = 0;
  for (let attempt = 0; ; attempt++) {
    let delivered = false;
    let accumulator: ToolCallAccumulator | undefined;
    const abort = new AbortController();
    const onUserAbort = () => abort.abort(plan.signal!.reason);
    if (plan.signal?.aborted) throw new AbortError("The request was aborted before it was sent", { phase: "request" });
    plan.signal?.addEventListener("abort", onUserAbort, { once: true });
    let timedOut: TimeoutError | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = (ms: number, which: "firstByteTimeoutMs" | "idleTimeoutMs") => {
      clearTimeout(timer);
      if (ms > 0) {
        timer = setTimeout(() => {
          timedOut = new TimeoutError(which, ms, delivered ? "stream" : "request");
          abort.abort(timedOut);
        }, ms);
      }
    };
    try {
      arm(plan.firstByteTimeoutMs, "firstByteTimeoutMs");
      const response = await send(plan, payload, abort.signal);
      plan.log.debug(`HTTP ${response.status}`, { requestId: response.headers.get("x-amzn-requestid") });
      if (!response.ok) {
        if (!skewRetried && plan.onAuthError?.(response)) {
          skewRetried = true;
          attempt--;
          void response.body?.cancel();
          continue;
        }
        const error = await errorFromResponse(response, "request");
        const after = retryAfterMs(response.headers.get("retry-after"));
        if (after !== undefined) (error as any).retryAfterMs = after;
        throw error;
      }
      const type = response.headers.get("content-type") ?? "";
      if (!plan.stream) {
        arm(plan.idleTimeoutMs, "idleTimeoutMs");
        const json = await readJson(response, type);
        accumulator = new ToolCallAccumulator();
        const events: ChatEvent[] = [];
        for (const event of converseResponseEvents(json)) accumulator.push(event, events);
        accumulator.end(events);
        // The /converse message goes back exactly as AWS sent it, every field kept.
        const finish = events[events.length - 1];
        if (finish?.type === "finish") finish.message = json.output.message;
        logEvents(plan.log, events);
        delivered = true;
        count += events.length;
        yield events;
        return accumulator;
      }
      if (!type.includes(EVENT_STREAM)) throw await unexpectedBody(response, type);
      if (!response.body) throw new BedrockError("EmptyResponseError", "The event stream response has no body");
      const pipeline = new ConversePipeline();
      accumulator = pipeline.accumulator;
      if (plan.log.debugEnabled) pipeline.onConverseEvent = (e) => plan.log.debug(`event ${e.type}`, e);
      const reader = response.body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          arm(plan.idleTimeoutMs, "idleTimeoutMs");
          const events = done ? pipeline.end() : pipeline.feed(value);
          if (events.length) {
            logUsage(plan.log, events);
            delivered = true;
            count += events.length;
            yield events;
          }
          if (pipeline.error) throw pipeline.error;
          if (done) return accumulator;
        }
      } finally {
        // Releases the connection when the caller stops early (break, cancel) or on error.
        reader.cancel().catch(() => {});
      }
    } catch (raw) {
      const error = toBedrockError(raw, timedOut, plan, delivered);
      if (!delivered && error.retryable && attempt < plan.maxRetries && !plan.signal?.aborted) {
        const delay = (error as any).retryAfterMs ?? backoffDelay(attempt);
        plan.log.warn(`${error.name}: retrying in ${delay} ms (attempt ${attempt + 2} of ${plan.maxRetries + 1})`);
        plan.onRetry?.(error, attempt, delay);
        clearTimeout(timer);
        await sleep(delay, plan.signal).catch(() => {
          throw new AbortError("The request was aborted while waiting to retry", { phase: "request" });
        });
        continue;
      }
      if (accumulator) error.partial = partialOf(accumulator, count);
      throw error;
    } finally {
      clearTimeout(timer);
      plan.signal?.removeEventListener("abort", onUserAbort);
      abort.abort(new AbortError("Request finished"));
    }
  }
}

async function send(plan: CallPlan, payload: string, signal: AbortSignal): Promise<Response> {
  const headers = new Headers(plan.headers);
  headers.set("content-type", "application/json");
  headers.set("accept", plan.stream ? EVENT_STREAM : "application/json");
  const unsigned = new Request(plan.url, { method: "POST", headers, body: payload, signal });
  const request = await plan.authorize(unsigned);
  return plan.fetch(request, { signal });
}

async function readJson(response: Response, type: string): Promise<Record<string, any>> {
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BedrockError(
      "UnexpectedResponseError",
      `Expected a JSON Converse response but got ${type || "no content type"}: ${JSON.stringify(text.slice(0, 120))}`,
      { status: response.status, phase: "request" },
    );
  }
  checkConverseResponse(json);
  return json;
}

/** A 200 that is not an event stream: a proxy that does not support /converse-stream, or an HTML page. */
async function unexpectedBody(response: Response, type: string): Promise<BedrockError> {
  const text = (await response.text().catch(() => "")).slice(0, 200);
  const looksHtml = /^\s*</.test(text);
  return new BedrockError(
    "UnexpectedResponseError",
    `Expected an event stream (${EVENT_STREAM}) from /converse-stream but got ${type || "no content type"}` +
      (looksHtml ? " with an HTML page" : text ? `: ${JSON.stringify(text.slice(0, 120))}` : ""),
    {
      status: response.status,
      requestId: response.headers.get("x-amzn-requestid") ?? undefined,
      phase: "request",
      hint: "the endpoint or proxy does not support /converse-stream: set stream: false, or fix the proxy",
    },
  );
}

function toBedrockError(raw: unknown, timedOut: TimeoutError | undefined, plan: CallPlan, delivered: boolean): BedrockError {
  let error: BedrockError;
  if (timedOut) error = timedOut;
  else if (plan.signal?.aborted) {
    error = new AbortError("The request was aborted", { phase: delivered ? "stream" : "request", cause: plan.signal.reason });
  } else if (raw instanceof BedrockError) error = raw;
  else if (raw instanceof TypeError) {
    error = new NetworkError(
      `Could not reach ${new URL(plan.url).host}: ${scrub(raw.message, plan.secrets)}`,
      undefined,
      "check `url` / `region` and that the proxy is running",
    );
  } else {
    error = new BedrockError("UnknownError", scrub(String((raw as Error)?.message ?? raw), plan.secrets), {
      phase: delivered ? "stream" : "request",
    });
  }
  if (delivered) error.phase = "stream";
  error.message = scrub(error.message, plan.secrets);
  return error;
}

function scrub(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join("[redacted]");
  return out;
}

function partialOf(acc: ToolCallAccumulator, eventsDelivered: number) {
  return {
    outputText: acc.outputText,
    toolsToCall: acc.toolCalls.filter((c) => !c.invalid).map(({ id, name, arguments: a }) => ({ id, name, arguments: a })),
    ...(acc.usage && { usage: { ...acc.usage } }),
    eventsDelivered,
  };
}

function logUsage(log: LevelLogger, events: ChatEvent[]): void {
  for (const e of events) if (e.type === "usage") log.info("usage", e.usage);
}

function logEvents(log: LevelLogger, events: ChatEvent[]): void {
  if (!log.debugEnabled) return logUsage(log, events);
  for (const e of events) log.debug(`event ${e.type}`, e);
}
