import { bearerAuthorizer } from "../auth/bearer.ts";
import type { Authorizer } from "../auth/types.ts";
import { endpointUrl } from "../endpoint/build.ts";
import { ConfigError, RequestError } from "../errors/index.ts";
import { scrubError } from "../errors/scrub.ts";
import type { ConverseStreamRequest } from "../types/converse.ts";
import { type ChatEventStream, drain, eventStream, type OpenCall } from "./deliver.ts";
import type { ConverseResult } from "./options.ts";
import { resultOf } from "./result.ts";
import { runConverse } from "./run.ts";
import { type ClientTransport, type TransportSettings, transportPlan } from "./transport.ts";

/** The core client's config: where to send, how to sign, how to send. Nothing is read from the environment. */
export interface CoreConfig extends ClientTransport {
  /** A Bedrock API key (sent as `Authorization: Bearer`), or a signing proxy's token. */
  key?: string;
  /** Signs each request instead: `createSigV4Authorizer` from `bedrock-edge/sigv4`, or your own. */
  auth?: Authorizer;
  /** AWS region (default us-east-1). */
  region?: string;
  /** A proxy's base URL instead of the AWS endpoint: `{url}/{modelId}/converse-stream`. */
  url?: string;
}

/**
 * A Converse request in AWS's wire shape, with the model it is for. `modelId` is sent as given (no
 * `modelIdPrefix`): a model id, an inference profile such as `us.anthropic...`, or an ARN.
 */
export type ConverseInput = ConverseStreamRequest & { modelId: string };

export interface CoreCallOptions extends TransportSettings {
  signal?: AbortSignal;
}

export interface ConverseClient {
  /** One ConverseStream call, read to the end: the whole result, tool calls accumulated and parsed. */
  request(input: ConverseInput, options?: CoreCallOptions): Promise<ConverseResult>;
  /** One call as chat events (text, reasoning, tool-call-delta, tool-call, usage, finish, ...), as they arrive. */
  stream(input: ConverseInput, options?: CoreCallOptions): ChatEventStream;
}

/**
 * The core client: ConverseStream requests in AWS's own shape (as the AWS SDK's ConverseStreamCommand takes
 * them), the same pipeline, retries, timeouts and typed errors as `createBedrock`, and nothing else: no config
 * documents, message shorthands, callbacks, non-streamed `/converse`, structured-output checks or `partial`
 * tool-input snapshots. It is what a Worker or a page ships when size matters.
 */
export function createConverseClient(config: CoreConfig): ConverseClient {
  const secrets = typeof config.key === "string" && config.key.length >= 4 ? [config.key] : [];
  let authorize: Authorizer;
  try {
    if (config.auth !== undefined && typeof config.auth !== "function")
      throw new ConfigError("auth", "expected a function (request) => Promise<Request>");
    if (config.auth) authorize = config.auth;
    else if (config.key !== undefined) authorize = bearerAuthorizer(config.key);
    else
      throw new ConfigError(
        "key",
        "the core client needs a `key` (Bedrock API key or proxy token) or an `auth` signer",
      );
  } catch (error) {
    throw scrubError(error as Error, secrets);
  }
  const open = (input: ConverseInput, options: CoreCallOptions, signal?: AbortSignal): OpenCall => {
    if (!input || typeof input !== "object")
      throw new RequestError("input", "expected a Converse request object");
    const { modelId, ...body } = input;
    if (typeof modelId !== "string" || !modelId)
      throw new RequestError("modelId", "expected a non-empty model id");
    if (!Array.isArray(body.messages))
      throw new RequestError("messages", "expected an array of Converse messages");
    const plan = {
      url: endpointUrl(config, modelId, true),
      body,
      stream: true,
      ...transportPlan(config, options, authorize, secrets, {}),
    };
    if (signal) plan.signal = signal;
    return { run: runConverse(plan), onEvents: () => {} };
  };
  return {
    async request(input, options = {}) {
      const acc = await drain(open(input, options));
      return resultOf(acc.finishEvent!, acc.outputText);
    },
    stream: (input, options = {}) =>
      eventStream(
        (signal) => open(input, options, signal),
        options.signal,
        () => {},
      ),
  };
}
