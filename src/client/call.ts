import type { Authorizer } from "../auth/types.ts";
import type { ToolCallAccumulator } from "../stream/accumulate.ts";
import type { ChatEvent } from "../stream/events.ts";
import type { LazyPartialJson } from "../stream/partial-json.ts";
import {
  AbortError,
  BedrockError,
  describe,
  errorFromResponse,
  NetworkError,
  type PartialResult,
  readErrorBody,
  scrubError,
  TimeoutError,
} from "./errors.ts";
import type { LevelLogger } from "./log.ts";
import { retryAfterMs, retryDelay, sleep } from "./retry.ts";

// The transport, operation-agnostic: sign and send once; hand the answer to the operation, which reads its body
// under the first-byte and idle timers and the call's deadline; on failure decide to retry, re-sign after clock
// skew, or give up. Converse (run.ts), InvokeModel, CountTokens and the others plug in an `AnswerReader`.

export const DEFAULT_MAX_RETRIES = 2;
export const DEFAULT_FIRST_BYTE_TIMEOUT_MS = 120_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
export const EVENT_STREAM = "application/vnd.amazon.eventstream";

/** Everything one call needs, resolved by the client. */
export interface CallPlan {
  url: string;
  body: Record<string, unknown>;
  /** An event-stream answer is asked for (`accept`), else JSON. */
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
   * Reads a /converse (non-streamed) answer into one batch of events: `readConverseJson`, passed in by
   * createBedrock (the core client streams only, and does not ship it).
   */
  readJson?: (
    plan: CallPlan,
    response: Response,
    attempt: Attempt,
  ) => AsyncGenerator<ChatEvent[], ToolCallAccumulator>;
  /** The parser behind `tool-call-delta` events' `partial` snapshots (none: no snapshots). */
  partialJson?: new () => LazyPartialJson;
}

/** One attempt as the operation reading its answer sees it. */
export interface Attempt {
  host: string;
  signal: AbortSignal;
  /** Body bytes read so far. */
  received: number;
  /** Set by the operation once the caller has seen output: from then on a failure is never retried. */
  delivered?: boolean;
  /** What the caller got before a failure, attached to the error as `partial`. */
  partial?: () => PartialResult;
  /** Reads one body chunk: the first under the first-byte timer (still running from the send), others idle-timed. */
  read(
    reader: ReadableStreamDefaultReader<Uint8Array>,
    first?: boolean,
  ): Promise<ReadableStreamReadResult<Uint8Array>>;
  /** The whole body as text, read with a cap (for an unexpected answer's message). */
  text(response: Response): Promise<string>;
}

/** Reads a 2xx answer: yields what the caller sees as it arrives and returns the result. */
export type AnswerReader<T, R> = (response: Response, attempt: Attempt) => AsyncGenerator<T, R>;

const THROTTLING = new Set(["ThrottlingException", "ModelNotReadyException"]);

type Timeout = "firstByteTimeoutMs" | "idleTimeoutMs" | "timeoutMs";

/** The reason every finished call's controller is aborted with (releases the connection; one shared instance). */
const FINISHED = new AbortError("Request finished");

/** Thrown by `refused` when the request is to be signed and sent again with the server's clock. */
const RESIGN = {};

/**
 * Runs one call: yields what `answer` yields and returns what it returns. Retries (backoff with full jitter)
 * only while nothing has been delivered: once the caller has seen output, a failure is reported with what was
 * received, never retried behind the caller's back.
 *
 * Timers run only while waiting on the network: `firstByteTimeoutMs` from sending until the first body bytes
 * (or the response head, for an operation that reads no body before it), `idleTimeoutMs` for each later read.
 * A caller that is slow to take output is never mistaken for a stalled server.
 */
export async function* runCall<T, R>(plan: CallPlan, answer: AnswerReader<T, R>): AsyncGenerator<T, R> {
  const payload = JSON.stringify(plan.body);
  const host = new URL(plan.url).host;
  if (plan.log.debugEnabled) plan.log.debug(`POST ${plan.url}`, { payload: plan.body });
  let skewRetried = false;
  const deadline = plan.timeoutMs > 0 ? Date.now() + plan.timeoutMs : 0;
  for (let attempt = 0; ; attempt++) {
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
          timedOut = new TimeoutError(which, plan[which], at.delivered ? "stream" : "request");
          abort.abort(timedOut);
        }, ms);
    };
    const disarm = () => clearTimeout(timer);
    const signal = abort.signal;
    const at: Attempt = {
      host,
      signal,
      received: 0,
      async read(reader, first) {
        if (!first) arm("idleTimeoutMs");
        const result = await readChunk(reader, at);
        disarm();
        return result;
      },
      text: (response) => bodyText(response, signal),
    };
    try {
      arm("firstByteTimeoutMs");
      const response = await send(plan, payload, signal);
      plan.log.debug(`HTTP ${response.status}`, { requestId: response.headers.get("x-amzn-requestid") });
      if (!response.ok) throw await refused(plan, response, at, skewRetried);
      return yield* answer(response, at);
    } catch (raw) {
      if (raw === RESIGN) {
        skewRetried = true;
        attempt--;
        plan.log.warn("the server says the request time is skewed: signing again with its clock");
        continue;
      }
      const error = toBedrockError(raw, timedOut, plan, at);
      const delay = retryAfter(plan, error, attempt, at.delivered);
      if (delay !== undefined) {
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
      if (at.partial) error.partial = at.partial();
      throw error;
    } finally {
      disarm();
      plan.signal?.removeEventListener("abort", onUserAbort);
      abort.abort(FINISHED);
    }
  }
}

/**
 * Whether to retry, and after how long: only a retryable error, only while the caller has seen nothing, within
 * maxRetries and not after the caller's abort. Undefined: give up.
 */
function retryAfter(plan: CallPlan, error: BedrockError, attempt: number, delivered?: boolean) {
  if (!delivered && error.retryable && attempt < plan.maxRetries && !plan.signal?.aborted)
    return retryDelay(attempt, THROTTLING.has(error.name), error.retryAfterMs);
}

/**
 * A non-2xx answer as the error to throw, or RESIGN after a SigV4 "signature expired" 403 whose clock the
 * signer corrected (once per call).
 */
async function refused(
  plan: CallPlan,
  response: Response,
  at: Attempt,
  skewRetried: boolean,
): Promise<unknown> {
  // A redirect (fetch is told not to follow one) is never an answer: it would take the credentials and
  // the prompt to whatever origin it names.
  if (response.status < 400) {
    const location = response.headers.get("location");
    let to = "an undisclosed origin";
    try {
      if (location) to = new URL(location, plan.url).origin;
    } catch {}
    return new BedrockError("RedirectError", `HTTP ${response.status}: redirect to ${to} not followed`, {
      status: response.status,
    });
  }
  const text = await at.text(response);
  if (!skewRetried && response.status === 403 && plan.onAuthError?.(response, text)) return RESIGN;
  const error = await errorFromResponse(response, "request", text);
  const after = retryAfterMs(response.headers.get("retry-after"));
  if (after !== undefined) error.retryAfterMs = after;
  return error;
}

/** Signs the request and sends it, once. */
async function send(plan: CallPlan, payload: string, signal: AbortSignal): Promise<Response> {
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
  // Signed Authorization values join the secrets (the log's too) as they are made.
  const secrets = plan.secrets;
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
  at: Attempt,
): Promise<ReadableStreamReadResult<Uint8Array>> {
  try {
    const result = await abortable(reader.read(), at.signal);
    if (!result.done) at.received += result.value.byteLength;
    return result;
  } catch (error) {
    if (at.signal.aborted || error instanceof BedrockError) throw error;
    const lost = new NetworkError(
      `The connection to ${at.host} was lost while reading the response (${at.received} bytes received): ${describe(error)}`,
      error,
    );
    lost.phase = "stream";
    throw lost;
  }
}

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
  at: Attempt,
): BedrockError {
  let error: BedrockError;
  if (timedOut) error = timedOut;
  else if (plan.signal?.aborted) error = userAbort(plan.signal);
  else if (raw instanceof BedrockError) error = raw;
  else
    error = new BedrockError("UnknownError", `Unexpected failure talking to ${at.host}: ${describe(raw)}`, {
      cause: raw,
    });
  // The phase tells the caller whether it has seen output: "stream" once something was delivered (and
  // `partial` says what), "request" before that, whatever part of the body the failure came from.
  error.phase = at.delivered ? "stream" : "request";
  return scrubError(error, plan.secrets);
}
