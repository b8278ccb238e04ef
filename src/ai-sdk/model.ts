// A LanguageModelV4 over the client's own plan and run: planCall builds the Converse body (the same request
// builder as createBedrock), runConverse sends it and yields chat-event batches from the fused pipeline, and
// PartMapper turns each batch into stream parts in one pass.
import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4GenerateResult,
  LanguageModelV4StreamPart,
  LanguageModelV4StreamResult,
  SharedV4Warning,
} from "@ai-sdk/provider";
import { InvalidArgumentError } from "@ai-sdk/provider";
import { runConverse } from "../client/run.ts";
import {
  type BedrockConfig,
  type ChatEvent,
  planCall,
  type ReasoningOption,
  type RequestOptions,
  resolveModel,
} from "../index.ts";
import { type CallRecord, errorBodyOf, isUserAbort, toSpecError } from "./errors.ts";
import { contentOf, finishReasonOf, metadataOf, PartMapper, usageOf } from "./parts.ts";
import { OPTIONS_KEY, toBedrockMessages } from "./prompt.ts";

type Finish = Extract<ChatEvent, { type: "finish" }>;

/** `providerOptions.bedrock`: the Converse fields and client settings a call can carry. */
export interface BedrockEdgeCallOptions {
  /** Our reasoning option (budgetTokens, adaptive, effort, format). */
  reasoning?: ReasoningOption | "adaptive";
  /** The official provider's form: `{type: "enabled", budgetTokens}`, `{type: "adaptive"}`, `{maxReasoningEffort}`. */
  reasoningConfig?: {
    type?: "enabled" | "disabled" | "adaptive";
    budgetTokens?: number;
    maxReasoningEffort?: "low" | "medium" | "high" | "xhigh" | "max";
  };
  additionalModelRequestFields?: Record<string, unknown>;
  additionalModelResponseFieldPaths?: string[];
  guardrailConfig?: Record<string, unknown>;
  performanceConfig?: Record<string, unknown>;
  requestMetadata?: Record<string, string>;
  serviceTier?: Record<string, unknown>;
  promptVariables?: Record<string, unknown>;
  inferenceConfig?: Record<string, unknown>;
  outputConfig?: Record<string, unknown>;
  /** Retries inside the provider (default: the config's maxRetries, else 0: the AI SDK retries, with its own maxRetries). */
  maxRetries?: number;
  firstByteTimeoutMs?: number;
  idleTimeoutMs?: number;
  timeoutMs?: number;
  logLevel?: RequestOptions["logLevel"];
}

const PASS_THROUGH = [
  "reasoning",
  "additionalModelRequestFields",
  "additionalModelResponseFieldPaths",
  "guardrailConfig",
  "performanceConfig",
  "requestMetadata",
  "serviceTier",
  "promptVariables",
  "inferenceConfig",
  "outputConfig",
  "maxRetries",
  "firstByteTimeoutMs",
  "idleTimeoutMs",
  "timeoutMs",
  "logLevel",
] as const;
const CALL_OPTION_KEYS: readonly string[] = [...PASS_THROUGH, "reasoningConfig", "cachePoint"];

const S3 = [/^s3:\/\//i];

interface Prepared {
  messages: ReturnType<typeof toBedrockMessages>;
  options: RequestOptions;
  warnings: SharedV4Warning[];
}

/** The AI SDK's reasoning levels to a model family's own: Claude takes effort (with adaptive thinking). */
function reasoningFor(
  modelName: string,
  level: LanguageModelV4CallOptions["reasoning"],
): ReasoningOption | undefined {
  if (level === undefined || level === "provider-default" || level === "none") return undefined;
  const effort = level === "minimal" ? "low" : level;
  if (/nova/i.test(modelName))
    return { effort: effort === "xhigh" || effort === "max" ? "high" : effort, format: "nova" };
  if (/gpt-oss|openai/i.test(modelName))
    return { effort: effort === "xhigh" || effort === "max" ? "high" : effort, format: "openai" };
  return { type: "adaptive", effort };
}

function prepare(
  config: BedrockConfig,
  modelId: string,
  call: LanguageModelV4CallOptions,
  stream: boolean,
): Prepared {
  const warnings: SharedV4Warning[] = [];
  // The AI SDK retries (its maxRetries): ours only when the config or providerOptions ask for them.
  const o: RequestOptions = { model: modelId, stream, maxRetries: config.maxRetries ?? 0 };
  if (call.maxOutputTokens !== undefined) o.maxTokens = call.maxOutputTokens;
  if (call.temperature !== undefined) o.temperature = call.temperature;
  if (call.topP !== undefined) o.topP = call.topP;
  if (call.topK !== undefined) o.topK = call.topK;
  if (call.stopSequences?.length) o.stopSequences = call.stopSequences;
  if (call.seed !== undefined)
    warnings.push({ type: "unsupported", feature: "seed", details: "Bedrock's Converse API has no seed" });
  if (call.presencePenalty !== undefined) warnings.push({ type: "unsupported", feature: "presencePenalty" });
  if (call.frequencyPenalty !== undefined)
    warnings.push({ type: "unsupported", feature: "frequencyPenalty" });
  if (call.responseFormat?.type === "json") {
    if (call.responseFormat.schema)
      o.responseFormat = {
        schema: call.responseFormat.schema as Record<string, unknown>,
        ...(call.responseFormat.name !== undefined && { name: call.responseFormat.name }),
        ...(call.responseFormat.description !== undefined && {
          description: call.responseFormat.description,
        }),
      };
    else
      warnings.push({
        type: "unsupported",
        feature: "responseFormat",
        details: "JSON without a schema: Bedrock's structured output needs a JSON schema",
      });
  }
  const tools = call.tools ?? [];
  const fns = [];
  for (const t of tools) {
    if (t.type === "function")
      fns.push({
        name: t.name,
        ...(t.description && { description: t.description }),
        inputSchema: t.inputSchema,
      });
    else warnings.push({ type: "unsupported", feature: `provider tool ${t.id}` });
  }
  // Bedrock has no "none": the tools are left out of the call.
  if (fns.length && call.toolChoice?.type !== "none") {
    o.tools = fns as RequestOptions["tools"];
    const choice = call.toolChoice;
    if (choice?.type === "required") o.toolChoice = "any";
    else if (choice?.type === "tool") o.toolChoice = { tool: choice.toolName };
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(call.headers ?? {})) if (v !== undefined) headers[k] = v;
  if (Object.keys(headers).length) o.headers = headers;
  if (call.abortSignal) o.signal = call.abortSignal;

  const po = (call.providerOptions?.[OPTIONS_KEY] ?? {}) as Record<string, any>;
  for (const key of Object.keys(po)) {
    if (!CALL_OPTION_KEYS.includes(key))
      throw new InvalidArgumentError({
        argument: `providerOptions.${OPTIONS_KEY}.${key}`,
        message: `unknown option ${key} (allowed: ${CALL_OPTION_KEYS.join(", ")})`,
      });
  }
  for (const key of PASS_THROUGH) if (po[key] !== undefined) (o as Record<string, unknown>)[key] = po[key];
  const rc = po.reasoningConfig;
  if (rc && po.reasoning === undefined && rc.type !== "disabled") {
    o.reasoning =
      rc.type === "adaptive"
        ? { type: "adaptive", ...(rc.maxReasoningEffort && { effort: rc.maxReasoningEffort }) }
        : rc.budgetTokens !== undefined
          ? { budgetTokens: rc.budgetTokens, ...(rc.maxReasoningEffort && { effort: rc.maxReasoningEffort }) }
          : { effort: rc.maxReasoningEffort };
  }
  if (o.reasoning === undefined && call.reasoning !== undefined) {
    let name = modelId;
    try {
      name = resolveModel(config, modelId).modelName;
    } catch {}
    const r = reasoningFor(name, call.reasoning);
    if (r) o.reasoning = r;
  }
  return { messages: toBedrockMessages(call.prompt), options: o, warnings };
}

/** Plans the call and wraps its fetch to keep the last response's headers (and an error's body). */
function start(config: BedrockConfig, p: Prepared) {
  const plan = planCall(config, p.messages as never, p.options);
  const record: CallRecord = { url: plan.url, body: plan.body };
  const send = plan.fetch;
  plan.fetch = async (input, init) => {
    const response = await send(input, init);
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      headers[key] = value;
    });
    record.headers = headers;
    if (!response.ok) {
      record.errorBody = errorBodyOf(response.clone());
      record.errorBody.catch(() => {});
    }
    return response;
  };
  return { run: runConverse(plan), record };
}

function responseMeta(record: CallRecord, modelId: string) {
  const date = record.headers?.date;
  return {
    id: record.headers?.["x-amzn-requestid"],
    ...(date && { timestamp: new Date(date) }),
    modelId,
  };
}

export class BedrockEdgeLanguageModel implements LanguageModelV4 {
  readonly specificationVersion = "v4";
  readonly provider = "bedrock-edge";
  readonly supportedUrls = { "image/*": S3, "video/*": S3, "application/*": S3, "text/*": S3 };
  readonly modelId: string;
  private readonly config: BedrockConfig;
  constructor(modelId: string, config: BedrockConfig) {
    this.modelId = modelId;
    this.config = config;
  }

  async doGenerate(call: LanguageModelV4CallOptions): Promise<LanguageModelV4GenerateResult> {
    let record: CallRecord | undefined;
    let finish: Finish | undefined;
    try {
      const p = prepare(this.config, this.modelId, call, false);
      const started = start(this.config, p);
      record = started.record;
      for await (const batch of started.run) for (const e of batch) if (e.type === "finish") finish = e;
      const { content, citations } = contentOf(finish!);
      const providerMetadata = metadataOf(finish!, citations);
      return {
        content,
        finishReason: finishReasonOf(finish!.stopReason),
        usage: usageOf(finish!.usage),
        ...(providerMetadata && { providerMetadata }),
        request: { url: record.url, body: record.body },
        response: { ...responseMeta(record, this.modelId), headers: record.headers, body: finish!.message },
        warnings: p.warnings,
      };
    } catch (error) {
      throw await toSpecError(error, record, call.abortSignal);
    }
  }

  async doStream(call: LanguageModelV4CallOptions): Promise<LanguageModelV4StreamResult> {
    let record: CallRecord | undefined;
    let run: AsyncGenerator<ChatEvent[], unknown>;
    let first: IteratorResult<ChatEvent[], unknown>;
    let warnings: SharedV4Warning[];
    try {
      const p = prepare(this.config, this.modelId, call, true);
      warnings = p.warnings;
      const started = start(this.config, p);
      record = started.record;
      run = started.run;
      // The response head and the first chunk: an HTTP error is thrown here, where the AI SDK retries it.
      first = await run.next();
    } catch (error) {
      throw await toSpecError(error, record, call.abortSignal);
    }
    const rec = record;
    const mapper = new PartMapper();
    const raw = call.includeRawChunks === true;
    const modelId = this.modelId;
    /** Enqueues one batch's parts; says whether the stream got anything (a part, or its end). */
    const deliver = (
      r: IteratorResult<ChatEvent[], unknown>,
      c: ReadableStreamDefaultController<LanguageModelV4StreamPart>,
    ): boolean => {
      if (r.done) {
        c.close();
        return true;
      }
      if (raw) for (const e of r.value) c.enqueue({ type: "raw", rawValue: e });
      let parts = 0;
      mapper.push(r.value, {
        enqueue(part: LanguageModelV4StreamPart) {
          parts++;
          c.enqueue(part);
        },
      } as ReadableStreamDefaultController<LanguageModelV4StreamPart>);
      return raw || parts > 0;
    };
    const fail = async (error: unknown, c: ReadableStreamDefaultController<LanguageModelV4StreamPart>) => {
      if (isUserAbort(error, call.abortSignal)) {
        c.error(error);
        return;
      }
      // Said as an error, then a finish that says so (with the usage seen so far): never a quiet end.
      c.enqueue({ type: "error", error: await toSpecError(error, rec, call.abortSignal) });
      const name = (error as Error)?.name;
      c.enqueue({
        type: "finish",
        finishReason: { unified: "error", raw: name },
        usage: usageOf(mapper.usage),
      });
      c.close();
    };
    const stream = new ReadableStream<LanguageModelV4StreamPart>({
      start(c) {
        c.enqueue({ type: "stream-start", warnings });
        c.enqueue({ type: "response-metadata", ...responseMeta(rec, modelId) });
        deliver(first, c);
      },
      async pull(c) {
        try {
          // A batch can map to no part (usage alone waits for the finish). A pull that enqueues nothing is not
          // called again while the consumer's read waits, so read on until the stream gets something.
          while (!deliver(await run.next(), c));
        } catch (error) {
          await fail(error, c);
        }
      },
      async cancel() {
        // Ends the run: its finally cancels the body and aborts the fetch.
        await run.return(undefined);
      },
    });
    return { stream, request: { url: rec.url, body: rec.body }, response: { headers: rec.headers } };
  }
}
