// Answers the proxy makes itself, shaped like AWS's rest-json errors so the core client (and the AWS SDKs)
// read them as typed errors: `x-amzn-ErrorType` names the error, the body is `{"message": ...}`.

export type ProxyErrorType =
  | "ValidationException"
  | "UnauthorizedException"
  | "ExpiredTokenException"
  | "ThrottlingException"
  | "ServiceQuotaExceededException"
  | "ServiceUnavailableException"
  | "AccessDeniedException"
  | "UnknownOperationException"
  | "RequestTooLargeException"
  | "BadGatewayException"
  | "InternalServerException";

const STATUS: Record<ProxyErrorType, number> = {
  ValidationException: 400,
  UnauthorizedException: 401,
  ExpiredTokenException: 401,
  ThrottlingException: 429,
  ServiceQuotaExceededException: 429,
  ServiceUnavailableException: 503,
  AccessDeniedException: 403,
  UnknownOperationException: 404,
  RequestTooLargeException: 413,
  BadGatewayException: 502,
  InternalServerException: 500,
};

/** A JSON error response with a fresh request id, so a caller's report can be found in the proxy's logs. */
export function proxyError(type: ProxyErrorType, message: string, headers = new Headers()): Response {
  headers.set("content-type", "application/json");
  headers.set("x-amzn-ErrorType", type);
  headers.set("x-amzn-RequestId", crypto.randomUUID());
  headers.set("cache-control", "no-store");
  return new Response(JSON.stringify({ message }), { status: STATUS[type], headers });
}
