// Troubleshooting hints: what to check for an AWS error code or message. Attached by the full client
// (createBedrock, request, stream) and the package's errorFromResponse; bedrock-edge/core ships without this
// table (about 600 bytes of its 12 KB budget).
import type { BedrockError } from "../errors/index.ts";
import { errorFromResponse } from "./service-errors.ts";

/** The hint for an AWS error, from its name, message and status; undefined when there is nothing to add. */
export function hintFor(code: string, message: string, status?: number): string | undefined {
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
  if (code === "ValidationException" && (m.includes("model identifier") || m.includes("model id"))) {
    return "invalid model id: a full region in front of the id (us-east-1.anthropic...) is not valid; use the plain id or a geo inference profile (us., eu., apac.)";
  }
  if (code === "ValidationException" && m.includes("on-demand throughput")) {
    return 'this model needs an inference profile: set modelIdPrefix: "geo" or use a us./eu./apac. id';
  }
  if (code === "ThrottlingException") return "too many requests or tokens: slow down or raise the quota";
  // ServiceQuotaExceededException (a proxy's daily budget included): the message says until when.
  if (/QuotaExceeded/.test(code)) return `not retried${/ until \S+/.exec(message) ?? ""}`;
  return undefined;
}

/** Sets `hint` (and its "(hint: ...)" in the message) on an error that has none yet and has one to give. */
export function withHint<E>(error: E, hint = hintOf(error)): E {
  const e = error as BedrockError;
  if (!hint || !e || typeof e !== "object" || e.hint !== undefined) return error;
  e.hint = hint;
  e.message = `${e.message} (hint: ${hint})`;
  return error;
}

function hintOf(error: unknown): string | undefined {
  const e = error as BedrockError;
  // The SDK's own errors carry their hint from where they are made; only AWS's codes are looked up here.
  return typeof e?.name === "string" && /Exception$|^HttpError\d/.test(e.name)
    ? hintFor(e.name, e.message, e.status)
    : undefined;
}

/**
 * Maps a non-2xx response to a typed error with its hint; reads the body (bounded) for the message unless
 * given it. The package exports this as `errorFromResponse`.
 */
export async function errorFromResponseWithHint(
  response: Response,
  phase: BedrockError["phase"] = "request",
  bodyText?: string,
): Promise<BedrockError> {
  return withHint(await errorFromResponse(response, phase, bodyText));
}
