import { sortedJson, utf8 } from "../wire/json.ts";

/** HTTP status of every Bedrock Runtime error code, from the service model. */
export const ERROR_STATUS = {
  ValidationException: 400,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ModelTimeoutException: 408,
  ModelErrorException: 424,
  ModelStreamErrorException: 424,
  ThrottlingException: 429,
  ModelNotReadyException: 429,
  ServiceQuotaExceededException: 400,
  ConflictException: 400,
  InternalServerException: 500,
  ServiceUnavailableException: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_STATUS, code);
}

/** Default message per code, worded like Bedrock's. */
const DEFAULT_MESSAGES: Record<ErrorCode, string> = {
  ValidationException: "The request failed validation.",
  AccessDeniedException: "You don't have access to the model with the specified model ID.",
  ResourceNotFoundException: "The specified resource was not found.",
  ModelTimeoutException: "Model has timed out in processing the request. Try your request again.",
  ModelErrorException: "The model returned an error while processing the request.",
  ModelStreamErrorException: "The model stream failed. Try your request again.",
  ThrottlingException: "Too many requests, please wait before trying again.",
  ModelNotReadyException: "Model is not ready for inference. Wait and try your request again.",
  ServiceQuotaExceededException: "Your request exceeds the service quota for your account.",
  ConflictException: "The request conflicts with the current state of the resource.",
  InternalServerException:
    "The system encountered an unexpected error during processing. Try your request again.",
  ServiceUnavailableException: "The service isn't currently available. Try again later.",
};

export function defaultMessage(code: ErrorCode): string {
  return DEFAULT_MESSAGES[code];
}

/**
 * An error the emulator answers with, as Bedrock would. Throw it from a custom `model` responder to make
 * the emulator reply with that error (`extra` adds members such as `originalStatusCode`).
 */
export class EmulatorError extends Error {
  /** An ErrorCode, or any other code (e.g. ExpiredTokenException) with an explicit status. */
  readonly code: string;
  readonly status: number;
  readonly extra: Record<string, unknown>;
  constructor(
    code: ErrorCode | (string & {}),
    message?: string,
    options?: { status?: number; extra?: Record<string, unknown> },
  ) {
    const known = isErrorCode(code);
    super(message ?? (known ? defaultMessage(code) : `${code} (emulated)`));
    this.name = "EmulatorError";
    this.code = code;
    this.status = options?.status ?? (known ? ERROR_STATUS[code] : 500);
    this.extra = options?.extra ?? {};
  }
}

export function validationError(message: string): EmulatorError {
  return new EmulatorError("ValidationException", message);
}

// Bedrock's own errors carry its namespace; the front end's (ExpiredTokenException, ...) the coral one.
const BEDROCK_NAMESPACE = "http://internal.amazon.com/coral/com.amazon.bedrock/";
const CORAL_NAMESPACE = "http://internal.amazon.com/coral/com.amazon.coral.service/";

/** An error response in Bedrock's rest-json shape: `x-amzn-ErrorType` header and `{"message": ...}` body. */
export function errorResponse(error: EmulatorError, headers: Headers): Response {
  const body = utf8.encode(sortedJson({ ...error.extra, message: error.message }));
  headers.set("content-type", "application/json");
  headers.set("content-length", String(body.byteLength));
  headers.set(
    "x-amzn-ErrorType",
    `${error.code}:${isErrorCode(error.code) ? BEDROCK_NAMESPACE : CORAL_NAMESPACE}`,
  );
  return new Response(body, { status: error.status, headers });
}

/** What Bedrock's front end answers for a path or method it has no operation for (recorded). */
export function unknownOperationResponse(headers: Headers): Response {
  const body = utf8.encode(
    JSON.stringify({
      Output: { __type: "com.amazon.coral.service#UnknownOperationException" },
      Version: "1.0",
    }),
  );
  headers.set("content-type", "application/json");
  headers.set("content-length", String(body.byteLength));
  headers.set("x-amzn-ErrorType", `UnknownOperationException:${CORAL_NAMESPACE}`);
  return new Response(body, { status: 404, headers });
}

/** A bare gateway-style error without Bedrock's error headers (e.g. a 502 from a proxy). */
export function plainErrorResponse(status: number, headers: Headers): Response {
  const body = utf8.encode(`${status} Error\n`);
  headers.set("content-type", "text/plain; charset=utf-8");
  headers.set("content-length", String(body.byteLength));
  return new Response(body, { status, headers });
}
