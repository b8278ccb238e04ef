import { MissingCredentialsError, resolveAuth } from "../auth/credentials.ts";
import type { Authorizer } from "../auth/types.ts";
import { refusedEnvReads } from "../config/env.ts";
import { type BedrockConfig, type ResolveOptions, resolveConfig, resolveModel } from "../config/resolve.ts";
import type { ProviderConfigInput } from "../config/schema.ts";
import { buildEndpoint, DEFAULT_REGION } from "../endpoint/build.ts";
import { prefixModelId } from "../endpoint/model-id.ts";
import { buildConverseBody, checkKeys, NATIVE_KEYS, PARAMETER_KEYS } from "../request/body.ts";
import type { InputMessage } from "../request/messages.ts";
import { LazyPartialJson } from "../stream/partial-json.ts";
import type { ApplyGuardrailResponse } from "../types/converse.ts";
import { readConverseJson } from "./converse-json.ts";
import { type ChatEventStream, drain, eventStream, type OpenCall } from "./deliver.ts";
import { Dispatcher } from "./dispatch.ts";
import { type BedrockError, ConfigError, scrubError } from "./errors.ts";
import { type CountTokensResult, countTokens } from "./operations/count-tokens.ts";
import { type EmbedOptions, type EmbedResult, type EmbedValue, embed } from "./operations/embed.ts";
import { type ApplyGuardrailInput, applyGuardrail } from "./operations/guardrail.ts";
import {
  type InvokeChunkStream,
  type InvokeOptions,
  type InvokeResult,
  invoke,
  invokeStream,
} from "./operations/invoke.ts";
import type { OperationOptions } from "./operations/plan.ts";
import { CLIENT_OPTION_KEYS, type ConverseResult, type RequestOptions } from "./options.ts";
import { resultOf } from "./result.ts";
import { type CallPlan, runConverse } from "./run.ts";
import { transportPlan } from "./transport.ts";

export type { ChatEventStream } from "./deliver.ts";

const RESOLVED = Symbol.for("bedrock-edge.config");
const OPTION_KEYS = [...CLIENT_OPTION_KEYS, ...PARAMETER_KEYS, ...NATIVE_KEYS];

/** A config object, or anything `resolveConfig` accepts (a provider block or a `{providers}` document). */
export type ConfigInput = BedrockConfig | ProviderConfigInput | Record<string, unknown>;

export function resolved(config: ConfigInput, options?: ResolveOptions): BedrockConfig {
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
export function secretsOf(config: Partial<BedrockConfig> | undefined, options?: ResolveOptions): string[] {
  const env = options?.env ?? config?.env ?? {};
  const raw = config as Record<string, any> | undefined;
  const blocks = raw?.providers && typeof raw.providers === "object" ? Object.values(raw.providers) : [raw];
  const credentials = [...blocks.map((b: any) => b?.credentials), options?.credentials].filter(
    (c) => c && typeof c === "object",
  );
  return [
    ...blocks.map((b: any) => b?.key),
    // ECA's <PROVIDER>_API_KEY fallbacks
    ...Object.keys(env)
      .filter((name) => name.endsWith("_API_KEY"))
      .map((name) => env[name]),
    env.AWS_BEARER_TOKEN_BEDROCK,
    env.BEDROCK_API_KEY,
    env.AWS_SECRET_ACCESS_KEY,
    env.AWS_SESSION_TOKEN,
    ...credentials.flatMap((c) => [c.secretAccessKey, c.sessionToken]),
  ].filter((s): s is string => typeof s === "string" && s.length >= 4);
}

/** Auth for a config: a custom authorizer, else `resolveAuth`'s order (key, credentials, env bearer keys, env AWS keys). */
export function authFor(config: BedrockConfig, secrets: string[]): Authorizer {
  if (config.auth) return config.auth;
  try {
    return resolveAuth(
      { key: config.key, credentials: config.credentials, region: config.region || DEFAULT_REGION },
      config.env,
    );
  } catch (error) {
    const path = error instanceof MissingCredentialsError ? "key" : "credentials";
    let message = error instanceof Error ? error.message : String(error);
    if (refusedEnvReads(config.env).length) {
      message += " The runtime refused to read the environment (Deno: --allow-env): pass the key, or `env`.";
    }
    throw scrubError(new ConfigError(path, message), secrets);
  }
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

function plan(config: BedrockConfig, messages: readonly InputMessage[], options: RequestOptions): CallPlan {
  checkKeys(options as Record<string, unknown>, OPTION_KEYS, "options");
  const model = resolveModel(config, options.model);
  const params: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    if (!(CLIENT_OPTION_KEYS as readonly string[]).includes(k)) params[k] = v;
  }
  const stream = (options.stream ?? model.extraPayload.stream ?? true) !== false;
  const region = config.region || DEFAULT_REGION;
  const body = buildConverseBody(messages, params, model.extraPayload, model.modelName);
  const secrets = secretsOf(config);
  const transport = transportPlan(
    model.extraHeaders ? { ...config, headers: { ...config.headers, ...model.extraHeaders } } : config,
    options,
    authFor(config, secrets),
    secrets,
    config.env,
  );
  const refused = refusedEnvReads(config.env);
  if (refused.length) {
    transport.log.debug(
      "could not read the environment (the runtime refused: Deno without --allow-env?); treated as unset",
      { variables: refused },
    );
  }
  return {
    url: buildEndpoint(config, model.modelName, stream),
    body,
    stream,
    ...transport,
    readJson: readConverseJson,
    partialJson: LazyPartialJson,
    // With `url` the region goes in front of the id by default (the documented proxy form); a server that wants
    // plain ids (the emulator, Bedrock itself) then answers "invalid model identifier".
    regionPrefixed:
      !!config.url &&
      (config.modelIdPrefix ?? "region") === "region" &&
      prefixModelId(model.modelName, "region", region) !== model.modelName,
  } as CallPlan;
}

/** The "invalid model identifier" hint, when the region in front of the id was ours (`url` set): say how to stop it. */
function explain(error: unknown, regionPrefixed: boolean | undefined): void {
  const e = error as BedrockError;
  if (!regionPrefixed || e?.name !== "ValidationException" || !/model identifier/i.test(e.message)) return;
  const hint =
    'the SDK put the region in front of the id because `url` is set (the proxy form): if this server takes plain ids (the emulator, Bedrock itself), set modelIdPrefix: "none"';
  e.message = e.hint ? e.message.replace(e.hint, hint) : `${e.message} (hint: ${hint})`;
  e.hint = hint;
}

function reportOnce(options: RequestOptions, error: unknown, plan?: CallPlan): void {
  explain(error, (plan as { regionPrefixed?: boolean } | undefined)?.regionPrefixed);
  try {
    options.onError?.(error as BedrockError);
  } catch {
    // a throwing onError must not hide the original error
  }
}

/** Plans a call and starts it: the dispatcher routes its events to the callbacks and keeps the result. */
function open(
  config: ConfigInput,
  messages: readonly InputMessage[],
  options: RequestOptions,
  signal?: AbortSignal,
  onPlan?: (plan: CallPlan) => void,
): OpenCall & { dispatcher: Dispatcher } {
  const plan = planCall(resolved(config), messages, options);
  onPlan?.(plan);
  if (signal) plan.signal = signal;
  const dispatcher = new Dispatcher({
    ...options,
    outputConfig: plan.body.outputConfig as Record<string, any> | undefined,
  });
  return { run: runConverse(plan), onEvents: (events) => dispatcher.dispatch(events), dispatcher };
}

/** One Converse call, streamed (default) or not; resolves to the whole result. Callbacks fire in real time. */
export async function request(
  config: ConfigInput,
  messages: readonly InputMessage[],
  options: RequestOptions = {},
): Promise<ConverseResult> {
  let plan: CallPlan | undefined;
  try {
    const call = open(config, messages, options, undefined, (p) => {
      plan = p;
    });
    const acc = await drain(call);
    return resultOf(acc.finishEvent!, acc.outputText);
  } catch (error) {
    reportOnce(options, error, plan);
    throw error;
  }
}

/**
 * One Converse call as a stream of chat events. Cancelling the stream (or `break` in `for await`) aborts the
 * HTTP request and releases the connection.
 */
export function stream(
  config: ConfigInput,
  messages: readonly InputMessage[],
  options: RequestOptions = {},
): ChatEventStream {
  let plan: CallPlan | undefined;
  return eventStream(
    (signal) =>
      open(config, messages, options, signal, (p) => {
        plan = p;
      }),
    options.signal,
    (error) => reportOnce(options, error, plan),
  );
}

export interface BedrockClient {
  readonly config: BedrockConfig;
  request(messages: readonly InputMessage[], options?: RequestOptions): Promise<ConverseResult>;
  stream(messages: readonly InputMessage[], options?: RequestOptions): ChatEventStream;
  /** The input tokens these messages and options would take (CountTokens), without running the model. */
  countTokens(messages: readonly InputMessage[], options?: RequestOptions): Promise<CountTokensResult>;
  /** Embedding vectors for one value or many, in order (InvokeModel with the model family's own JSON). */
  embed(values: EmbedValue | readonly EmbedValue[], options?: EmbedOptions): Promise<EmbedResult>;
  /** One InvokeModel call: the model's native JSON in and out, with the token counts. */
  invoke<T = unknown>(
    body: Record<string, unknown> | string,
    options?: InvokeOptions,
  ): Promise<InvokeResult<T>>;
  /** One InvokeModelWithResponseStream call: the model's native chunks as they arrive. */
  invokeStream<T = Record<string, unknown>>(
    body: Record<string, unknown> | string,
    options?: InvokeOptions,
  ): InvokeChunkStream<T>;
  /** Checks content against a guardrail without a model call (ApplyGuardrail). */
  applyGuardrail(input: ApplyGuardrailInput, options?: OperationOptions): Promise<ApplyGuardrailResponse>;
}

/** A client bound to one config. `options.env` defaults to the process environment where one exists. */
export function createBedrock(config: ConfigInput, options?: ResolveOptions): BedrockClient {
  const c = resolved(config, options);
  return {
    config: c,
    request: (messages, opts) => request(c, messages, opts),
    stream: (messages, opts) => stream(c, messages, opts),
    countTokens: (messages, opts) => countTokens(c, messages, opts),
    embed: (values, opts) => embed(c, values, opts),
    invoke: (body, opts) => invoke(c, body, opts),
    invokeStream: (body, opts) => invokeStream(c, body, opts),
    applyGuardrail: (input, opts) => applyGuardrail(c, input, opts),
  };
}
