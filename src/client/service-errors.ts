// Reading an AWS error response: the code (header, body or status), the message, the request id, and a body
// read with a cap. The hints that say what to check live in ./hints.ts, attached by the full client only.
import { BedrockError, type ErrorPhase, ResponseTooLargeError, serviceError } from "../errors/index.ts";

/** The AWS code a bare status stands for, when neither the header nor the body names one. */
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

/** `x-amzn-ErrorType: ThrottlingException:http://internal.amazon.com/...` -> `ThrottlingException`. */
export function errorCodeFromHeader(value: string | null): string | undefined {
  if (!value) return undefined;
  const code = value.split(":")[0].trim();
  return code || undefined;
}

/** The request id AWS returns in `x-amzn-requestid`, for support cases. */
export function requestIdOf(response: Response): string | undefined {
  return response.headers.get("x-amzn-requestid") ?? undefined;
}

/** An error's message, with its cause's when it has one (fetch failures hide the reason in `cause`). */
export function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
  return `${error.message}${cause}`;
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
  let size = 0;
  try {
    while (reader) {
      const { done, value } = await read(reader);
      if (done) break;
      size += value.byteLength;
      if (size > MAX_ERROR_BODY_BYTES)
        throw new ResponseTooLargeError(
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

/**
 * Maps a non-2xx response to a typed error; reads the body (bounded) for the message unless given it. No
 * hint: the core client's; the full client and the package's `errorFromResponse` add one (./hints.ts).
 */
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
  } catch {
    body = undefined;
  }
  // Coral answers some errors as `{"__type": "...#Code"}`, or wrapped in `{"Output": {...}}`.
  const type = body?.__type ?? body?.Output?.__type;
  const fromBody = typeof type === "string" ? errorCodeFromHeader(type.split("#").pop()!) : undefined;
  const code =
    errorCodeFromHeader(response.headers.get("x-amzn-errortype")) ??
    fromBody ??
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
