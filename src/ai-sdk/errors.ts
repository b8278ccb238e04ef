// Our typed errors to the AI SDK's error classes, so its retry logic and its users see what they expect:
// APICallError (isRetryable, status, response headers and body) for everything the call itself ran into.
import {
  APICallError,
  InvalidArgumentError,
  InvalidPromptError,
  InvalidResponseDataError,
  LoadAPIKeyError,
  LoadSettingError,
} from "@ai-sdk/provider";
import { BedrockError } from "../index.ts";

/** What the call knew when it failed: its URL and body, the last response's headers and (error) body. */
export interface CallRecord {
  url: string;
  body: unknown;
  headers?: Record<string, string>;
  errorBody?: Promise<string | undefined>;
}

/** The user's own abort: passed through as is (named AbortError or TimeoutError), as fetch does. */
export const isUserAbort = (error: unknown, signal: AbortSignal | undefined) =>
  !!signal?.aborted &&
  error instanceof BedrockError &&
  (error.name === "AbortError" || error.name === "TimeoutError");

export async function toSpecError(
  error: unknown,
  call: CallRecord | undefined,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  if (!(error instanceof BedrockError) || isUserAbort(error, signal)) return error;
  const path = (error as { path?: unknown }).path;
  if (error.name === "RequestError") {
    return typeof path === "string" && path.startsWith("messages")
      ? new InvalidPromptError({ prompt: call?.body, message: error.message, cause: error })
      : new InvalidArgumentError({
          argument: typeof path === "string" ? path : "options",
          message: error.message,
          cause: error,
        });
  }
  if (
    error.name === "MissingCredentialsError" ||
    error.name === "CredentialsError" ||
    (error.name === "ConfigError" && (path === "key" || path === "credentials"))
  ) {
    const e = new LoadAPIKeyError({ message: error.message });
    (e as { cause?: unknown }).cause = error;
    return e;
  }
  if (error.name === "ConfigError") {
    const e = new LoadSettingError({ message: error.message });
    (e as { cause?: unknown }).cause = error;
    return e;
  }
  if (error.name === "EventStreamError" || error.name === "EventPayloadError") {
    const e = new InvalidResponseDataError({
      data: { name: error.name, offset: error.offset },
      message: error.message,
    });
    (e as { cause?: unknown }).cause = error;
    return e;
  }
  const responseBody =
    error.status !== undefined && error.phase !== "stream" ? await call?.errorBody : undefined;
  return new APICallError({
    message: error.message,
    url: call?.url ?? "",
    requestBodyValues: call?.body,
    statusCode: error.status,
    responseHeaders: call?.headers,
    responseBody,
    cause: error,
    isRetryable: error.retryable,
    data: {
      name: error.name,
      ...(error.requestId !== undefined && { requestId: error.requestId }),
      ...(error.retryAfterMs !== undefined && { retryAfterMs: error.retryAfterMs }),
      ...(error.phase !== undefined && { phase: error.phase }),
      ...(error.partial !== undefined && { partial: error.partial }),
    },
  });
}

const ERROR_BODY_CAP = 64 * 1024;

/** An error response's body, read from a clone with a cap (the client reads the original for its message). */
export async function errorBodyOf(response: Response): Promise<string | undefined> {
  const reader = response.body?.getReader();
  if (!reader) return undefined;
  const decoder = new TextDecoder();
  let text = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (text.length > ERROR_BODY_CAP) {
        text = text.slice(0, ERROR_BODY_CAP);
        break;
      }
    }
    return text + decoder.decode();
  } catch {
    return text || undefined;
  } finally {
    reader.cancel().catch(() => {});
  }
}
