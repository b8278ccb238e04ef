import type { Authorizer } from "../auth/types.ts";
import { AbortError, BedrockError, incompleteStream, NetworkError, TimeoutError } from "../errors/index.ts";
import { scrubError } from "../errors/scrub.ts";
import { ToolCallAccumulator } from "../stream/accumulate.ts";
import type { LazyPartialJson } from "../stream/partial-json.ts";
import { ConversePipeline } from "../stream/pipeline.ts";
import type { ChatEvent } from "../types/events.ts";
import type { LevelLogger } from "./log.ts";
import { retryAfterMs, retryDelay, sleep } from "./retry.ts";
import { describe, errorFromResponse, readErrorBody, requestIdOf } from "./service-errors.ts";

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
  /** The call's overall deadline, retries included (0: none). */
  timeoutMs: number;
  /** Values that must never appear in an error message (keys, tokens). */
  secrets: string[];
  /** Called once per failed attempt that will be retried (for logging and tests). */
  onRetry?: (error: BedrockError, attempt: number, delayMs: number) => void;
  /**
   * Clock-skew hook (SigV4): given a 403 and its body, returns true when the clock was corrected and the
   * request should be signed and sent again (once per call, not counted as a retry).
   */
  onAuthError?: (response: Response, body: string) => boolean;
  /**
   * Reads a /converse (non-streamed) body into one batch of events: `readConverseJson`, passed in by
   * createBedrock (the core client streams only, and does not ship it). `next` reads a chunk (timed).
   */
  readJson?: (
    response: Response,
    accumulator: ToolCallAccumulator,
    next: (reader: ReadableStreamDefaultReader<Uint8Array>) => Promise<ReadableStreamReadResult<Uint8Array>>,
  ) => Promise<ChatEvent[]>;
  /** The parser behind `tool-call-delta` events' `partial` snapshots (none: no snapshots). */
  partialJson?: new () => LazyPartialJson;
}

const EVENT_STREAM = "application/vnd.amazon.eventstream";
const THROTTLING = new Set(["ThrottlingException", "ModelNotReadyException"]);

type Timeout = "firstByteTimeoutMs" | "idleTimeoutMs" | "timeoutMs";

/** The reason every finished call's controller is aborted with (releases the connection; one shared instance). */
const FINISHED = new AbortError("Request finished");

/**
 * Runs a Converse call and yields chat events in batches, one batch per network chunk. Retries (backoff with
 * full jitter) only while nothing has been yielded: once the caller has seen an event, a failure is reported
 * with what was received, never retried behind the caller's back. Returns the accumulator with the result.
 *
 * Timers run only while waiting on the network: `firstByteTimeoutMs` from sending until the first body bytes
 * (on /converse: until the response head), `idleTimeoutMs` for each later read. A caller that is slow to
 * take events is never mistaken for a stalled server.
 */
export async function* runConverse(plan: CallPlan): AsyncGenerator<ChatEvent[], ToolCallAccumulator> {
  const payload = JSON.stringify(plan.body);
  const host = new URL(plan.url).host;
  // Signed Authorization values join the secrets (the log's too) as they are made.
  const secrets = plan.secrets;
  if (plan.log.debugEnabled) plan.log.debug(`POST ${plan.url}`, { payload: plan.body });
  let skewRetried = false;
  let count = 0;
  const deadline = plan.timeoutMs > 0 ? Date.now() + plan.timeoutMs : 0;
  for (let attempt = 0; ; attempt++) {
    let delivered = false;
    let accumulator: ToolCallAccumulator | undefined;
    const abort = new AbortController();
    const onUserAbort = () => abort.abort(plan.signal!.reason);
    if (plan.signal?.aborted) throw userAbort(plan.signal, " before it was sent");
    plan.signal?.addEventListener("abort", onUserAbort, { once: true });
    let timedOut: TimeoutError | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Each wait on the network runs under its own timer, or under the call's deadline when that comes first.
    const arm = (which: Timeout) => {
      clearTimeout(timer);
      let ms = plan[which];
      const left = deadline - Date.now();
      if (deadline && !(ms > 0 && ms < left)) {
        which = "timeoutMs";
        ms = left;
      }
      if (ms > 0 || deadline)
        timer = setTimeout(() => {
          timedOut = new TimeoutError(which, plan[which], delivered ? "stream" : "request");
          abort.abort(timedOut);
        }, ms);
    };
    const disarm = () => clearTimeout(timer);
    const bytes = { received: 0 };
    try {
      arm("firstByteTimeoutMs");
      const response = await send(plan, payload, abort.signal, secrets);
      plan.log.debug(`HTTP ${response.status}`, { requestId: response.headers.get("x-amzn-requestid") });
      if (!response.ok) {
        // A redirect (fetch is told not to follow one) is never an answer: it would take the credentials and
        // the prompt to whatever origin it names.
        if (response.status < 400) {
          const location = response.headers.get("location");
          let to = "an undisclosed origin";
          try {
            if (location) to = new URL(location, plan.url).origin;
          } catch {}
          throw new BedrockError("RedirectError", `HTTP ${response.status}: redirect to ${to} not followed`, {
            status: response.status,
          });
        }
        const text = await bodyText(response, abort.signal);
        if (!skewRetried && plan.onAuthError && response.status === 403) {
          if (plan.onAuthError(response, text)) {
            skewRetried = true;
            attempt--;
            plan.log.warn("the server says the request time is skewed: signing again with its clock");
            continue;
          }
        }
        const error = await errorFromResponse(response, "request", text);
        const after = retryAfterMs(response.headers.get("retry-after"));
        if (after !== undefined) error.retryAfterMs = after;
        throw error;
      }
      const type = response.headers.get("content-type") ?? "";
      if (!plan.stream) {
        accumulator = new ToolCallAccumulator();
        const events = await plan.readJson!(response, accumulator, (reader) => {
          arm("idleTimeoutMs");
          return readChunk(reader, abort.signal, host, bytes);
        });
        disarm();
        logEvents(plan.log, events);
        delivered = true;
        count += events.length;
        yield events;
        return accumulator;
      }
      if (!type.includes(EVENT_STREAM))
        throw unexpectedBody(response, type, await bodyText(response, abort.signal));
      if (!response.body) throw emptyBody();
      const pipeline = new ConversePipeline();
      accumulator = pipeline.accumulator;
      accumulator.partialJson = plan.partialJson;
      if (plan.log.debugEnabled) pipeline.onConverseEvent = (e) => plan.log.debug(`event ${e.type}`, e);
      const reader = response.body.getReader();
      try {
        for (let first = true; ; first = false) {
          if (!first) arm("idleTimeoutMs");
          const { done, value } = await readChunk(reader, abort.signal, host, bytes);
          disarm();
          if (done && bytes.received === 0) throw emptyBody();
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
      const error = toBedrockError(raw, timedOut, plan, delivered, host, secrets);
      if (!delivered && error.retryable && attempt < plan.maxRetries && !plan.signal?.aborted) {
        const delay = retryDelay(attempt, THROTTLING.has(error.name), error.retryAfterMs);
        plan.log.warn(
          `${error.name}: ${error.message}; retrying in ${delay} ms (attempt ${attempt + 2} of ${plan.maxRetries + 1})`,
        );
        plan.onRetry?.(error, attempt, delay);
        disarm();
        await sleep(deadline ? Math.min(delay, deadline - Date.now()) : delay, plan.signal).catch(() => {
          throw userAbort(plan.signal!, " while waiting to retry");
        });
        continue;
      }
      if (accumulator) error.partial = partialOf(accumulator, count);
      throw error;
    } finally {
      disarm();
      plan.signal?.removeEventListener("abort", onUserAbort);
      abort.abort(FINISHED);
    }
  }
}

async function send(
  plan: CallPlan,
  payload: string,
  signal: AbortSignal,
  secrets: string[],
): Promise<Response> {
  const headers = new Headers(plan.headers);
  headers.set("content-type", "application/json");
  headers.set("accept", plan.stream ? EVENT_STREAM : "application/json");
  const unsigned = new Request(plan.url, {
    method: "POST",
    headers,
    body: payload,
    signal,
    redirect: "manual",
  });
  let request: Request;
  try {
    request = await abortable(plan.authorize(unsigned), signal);
  } catch (error) {
    if (signal.aborted || error instanceof BedrockError) throw error;
    throw new BedrockError(
      "CredentialsError",
      `Could not sign the request: ${(error as Error)?.message ?? error}`,
      {
        cause: error,
        hint: "check the credentials or the credentials provider",
      },
    );
  }
  for (const name of ["authorization", "x-amz-security-token"]) {
    const value = request.headers.get(name);
    if (!value) continue;
    secrets.push(value, value.replace(/^Bearer\s+/i, ""));
    const signature = /Signature=([0-9a-f]+)/.exec(value);
    if (signature) secrets.push(signature[1]);
  }
  try {
    return await abortable(plan.fetch(request, { signal }), signal);
  } catch (error) {
    if (signal.aborted || error instanceof BedrockError) throw error;
    throw new NetworkError(
      `Could not reach ${new URL(plan.url).host}: ${describe(error)}`,
      error,
      "check `url` / `region` and that the proxy is running",
    );
  }
}

/** One body read; a connection lost mid-body becomes a NetworkError that says how far it got. */
async function readChunk(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  signal: AbortSignal,
  host: string,
  bytes: { received: number },
): Promise<ReadableStreamReadResult<Uint8Array>> {
  try {
    const result = await abortable(reader.read(), signal);
    if (!result.done) bytes.received += result.value.byteLength;
    return result;
  } catch (error) {
    if (signal.aborted || error instanceof BedrockError) throw error;
    const lost = new NetworkError(
      `The connection to ${host} was lost while reading the response (${bytes.received} bytes received): ${describe(error)}`,
      error,
    );
    lost.phase = "stream";
    throw lost;
  }
}

const emptyBody = () =>
  incompleteStream("The event stream response was empty: the body ended before any event");

/**
 * Settles with `promise`, or rejects with the signal's reason as soon as it aborts. A timeout or the caller's
 * abort must end the wait even when a fetch, a credentials provider or a runtime's body stream ignores the
 * signal; the abandoned promise's outcome is swallowed.
 */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/**
 * An error or unexpected body as text (for its message), read with a cap (readErrorBody: past it, a
 * ResponseTooLargeError). Unreadable counts as empty; an abort or a timeout does not.
 */
async function bodyText(response: Response, signal: AbortSignal): Promise<string> {
  try {
    return await readErrorBody(response, (reader) => abortable(reader.read(), signal));
  } catch (error) {
    if (signal.aborted || error instanceof BedrockError) throw error;
    return "";
  }
}

/** A 200 that is not an event stream: a proxy that does not support /converse-stream, or an HTML page. */
function unexpectedBody(response: Response, type: string, body: string): BedrockError {
  const text = body.slice(0, 200);
  const looksHtml = /^\s*</.test(text);
  return new BedrockError(
    "UnexpectedResponseError",
    `Expected an event stream (${EVENT_STREAM}) from /converse-stream but got ${type || "no content type"}` +
      (looksHtml ? " with an HTML page" : text ? `: ${JSON.stringify(text)}` : " with an empty body"),
    {
      status: response.status,
      requestId: requestIdOf(response),
      hint: "the endpoint or proxy does not support /converse-stream: set stream: false, or fix the proxy",
    },
  );
}

/** The caller's abort; one from `AbortSignal.timeout()` is named TimeoutError, as fetch's is. */
function userAbort(signal: AbortSignal, when = ""): BedrockError {
  const timeout = signal.reason?.name === "TimeoutError";
  const error = new AbortError(`The request ${timeout ? "timed out" : "was aborted"}${when}`, {
    phase: "request",
    cause: signal.reason,
  });
  if (timeout) error.name = "TimeoutError";
  return error;
}

function toBedrockError(
  raw: unknown,
  timedOut: TimeoutError | undefined,
  plan: CallPlan,
  delivered: boolean,
  host: string,
  secrets: string[],
): BedrockError {
  let error: BedrockError;
  if (timedOut) error = timedOut;
  else if (plan.signal?.aborted) error = userAbort(plan.signal);
  else if (raw instanceof BedrockError) error = raw;
  else
    error = new BedrockError("UnknownError", `Unexpected failure talking to ${host}: ${describe(raw)}`, {
      cause: raw,
    });
  // The phase tells the caller whether it has seen output: "stream" once an event was delivered (and
  // `partial` says what), "request" before that, whatever part of the body the failure came from.
  error.phase = delivered ? "stream" : "request";
  return scrubError(error, secrets);
}

function partialOf(acc: ToolCallAccumulator, eventsDelivered: number) {
  return {
    outputText: acc.outputText,
    toolsToCall: acc.toolCalls
      .filter((c) => !c.invalid)
      .map(({ id, name, arguments: a }) => ({ id, name, arguments: a })),
    ...(acc.usage && { usage: { ...acc.usage } }),
    eventsDelivered,
  };
}

function logUsage(log: LevelLogger, events: ChatEvent[]): void {
  for (const e of events) if (e.type === "usage") log.info("usage", e.usage);
}

function logEvents(log: LevelLogger, events: ChatEvent[]): void {
  if (!log.debugEnabled) logUsage(log, events);
  else for (const e of events) log.debug(`event ${e.type}`, e);
}
