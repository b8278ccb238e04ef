import { MissingCredentialsError, resolveAuth } from "../auth/credentials";
import type { Authorizer, SigV4Authorizer } from "../auth/types";
import { type BedrockConfig, type ResolveOptions, resolveConfig, resolveModel } from "../config/resolve";
import { buildEndpoint, DEFAULT_REGION } from "../endpoint/build";
import { buildConverseBody, checkKeys, NATIVE_KEYS, PARAMETER_KEYS } from "../request/body";
import type { InputMessage } from "../request/messages";
import type { ChatEvent } from "../stream/events";
import { Dispatcher } from "./dispatch";
import { AbortError, type BedrockError, ConfigError, scrubError } from "./errors";
import { LevelLogger, logLevelFrom } from "./log";
import { CLIENT_OPTION_KEYS, type ConverseResult, type RequestOptions } from "./options";
import {
  type CallPlan,
  DEFAULT_FIRST_BYTE_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_RETRIES,
  runConverse,
} from "./run";

const RESOLVED = Symbol.for("bedrock-edge.config");
const OPTION_KEYS = [...CLIENT_OPTION_KEYS, ...PARAMETER_KEYS, ...NATIVE_KEYS];

/** A config object, or anything `resolveConfig` accepts (a provider block or a `{providers}` document). */
export type ConfigInput = BedrockConfig | Record<string, unknown>;

function resolved(config: ConfigInput, options?: ResolveOptions): BedrockConfig {
  // resolveConfig's output carries `env`, a key no config file may hold: already resolved, use as is.
  const env = (config as Partial<BedrockConfig>).env;
  if ((config as any)[RESOLVED] || (typeof env === "object" && env !== null)) return config as BedrockConfig;
  let c: BedrockConfig;
  try {
    c = resolveConfig(config, options);
  } catch (error) {
    // A secret in the wrong place (or echoed by a validator) must not reach the message.
    throw error instanceof Error ? scrubError(error, secretsOf(config as BedrockConfig, options)) : error;
  }
  Object.defineProperty(c, RESOLVED, { value: true });
  return c;
}

/** Every secret a config or its environment could hold, for scrubbing errors. */
function secretsOf(config: Partial<BedrockConfig> | undefined, options?: ResolveOptions): string[] {
  const env = options?.env ?? config?.env ?? {};
  const raw = config as Record<string, any> | undefined;
  const block = raw?.providers?.bedrock ?? raw;
  const credentials = [block?.credentials, options?.credentials].filter((c) => c && typeof c === "object");
  return [
    block?.key,
    env.AWS_BEARER_TOKEN_BEDROCK,
    env.BEDROCK_API_KEY,
    env.AWS_SECRET_ACCESS_KEY,
    env.AWS_SESSION_TOKEN,
    ...credentials.flatMap((c) => [c.secretAccessKey, c.sessionToken]),
  ].filter((s): s is string => typeof s === "string" && s.length >= 4);
}

/**
 * Auth for a config: a custom authorizer, else `resolveAuth`'s order (key, credentials, env bearer keys, env
 * AWS keys). A SigV4 signer gets the clock-skew hook: one re-signed retry after a "signature expired" 403.
 */
function authFor(config: BedrockConfig): Pick<CallPlan, "authorize" | "secrets" | "onAuthError"> {
  const secrets = secretsOf(config);
  if (config.auth) return { authorize: config.auth, secrets };
  let authorize: Authorizer;
  try {
    authorize = resolveAuth(
      { key: config.key, credentials: config.credentials, region: config.region || DEFAULT_REGION },
      config.env,
    );
  } catch (error) {
    const path = error instanceof MissingCredentialsError ? "key" : "credentials";
    const message = error instanceof Error ? error.message : String(error);
    throw scrubError(new ConfigError(path, message), secrets);
  }
  const signer = authorize as Partial<SigV4Authorizer>;
  const onAuthError =
    typeof signer.correctClock === "function"
      ? (response: Response, body: string) => signer.correctClock!(response, body)
      : undefined;
  return { authorize, secrets, ...(onAuthError && { onAuthError }) };
}

/** Turns (config, messages, options) into everything a call needs. Throws typed errors for bad input. */
export function planCall(
  config: BedrockConfig,
  messages: readonly InputMessage[],
  options: RequestOptions,
): CallPlan {
  try {
    return plan(config, messages, options);
  } catch (error) {
    throw error instanceof Error ? scrubError(error, secretsOf(config)) : error;
  }
}

/** Header values that carry credentials for a proxy (`x-api-key`, `authorization`, `*-token`, ...). */
function headerSecrets(headers: Record<string, string>): string[] {
  return Object.entries(headers)
    .filter(([name]) => /authorization|api-?key|token|secret|password|cookie/i.test(name))
    .map(([, value]) => value);
}

function plan(config: BedrockConfig, messages: readonly InputMessage[], options: RequestOptions): CallPlan {
  checkKeys(options as Record<string, unknown>, OPTION_KEYS, "options");
  const model = resolveModel(config, options.model);
  const params: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    if (!(CLIENT_OPTION_KEYS as readonly string[]).includes(k)) params[k] = v;
  }
  const stream = (options.stream ?? model.extraPayload.stream ?? true) !== false;
  const body = buildConverseBody(messages, params, model.extraPayload);
  const auth = authFor(config);
  const headers = { ...config.headers, ...options.headers };
  auth.secrets = [...auth.secrets, ...headerSecrets(headers)];
  const log = new LevelLogger(logLevelFrom(options.logLevel ?? config.logLevel, config.env), config.logger);
  return {
    url: buildEndpoint(config, model.modelName, stream),
    body,
    stream,
    ...auth,
    fetch: config.fetch ?? ((input, init) => fetch(input, init)),
    log,
    signal: options.signal,
    headers,
    maxRetries: options.maxRetries ?? config.maxRetries ?? DEFAULT_MAX_RETRIES,
    firstByteTimeoutMs:
      options.firstByteTimeoutMs ?? config.firstByteTimeoutMs ?? DEFAULT_FIRST_BYTE_TIMEOUT_MS,
    idleTimeoutMs: options.idleTimeoutMs ?? config.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
  };
}

function reportOnce(options: RequestOptions, error: unknown): void {
  try {
    options.onError?.(error as BedrockError);
  } catch {
    // a throwing onError must not hide the original error
  }
}

/** One Converse call, streamed (default) or not; resolves to the whole result. Callbacks fire in real time. */
export async function request(
  config: ConfigInput,
  messages: readonly InputMessage[],
  options: RequestOptions = {},
): Promise<ConverseResult> {
  let plan: CallPlan;
  try {
    plan = planCall(resolved(config), messages, options);
  } catch (error) {
    reportOnce(options, error);
    throw error;
  }
  const dispatcher = new Dispatcher({
    ...options,
    outputConfig: plan.body.outputConfig as Record<string, any> | undefined,
  });
  const run = runConverse(plan);
  try {
    for (;;) {
      const step = await run.next();
      if (step.done) return dispatcher.result(step.value);
      dispatcher.dispatch(step.value);
    }
  } catch (error) {
    await run.return(undefined as never).catch(() => {});
    reportOnce(options, error);
    throw error;
  }
}

/** A ReadableStream of chat events that is also async-iterable (`for await`). */
export type ChatEventStream = ReadableStream<ChatEvent> & AsyncIterable<ChatEvent>;

/**
 * One Converse call as a stream of chat events. Cancelling the stream (or `break` in `for await`) aborts the
 * HTTP request and releases the connection.
 */
export function stream(
  config: ConfigInput,
  messages: readonly InputMessage[],
  options: RequestOptions = {},
): ChatEventStream {
  const cancel = new AbortController();
  const user = options.signal;
  const onUserAbort = () => cancel.abort(user!.reason);
  // A long-lived signal shared by many calls must not collect one listener per stream: detach when done.
  const detach = () => user?.removeEventListener("abort", onUserAbort);
  if (user) {
    if (user.aborted) cancel.abort(user.reason);
    else user.addEventListener("abort", onUserAbort, { once: true });
  }
  let run: ReturnType<typeof runConverse> | undefined;
  let dispatcher: Dispatcher;
  const readable = new ReadableStream<ChatEvent>(
    {
      start() {
        let plan: CallPlan;
        try {
          plan = planCall(resolved(config), messages, options);
        } catch (error) {
          detach();
          reportOnce(options, error);
          throw error;
        }
        plan.signal = cancel.signal;
        dispatcher = new Dispatcher({
          ...options,
          outputConfig: plan.body.outputConfig as Record<string, any> | undefined,
        });
        run = runConverse(plan);
      },
      async pull(controller) {
        try {
          const step = await run!.next();
          if (step.done) {
            detach();
            return controller.close();
          }
          dispatcher.dispatch(step.value);
          for (const event of step.value) controller.enqueue(event);
        } catch (error) {
          detach();
          if (cancel.signal.aborted && !user?.aborted) return; // cancelled by the reader: nothing to report
          reportOnce(options, error);
          controller.error(error);
        }
      },
      async cancel() {
        detach();
        cancel.abort(new AbortError("The stream was cancelled", { phase: "stream" }));
        await run?.return(undefined as never).catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
  return asyncIterable(readable);
}

/** Adds `Symbol.asyncIterator` where the runtime's ReadableStream lacks it (Safari). */
export function asyncIterable<T>(readable: ReadableStream<T>): ReadableStream<T> & AsyncIterable<T> {
  const stream = readable;
  // Checked on a plain object: where the runtime's types already make streams iterable (Deno), an `in` check on
  // the stream itself would narrow it to never.
  if (!(Symbol.asyncIterator in (stream as object))) {
    (stream as any)[Symbol.asyncIterator] = async function* () {
      const reader = stream.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          yield value;
        }
      } finally {
        reader.cancel().catch(() => {});
      }
    };
  }
  return readable as ReadableStream<T> & AsyncIterable<T>;
}

export interface BedrockClient {
  readonly config: BedrockConfig;
  request(messages: readonly InputMessage[], options?: RequestOptions): Promise<ConverseResult>;
  stream(messages: readonly InputMessage[], options?: RequestOptions): ChatEventStream;
}

/** A client bound to one config. `options.env` defaults to the process environment where one exists. */
export function createBedrock(config: ConfigInput, options?: ResolveOptions): BedrockClient {
  const c = resolved(config, options);
  return {
    config: c,
    request: (messages, opts) => request(c, messages, opts),
    stream: (messages, opts) => stream(c, messages, opts),
  };
}
