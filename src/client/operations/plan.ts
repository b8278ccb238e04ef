// What every operation beyond Converse shares: a call plan from the client's config (auth, endpoint, retries,
// timeouts, logging, scrubbing: the same as Converse's), and a reader for a JSON answer on the transport.

import { resolveModel } from "../../config/resolve.ts";
import { buildEndpoint, DEFAULT_REGION } from "../../endpoint/build.ts";
import {
  type BedrockError,
  ResponseShapeError,
  ResponseTooLargeError,
  UnexpectedResponseError,
} from "../../errors/index.ts";
import { scrubError } from "../../errors/scrub.ts";
import { checkKeys } from "../../request/objects.ts";
import { type Attempt, type CallPlan, runCall } from "../call.ts";
import { authFor, type ConfigInput, resolved, secretsOf } from "../create.ts";
import { requestIdOf } from "../service-errors.ts";
import { type TransportSettings, transportPlan } from "../transport.ts";

/** The call options every operation takes: transport settings, an abort signal, extra headers. */
export interface OperationOptions extends TransportSettings {
  signal?: AbortSignal;
}

/** Options of an operation on a model: which model (an alias of the config or a Bedrock model id). */
export interface ModelOperationOptions extends OperationOptions {
  model?: string;
}

/** The option keys every operation takes (the transport's, the signal, the model). */
export const OPERATION_KEYS = [
  "model",
  "signal",
  "logLevel",
  "maxRetries",
  "firstByteTimeoutMs",
  "idleTimeoutMs",
  "timeoutMs",
  "headers",
] as const;

/** A typo in an option is a RequestError naming it, as for `request`, never a silently ignored setting. */
export function checkOptions(options: object, extra: readonly string[] = []): void {
  checkKeys(options as Record<string, unknown>, [...OPERATION_KEYS, ...extra], "options");
}

/** The largest JSON answer read (far above any answer Bedrock sends); past it, a ResponseTooLargeError. */
export const MAX_JSON_ANSWER_BYTES = 64 * 1024 * 1024;

/**
 * A plan for `operation` on a model: `{endpoint}/model/{id}/{operation}` (or `{url}/{id}/{operation}` through a
 * proxy), with the config's auth and transport. `modelName` is the id the model resolved to.
 */
export function planModelOperation(
  config: ConfigInput,
  operation: string,
  options: ModelOperationOptions,
  body: Record<string, unknown>,
  stream = false,
): CallPlan & { modelName: string } {
  const c = resolved(config);
  const model = resolveModel(c, options.model);
  const url = buildEndpoint(c, model.modelName).replace(/converse-stream$/, operation);
  const plan = planOperation(c, url, options, body, stream, model.extraHeaders);
  return { ...plan, modelName: model.modelName };
}

/** A plan for any URL of the client's endpoint, with the config's auth and transport. */
export function planOperation(
  config: ConfigInput,
  url: string,
  options: OperationOptions,
  body: Record<string, unknown>,
  stream: boolean,
  extraHeaders?: Record<string, string>,
): CallPlan {
  const c = resolved(config);
  const secrets = secretsOf(c);
  try {
    const transport = transportPlan(
      extraHeaders ? { ...c, headers: { ...c.headers, ...extraHeaders } } : c,
      options,
      authFor(c, secrets),
      secrets,
      c.env,
    );
    return { url, body, stream, ...transport };
  } catch (error) {
    throw error instanceof Error ? scrubError(error, secrets) : error;
  }
}

/** The base URL of the client's endpoint (a proxy's `url`, or the region's Bedrock Runtime host). */
export function endpointBase(config: ConfigInput): string {
  const c = resolved(config);
  if (c.url) return c.url.endsWith("/") ? c.url.slice(0, -1) : c.url;
  return `https://bedrock-runtime.${c.region || DEFAULT_REGION}.amazonaws.com`;
}

/** A JSON answer, parsed, with the response it came in (for headers). */
export interface JsonAnswer {
  json: unknown;
  response: Response;
}

/** Reads a 2xx JSON answer under the transport's idle timer, with a cap; a body that is not JSON is a typed error. */
export async function* readJsonAnswer(response: Response, at: Attempt): AsyncGenerator<never, JsonAnswer> {
  let text = "";
  if (response.body) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await at.read(reader);
        if (done) break;
        if (at.received > MAX_JSON_ANSWER_BYTES)
          throw new ResponseTooLargeError(
            `The answer is larger than ${MAX_JSON_ANSWER_BYTES} bytes: not read further`,
            { status: response.status, requestId: requestIdOf(response) },
          );
        text += decoder.decode(value, { stream: true });
      }
      text += decoder.decode();
    } finally {
      reader.cancel().catch(() => {});
    }
  }
  try {
    return { json: JSON.parse(text), response };
  } catch (error) {
    const type = response.headers.get("content-type") || "no content type";
    throw new UnexpectedResponseError(
      `Expected a JSON answer from ${new URL(response.url || "http://x/").pathname} but got ${type}` +
        (/^\s*</.test(text)
          ? " with an HTML page"
          : text
            ? `: ${JSON.stringify(text.slice(0, 200))}`
            : " with an empty body"),
      { status: response.status, requestId: requestIdOf(response), cause: error },
    );
  }
}

/** Runs a plan whose answer is one JSON document. */
export async function callJson(plan: CallPlan): Promise<JsonAnswer> {
  const run = runCall(plan, readJsonAnswer);
  const step = await run.next();
  return step.value as JsonAnswer;
}

/** An answer that lacks what the service model requires: a typed error naming what is missing. */
export function shapeError(what: string, answer: JsonAnswer): BedrockError {
  return new ResponseShapeError(`The answer is not the expected shape: ${what}`, {
    status: answer.response.status,
    requestId: requestIdOf(answer.response),
  });
}
