/**
 * Every error the SDK throws is a BedrockError. AWS service errors keep AWS's code as `name`
 * (ValidationException, ThrottlingException, ...) so `err.name === "ThrottlingException"` works as with the AWS SDK.
 */

export type ErrorPhase = "config" | "request" | "stream";

export interface BedrockErrorOptions {
  status?: number;
  requestId?: string;
  retryable?: boolean;
  hint?: string;
  phase?: ErrorPhase;
  cause?: unknown;
  /** Byte offset in the response body where a stream error was detected. */
  offset?: number;
}

export class BedrockError extends Error {
  status?: number;
  requestId?: string;
  retryable: boolean;
  hint?: string;
  phase?: ErrorPhase;
  offset?: number;
  /** What had been received before the failure (set by the client on stream failures). */
  partial?: PartialResult;
  /** The server's `Retry-After`, in ms, when it sent one. */
  retryAfterMs?: number;

  constructor(name: string, message: string, options: BedrockErrorOptions = {}) {
    super(options.hint ? `${message} (hint: ${options.hint})` : message, { cause: options.cause });
    this.name = name;
    this.status = options.status;
    this.requestId = options.requestId;
    this.retryable = !!options.retryable;
    this.hint = options.hint;
    this.phase = options.phase;
    this.offset = options.offset;
  }
}

/** What a failed request had received before it failed. */
export interface PartialResult {
  outputText: string;
  toolsToCall: { id: string; name: string; arguments: unknown }[];
  usage?: import("../stream/events.ts").TokenUsage;
  eventsDelivered: number;
}

/** Config that does not validate, with the path of the offending value. */
export class ConfigError extends BedrockError {
  path: string;
  constructor(path: string, message: string) {
    super("ConfigError", path ? `${path}: ${message}` : message, { phase: "config" });
    this.path = path;
  }
}

/** Malformed event-stream bytes: bad CRC, bad length, truncated body. */
export class EventStreamError extends BedrockError {
  constructor(message: string, offset: number) {
    super("EventStreamError", `${message} at byte ${offset}`, { phase: "stream", offset });
  }
}

/** A frame that decodes but whose payload is not the JSON its event type needs. */
export class EventPayloadError extends BedrockError {
  eventType: string;
  constructor(eventType: string, message: string, offset?: number) {
    super(
      "EventPayloadError",
      `${eventType} event: ${message}${offset === undefined ? "" : ` (frame at byte ${offset})`}`,
      {
        phase: "stream",
        offset,
      },
    );
    this.eventType = eventType;
  }
}

/** A body that ended before the stream said it was complete. */
export const incompleteStream = (message: string) =>
  new BedrockError("IncompleteStreamError", message, { phase: "stream" });

/** The caller aborted, or a timeout fired. */
export class AbortError extends BedrockError {
  constructor(message = "The request was aborted", options: BedrockErrorOptions = {}) {
    super("AbortError", message, options);
  }
}

export class TimeoutError extends BedrockError {
  /** Which timeout fired: "firstByteTimeoutMs", "idleTimeoutMs" or the call's overall "timeoutMs". */
  timeout: "firstByteTimeoutMs" | "idleTimeoutMs" | "timeoutMs";
  constructor(timeout: TimeoutError["timeout"], ms: number, phase: ErrorPhase) {
    super(
      "TimeoutError",
      `${{ firstByteTimeoutMs: "No response within", idleTimeoutMs: "No data for", timeoutMs: "The call did not finish within" }[timeout]} ${ms} ms (${timeout})`,
      // The overall deadline is spent: retrying could not help.
      { retryable: timeout !== "timeoutMs", phase },
    );
    this.timeout = timeout;
  }
}

/** Network failure before any response (DNS, refused connection, reset). */
export class NetworkError extends BedrockError {
  constructor(message: string, cause: unknown, hint?: string) {
    super("NetworkError", message, { retryable: true, phase: "request", cause, hint });
  }
}

const RETRYABLE_CODES = new Set([
  "ThrottlingException",
  "ServiceUnavailableException",
  "InternalServerException",
  "ModelNotReadyException",
]);

const STATUS_CODES: Record<number, string> = {
  400: "ValidationException",
  401: "UnauthorizedException",
  403: "AccessDeniedException",
  404: "ResourceNotFoundException",
  408: "ModelTimeoutException",
  413: "RequestTooLargeException",
  424: "ModelErrorException",
  429: "ThrottlingException",
  500: "InternalServerException",
  502: "BadGatewayException",
  503: "ServiceUnavailableException",
  504: "GatewayTimeoutException",
};

/** Event-stream exception types are camelCase (throttlingException): AWS's class name is capitalised. */
const awsName = (code: string) => code.charAt(0).toUpperCase() + code.slice(1);

/** Retryable as the AWS SDKs define it: throttling, transient server errors, 408/429/5xx. */
export function isRetryable(code: string, status?: number): boolean {
  if (RETRYABLE_CODES.has(awsName(code))) return true;
  // A spent quota or budget (429 too) comes back only at its reset: retrying now cannot help.
  return status === 408 || (status === 429 && !/Quota/.test(code)) || (status! > 499 && status !== 501);
}

function hintFor(code: string, message: string, status?: number): string | undefined {
  const m = message.toLowerCase();
  if (code === "ExpiredTokenException" || m.includes("expired")) {
    return "the key or session token has expired: create a new one (short-term Bedrock API keys last at most 12 hours)";
  }
  if (
    code === "UnrecognizedClientException" ||
    m.includes("security token") ||
    m.includes("invalid api key")
  ) {
    return "the key is not valid: check BEDROCK_API_KEY / AWS_BEARER_TOKEN_BEDROCK or the config's `key`";
  }
  if (code === "AccessDeniedException" || status === 403) {
    // "... is not allowed by this proxy": the signing proxy's allow-lists, nothing to do with IAM.
    if (m.includes("this proxy")) return;
    if (m.includes("model")) return "request access to this model in the Bedrock console for this region";
    return "missing or wrong key, or the IAM identity lacks bedrock:InvokeModel / bedrock:CallWithBearerToken";
  }
  if (code === "UnknownOperationException") {
    return "the URL path is not a Bedrock operation: an ARN model id must be percent-encoded, and a proxy must forward /converse and /converse-stream";
  }
  if (code === "ResourceNotFoundException" || status === 404) {
    return "wrong region or model id, or a proxy that does not serve this path: check `region` and `url`";
  }
  if (code === "ValidationException" && m.includes("model id")) {
    return "invalid model id: a full region in front of the id (us-east-1.anthropic...) is not valid; use the plain id or a geo inference profile (us., eu., apac.)";
  }
  if (code === "ValidationException" && m.includes("on-demand throughput")) {
    return 'this model needs an inference profile: set modelIdPrefix: "geo" or use a us./eu./apac. id';
  }
  if (code === "ThrottlingException") return "too many requests or tokens: slow down or raise the quota";
  // ServiceQuotaExceededException (a proxy's daily budget included): the message says until when.
  if (/Quota/.test(code)) return `not retried${/ until \S+/.exec(message) ?? ""}`;
}

/** Builds the typed error for an AWS error code (from `x-amzn-ErrorType`, the body or the status). */
export function serviceError(
  code: string,
  message: string,
  options: { status?: number; requestId?: string; phase?: ErrorPhase; cause?: unknown } = {},
): BedrockError {
  const name = awsName(code);
  return new BedrockError(name, message || name, {
    ...options,
    retryable: isRetryable(name, options.status),
    hint: hintFor(name, message, options.status),
  });
}

/** `x-amzn-ErrorType: ThrottlingException:http://internal.amazon.com/...` -> `ThrottlingException`. */
export function errorCodeFromHeader(value: string | null): string | undefined {
  return value?.split(":")[0].trim() || undefined;
}

/** The request id AWS returns in `x-amzn-requestid`, for support cases. */
export function requestIdOf(response: Response): string | undefined {
  return response.headers.get("x-amzn-requestid") ?? undefined;
}

/** An error's message, with its cause's when it has one (fetch failures hide the reason in `cause`). */
export function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
}

/** The most of an error body (or of a body of the wrong type) read for its message; past it: an error. */
export const MAX_ERROR_BODY_BYTES = 2 ** 20;

/**
 * An error body as text, read up to MAX_ERROR_BODY_BYTES: a longer one is cancelled there and is a
 * ResponseTooLargeError that says so, never buffered whole. `read` reads a chunk (the client times it).
 */
export async function readErrorBody(
  response: Response,
  read = (reader: ReadableStreamDefaultReader<Uint8Array>) => reader.read(),
): Promise<string> {
  const reader = response.body?.getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    for (let size = 0; reader; ) {
      const { done, value } = await read(reader);
      if (done) break;
      // biome-ignore lint/suspicious/noAssignInExpressions: count-then-compare, the shortest form (bundle budget)
      if ((size += value.byteLength) > MAX_ERROR_BODY_BYTES)
        throw new BedrockError(
          "ResponseTooLargeError",
          `HTTP ${response.status}: the body passed ${MAX_ERROR_BODY_BYTES} bytes and was cut off there`,
          { status: response.status, requestId: requestIdOf(response) },
        );
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    reader?.cancel().catch(() => {});
  }
  return text;
}

/** Maps a non-2xx response to a typed error; reads the body (bounded) for the message unless given it. */
export async function errorFromResponse(
  response: Response,
  phase: ErrorPhase = "request",
  bodyText?: string,
): Promise<BedrockError> {
  const requestId = requestIdOf(response);
  let text = bodyText ?? "";
  if (bodyText === undefined) {
    try {
      text = await readErrorBody(response);
    } catch (error) {
      // Too long: that is the error. Unreadable: the status still says enough.
      if (error instanceof BedrockError) return error;
    }
  }
  text = text.slice(0, 4096);
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {}
  // Coral answers some errors as `{"__type": "...#Code"}`, or wrapped in `{"Output": {...}}`.
  const type = body?.__type ?? body?.Output?.__type;
  const code =
    errorCodeFromHeader(response.headers.get("x-amzn-errortype")) ??
    errorCodeFromHeader(typeof type === "string" ? type.split("#").pop()! : null) ??
    STATUS_CODES[response.status] ??
    `HttpError${response.status}`;
  let message: string = body?.message ?? body?.Message ?? "";
  if (!message) {
    const isHtml = /^\s*</.test(text);
    message = isHtml
      ? `HTTP ${response.status} with an HTML page (a proxy or gateway answered, not Bedrock)`
      : `HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ""}`;
  }
  return serviceError(code, message, { status: response.status, requestId, phase });
}

const REDACTED = "[redacted]";

export function scrubText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4 && out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}

/**
 * Removes every secret from an error before it reaches the caller: message, stack (captured with the first
 * message), string properties, and the cause chain (a cause that mentions a secret becomes a plain Error with
 * the secret redacted). Values shorter than 4 characters are not treated as secrets.
 */
export function scrubError<E extends Error>(error: E, secrets: readonly string[]): E {
  const list = secrets.filter((s) => typeof s === "string" && s.length >= 4);
  if (list.length === 0) return error;
  const target = error as unknown as Record<string, unknown>;
  for (const key of Object.getOwnPropertyNames(error)) {
    if (key === "cause") continue;
    const value = target[key];
    if (typeof value === "string") target[key] = scrubText(value, list);
  }
  let cause = error.cause;
  let holder: { cause?: unknown } = error;
  for (let depth = 0; cause !== undefined && cause !== null && depth < 8; depth++) {
    const text =
      cause instanceof Error
        ? `${cause.message}\n${cause.stack ?? ""}\n${safeString(cause)}`
        : safeString(cause);
    if (list.some((s) => text.includes(s))) {
      const name = cause instanceof Error ? cause.name : "Error";
      const clean = new Error(scrubText(cause instanceof Error ? cause.message : safeString(cause), list));
      clean.name = name;
      clean.stack = `${name}: ${clean.message}`;
      holder.cause = clean;
      break;
    }
    if (!(cause instanceof Error)) break;
    holder = cause;
    cause = cause.cause;
  }
  return error;
}

function safeString(value: unknown): string {
  try {
    return typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    return String(value);
  }
}
