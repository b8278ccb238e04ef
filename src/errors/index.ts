/**
 * Every error the SDK throws is a BedrockError, and every one is made here: the bottom of the dependency graph
 * (it imports types only). AWS service errors keep AWS's code as `name` (ValidationException,
 * ThrottlingException, ...) so `err.name === "ThrottlingException"` works as with the AWS SDK; the SDK's own
 * errors each have a class. Reading error responses and the troubleshooting hints live in the client
 * (src/client/service-errors.ts, src/client/hints.ts); removing secrets from errors in ./scrub.ts.
 */
import type { TokenUsage } from "../types/events.ts";

export type ErrorPhase = "config" | "request" | "stream";

/** The names of the SDK's own errors, one class each below. */
export type SdkErrorName =
  | "AbortError"
  | "ConfigError"
  | "CredentialsError"
  | "EventPayloadError"
  | "EventStreamError"
  | "IncompleteStreamError"
  | "MediaFormatError"
  | "MissingCredentialsError"
  | "NetworkError"
  | "RedirectError"
  | "RequestError"
  | "ResponseShapeError"
  | "ResponseTooLargeError"
  | "StructuredOutputError"
  | "TimeoutError"
  | "UnexpectedResponseError"
  | "UnknownError";

/**
 * AWS error codes a Bedrock Runtime call can answer with: the service model's exceptions (checked against
 * test/fixtures/service-model by test/errors/names.test.ts), the codes of its auth and routing layers, and
 * the names the client gives a bare HTTP status.
 */
export const AWS_ERROR_NAMES = [
  "AccessDeniedException",
  "BadGatewayException",
  "ConflictException",
  "ExpiredTokenException",
  "GatewayTimeoutException",
  "InternalServerException",
  "ModelErrorException",
  "ModelNotReadyException",
  "ModelStreamErrorException",
  "ModelTimeoutException",
  "RequestTooLargeException",
  "ResourceNotFoundException",
  "ServiceQuotaExceededException",
  "ServiceUnavailableException",
  "ThrottlingException",
  "UnauthorizedException",
  "UnknownOperationException",
  "UnrecognizedClientException",
  "ValidationException",
] as const;

export type AwsErrorName = (typeof AWS_ERROR_NAMES)[number];

/**
 * Every `name` a BedrockError can have, so `switch (error.name)` narrows and a typo is a type error. A code
 * AWS adds later arrives as it is (`${string}Exception`); a status with no known code is `HttpError<status>`.
 */
export type BedrockErrorName = SdkErrorName | AwsErrorName | `${string}Exception` | `HttpError${number}`;

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

/** What a failed request had received before it failed. */
export interface PartialResult {
  outputText: string;
  toolsToCall: { id: string; name: string; arguments: unknown }[];
  usage?: TokenUsage;
  eventsDelivered: number;
}

export class BedrockError extends Error {
  declare name: BedrockErrorName;
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

  constructor(name: BedrockErrorName, message: string, options: BedrockErrorOptions = {}) {
    super(options.hint ? `${message} (hint: ${options.hint})` : message, { cause: options.cause });
    this.name = name;
    this.status = options.status;
    this.requestId = options.requestId;
    this.retryable = options.retryable ?? false;
    this.hint = options.hint;
    this.phase = options.phase;
    this.offset = options.offset;
  }
}

// ---- config and request input: nothing was sent ----

/** Config that does not validate, with the path of the offending value. */
export class ConfigError extends BedrockError {
  declare name: "ConfigError";
  path: string;
  constructor(path: string, message: string) {
    super("ConfigError", path ? `${path}: ${message}` : message, { phase: "config" });
    this.path = path;
  }
}

/** Where credentials were looked for, in order (names only, never values). */
export const CREDENTIAL_SOURCES = [
  "options.key",
  "options.credentials",
  "env AWS_BEARER_TOKEN_BEDROCK",
  "env BEDROCK_API_KEY",
  "env AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN)",
];

/** No key and no AWS credentials anywhere `resolveAuth` looks. */
export class MissingCredentialsError extends BedrockError {
  declare name: "MissingCredentialsError";
  readonly lookedFor = CREDENTIAL_SOURCES;
  constructor(detail = "") {
    super(
      "MissingCredentialsError",
      `No Bedrock credentials found. Looked for, in order: ${CREDENTIAL_SOURCES.join("; ")}.${detail}`,
      { phase: "config" },
    );
  }
}

/** Messages, tools or options that cannot become a Converse request; `path` says where. */
export class RequestError extends BedrockError {
  declare name: "RequestError";
  path: string;
  constructor(path: string, message: string) {
    super("RequestError", `${path}: ${message}`, { phase: "config" });
    this.path = path;
  }
}

export type MediaKind = "image" | "document" | "video";

/** Media input that cannot become a content block: `field` says which part was wrong. */
export class MediaFormatError extends BedrockError {
  declare name: "MediaFormatError";
  media: MediaKind;
  field: "source" | "format" | "name";
  constructor(media: MediaKind, field: "source" | "format" | "name", message: string) {
    super("MediaFormatError", `${media} ${field}: ${message}`, { phase: "config" });
    this.media = media;
    this.field = field;
  }
}

// ---- the request: sending, signing, waiting ----

/** The caller aborted, or a timeout fired. */
export class AbortError extends BedrockError {
  constructor(message = "The request was aborted", options: BedrockErrorOptions = {}) {
    super("AbortError", message, options);
  }
}

export class TimeoutError extends BedrockError {
  declare name: "TimeoutError";
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
  declare name: "NetworkError";
  constructor(message: string, cause: unknown, hint?: string) {
    super("NetworkError", message, { retryable: true, phase: "request", cause, hint });
  }
}

/** The `auth` signer or the credentials provider failed. */
export class CredentialsError extends BedrockError {
  declare name: "CredentialsError";
  constructor(message: string, options: BedrockErrorOptions = {}) {
    super("CredentialsError", message, options);
  }
}

/** A failure that is none of the others (a bug, or a runtime's surprise); `cause` holds the original. */
export class UnknownError extends BedrockError {
  declare name: "UnknownError";
  constructor(message: string, options: BedrockErrorOptions = {}) {
    super("UnknownError", message, options);
  }
}

// ---- the response ----

/** A 3xx: fetch is told not to follow redirects, as one would take the credentials elsewhere. */
export class RedirectError extends BedrockError {
  declare name: "RedirectError";
  constructor(message: string, options: BedrockErrorOptions = {}) {
    super("RedirectError", message, options);
  }
}

/** A 200 whose body is not what the operation answers (JSON or HTML where an event stream was expected). */
export class UnexpectedResponseError extends BedrockError {
  declare name: "UnexpectedResponseError";
  constructor(message: string, options: BedrockErrorOptions = {}) {
    super("UnexpectedResponseError", message, options);
  }
}

/** A body, an error body or an answer past the size the client reads. */
export class ResponseTooLargeError extends BedrockError {
  declare name: "ResponseTooLargeError";
  constructor(message: string, options: BedrockErrorOptions = {}) {
    super("ResponseTooLargeError", message, options);
  }
}

/** A Converse JSON response that is not the shape the service model gives it. */
export class ResponseShapeError extends BedrockError {
  declare name: "ResponseShapeError";
  constructor(message: string, options: BedrockErrorOptions = {}) {
    super("ResponseShapeError", message, options);
  }
}

/** Malformed event-stream bytes: bad CRC, bad length, truncated body. */
export class EventStreamError extends BedrockError {
  declare name: "EventStreamError";
  constructor(message: string, offset: number) {
    super("EventStreamError", `${message} at byte ${offset}`, { phase: "stream", offset });
  }
}

/** A frame that decodes but whose payload is not the JSON its event type needs. */
export class EventPayloadError extends BedrockError {
  declare name: "EventPayloadError";
  eventType: string;
  constructor(eventType: string, message: string, offset?: number) {
    super(
      "EventPayloadError",
      `${eventType} event: ${message}${offset === undefined ? "" : ` (frame at byte ${offset})`}`,
      { phase: "stream", offset },
    );
    this.eventType = eventType;
  }
}

/** A body that ended before the stream said it was complete. */
export class IncompleteStreamError extends BedrockError {
  declare name: "IncompleteStreamError";
  constructor(message: string) {
    super("IncompleteStreamError", message, { phase: "stream" });
  }
}

export interface SchemaIssue {
  /** Where in the value, as a JSON path: `$`, `$.city`, `$.items[2]`. */
  path: string;
  message: string;
}

/** The model's text is not JSON, or not JSON that matches the schema. */
export class StructuredOutputError extends BedrockError {
  declare name: "StructuredOutputError";
  /** The model's text, as received. */
  text: string;
  /** What did not match (empty when the text is not JSON at all). */
  issues: SchemaIssue[];
  /** The parsed value, when the text was JSON. */
  value?: unknown;
  stopReason: string;
  constructor(text: string, issues: SchemaIssue[], stopReason: string, value?: unknown, parseError?: string) {
    const why = parseError
      ? `the model's text is not JSON (${parseError})`
      : `the model's JSON does not match the schema: ${issues
          .slice(0, 5)
          .map((i) => `${i.path}: ${i.message}`)
          .join("; ")}${issues.length > 5 ? ` (and ${issues.length - 5} more)` : ""}`;
    const cut =
      stopReason === "end_turn"
        ? ""
        : ` (stopReason ${stopReason}${stopReason === "max_tokens" ? ": the answer was cut short, raise maxTokens" : ""})`;
    super("StructuredOutputError", `${why}${cut}`, { phase: "stream" });
    this.text = text;
    this.issues = issues;
    this.value = value;
    this.stopReason = stopReason;
  }
}

// ---- AWS service errors: a BedrockError named by AWS's code ----

const RETRYABLE_CODES = new Set([
  "ThrottlingException",
  "ServiceUnavailableException",
  "InternalServerException",
  "ModelNotReadyException",
]);

/** Event-stream exception types are camelCase (throttlingException): AWS's class name is capitalised. */
const awsName = (code: string) => (code.charAt(0).toUpperCase() + code.slice(1)) as BedrockErrorName;

/** Retryable as the AWS SDKs define it: throttling, transient server errors, 408/429/5xx. */
export function isRetryable(code: string, status?: number): boolean {
  if (RETRYABLE_CODES.has(awsName(code))) return true;
  // A spent quota or budget (429 too) comes back only at its reset: retrying now cannot help.
  return (
    status === 408 || (status === 429 && !/QuotaExceeded/.test(code)) || (status! > 499 && status !== 501)
  );
}

/**
 * The typed error for an AWS error code (from `x-amzn-ErrorType`, a body, a status or a stream exception).
 * No hint here: the full client adds one (src/client/hints.ts), the core client goes without the table.
 */
export function serviceError(
  code: string,
  message: string,
  options: { status?: number; requestId?: string; phase?: ErrorPhase; cause?: unknown } = {},
): BedrockError {
  const name = awsName(code);
  return new BedrockError(name, message || name, {
    ...options,
    retryable: isRetryable(name, options.status),
  });
}
