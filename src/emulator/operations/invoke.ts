import type { ConverseRequest } from "../../types/index.ts";
import { isObject } from "../../types/json.ts";
import { validationError } from "../http/errors.ts";
import type { FinalReply } from "../model/reply.ts";
import { countTokens } from "../model/tokens.ts";
import { encodeEvent, paddingFor } from "../wire/frames.ts";
import { hashId, toBase64 } from "../wire/hash.ts";
import { sortedJson, utf8 } from "../wire/json.ts";
import { embedText } from "./embeddings.ts";
import { type NativeRequest, readNative } from "./native.ts";

// InvokeModel and InvokeModelWithResponseStream: the embedding families answer with deterministic vectors; the
// chat families with the built-in model's reply (the same as Converse's for the same input) in native JSON.

export type Reply = (request: ConverseRequest) => Promise<FinalReply>;

export interface InvokeAnswer {
  json: unknown;
  headers: Record<string, string>;
}

const EMBEDDING_DIMENSIONS: [RegExp, number[], number][] = [
  [/amazon\.titan-embed-text-v2/, [256, 512, 1024], 1024],
  [/amazon\.titan-embed-text-v1/, [1536], 1536],
  [/amazon\.titan-embed-image-v1/, [256, 384, 1024], 1024],
  [/cohere\.embed-v4/, [256, 512, 1024, 1536], 1536],
  [/cohere\.embed-(english|multilingual)-v3/, [1024], 1024],
  [/amazon\.nova-(2-)?multimodal-embeddings/, [256, 384, 1024, 3072], 3072],
];

export function isEmbeddingModel(modelId: string): boolean {
  return EMBEDDING_DIMENSIONS.some(([re]) => re.test(modelId));
}

function dimensionsFor(modelId: string, asked: unknown, member: string): number {
  const [, allowed, fallback] = EMBEDDING_DIMENSIONS.find(([re]) => re.test(modelId))!;
  if (asked === undefined) return fallback;
  if (typeof asked !== "number" || !allowed.includes(asked))
    throw validationError(`${member}: ${JSON.stringify(asked)} is not one of ${allowed.join(", ")}`);
  return asked;
}

/** An embedding model's native answer to its native body. */
export function embeddingAnswer(modelId: string, body: unknown): InvokeAnswer {
  if (!isObject(body)) throw validationError("The request body must be a JSON object.");
  const b = body as Record<string, any>;
  const text = (value: unknown, member: string): string => {
    if (typeof value !== "string" || value.length === 0)
      throw validationError(`${member}: expected a non-empty string`);
    return value;
  };
  if (/titan-embed-text/.test(modelId)) {
    const input = text(b.inputText, "inputText");
    const dims = dimensionsFor(modelId, b.dimensions, "dimensions");
    const embedding = embedText(input, dims, b.normalize !== false);
    const tokens = countTokens(input);
    return answer({ embedding, embeddingsByType: { float: embedding }, inputTextTokenCount: tokens }, tokens);
  }
  if (/titan-embed-image/.test(modelId)) {
    const source =
      typeof b.inputText === "string" ? b.inputText : text(b.inputImage, "inputText or inputImage");
    const dims = dimensionsFor(
      modelId,
      b.embeddingConfig?.outputEmbeddingLength,
      "embeddingConfig.outputEmbeddingLength",
    );
    const tokens = typeof b.inputText === "string" ? countTokens(b.inputText) : 0;
    return answer(
      { embedding: embedText(source, dims, true), inputTextTokenCount: tokens, message: null },
      tokens,
    );
  }
  if (/cohere\.embed/.test(modelId)) {
    const inputs: string[] = Array.isArray(b.texts) ? b.texts : Array.isArray(b.images) ? b.images : [];
    if (inputs.length === 0) throw validationError("texts or images: expected a non-empty array");
    if (inputs.length > 96) throw validationError(`texts: at most 96 per call, got ${inputs.length}`);
    if (!["search_document", "search_query", "classification", "clustering"].includes(b.input_type))
      throw validationError(
        "input_type: expected search_document, search_query, classification or clustering",
      );
    const dims = dimensionsFor(modelId, b.output_dimension, "output_dimension");
    const vectors = inputs.map((t, i) => embedText(text(t, `texts[${i}]`), dims, false));
    const byType = Array.isArray(b.embedding_types) || /embed-v4/.test(modelId);
    const tokens = inputs.reduce((n, t) => n + countTokens(t), 0);
    return answer(
      {
        id: hashId(sortedJson(body), 36),
        embeddings: byType ? { float: vectors } : vectors,
        response_type: byType ? "embeddings_by_type" : "embeddings_floats",
        texts: Array.isArray(b.texts) ? b.texts : [],
      },
      tokens,
    );
  }
  // Nova multimodal embeddings
  if (b.taskType !== "SINGLE_EMBEDDING" || !isObject(b.singleEmbeddingParams))
    throw validationError("taskType: InvokeModel takes SINGLE_EMBEDDING with singleEmbeddingParams");
  const p = b.singleEmbeddingParams as Record<string, any>;
  const dims = dimensionsFor(modelId, p.embeddingDimension, "singleEmbeddingParams.embeddingDimension");
  const input = p.text
    ? text(p.text.value, "singleEmbeddingParams.text.value")
    : text(p.image?.source?.bytes, "singleEmbeddingParams.text or image");
  const tokens = p.text ? countTokens(input) : 0;
  return answer(
    { embeddings: [{ embeddingType: p.text ? "TEXT" : "IMAGE", embedding: embedText(input, dims, true) }] },
    tokens,
  );
}

function answer(json: unknown, inputTokens: number, outputTokens = 0): InvokeAnswer {
  return {
    json,
    headers: {
      "x-amzn-bedrock-input-token-count": String(inputTokens),
      "x-amzn-bedrock-output-token-count": String(outputTokens),
    },
  };
}

/** A chat model's native answer: the built-in model's reply in the body's own family's shape. */
export async function chatAnswer(modelId: string, body: unknown, reply: Reply): Promise<InvokeAnswer> {
  const native = readNative(body);
  const r = await reply(native.converse);
  return answer(nativeJson(modelId, native, r), r.usage.inputTokens, r.usage.outputTokens);
}

const textOfReply = (r: FinalReply) => r.content.map((b) => b.text ?? "").join("");

function nativeJson(modelId: string, native: NativeRequest, r: FinalReply): unknown {
  const text = textOfReply(r);
  if (native.family === "anthropic")
    return {
      id: `msg_bdrk_${hashId(`${modelId}${text}`, 24)}`,
      type: "message",
      role: "assistant",
      model: modelId.replace(/^[a-z]+\./, "").replace(/^anthropic\./, ""),
      content: [{ type: "text", text }],
      stop_reason: r.stopReason,
      stop_sequence: null,
      usage: { input_tokens: r.usage.inputTokens, output_tokens: r.usage.outputTokens },
    };
  if (native.family === "nova")
    return {
      output: { message: { role: "assistant", content: [{ text }] } },
      stopReason: r.stopReason,
      usage: {
        inputTokens: r.usage.inputTokens,
        outputTokens: r.usage.outputTokens,
        totalTokens: r.usage.totalTokens,
      },
    };
  return {
    inputTextTokenCount: r.usage.inputTokens,
    results: [
      {
        tokenCount: r.usage.outputTokens,
        outputText: text,
        completionReason: r.stopReason === "max_tokens" ? "LENGTH" : "FINISH",
      },
    ],
  };
}

/**
 * InvokeModelWithResponseStream: the chat answer as the family streams it (Anthropic's message events, Nova's
 * and Titan's chunks), each as a `chunk` frame `{"bytes": base64}`; the last chunk carries
 * `amazon-bedrock-invocationMetrics`.
 */
export async function chatChunks(
  modelId: string,
  body: unknown,
  reply: Reply,
  latencyMs: () => number,
): Promise<(() => Uint8Array)[]> {
  if (isEmbeddingModel(modelId))
    throw validationError("The model does not support streaming inference: call InvokeModel.");
  const native = readNative(body);
  const r = await reply(native.converse);
  const words = textOfReply(r).match(/\S+\s*|\s+/g) ?? [];
  const u = r.usage;
  const metrics = () => ({
    "amazon-bedrock-invocationMetrics": {
      inputTokenCount: u.inputTokens,
      outputTokenCount: u.outputTokens,
      invocationLatency: latencyMs(),
      firstByteLatency: Math.min(latencyMs(), 1),
    },
  });
  let events: (() => Record<string, unknown>)[];
  if (native.family === "anthropic") {
    const message = nativeJson(modelId, native, r) as Record<string, any>;
    events = [
      () => ({
        type: "message_start",
        message: {
          ...message,
          content: [],
          stop_reason: null,
          usage: { input_tokens: u.inputTokens, output_tokens: 1 },
        },
      }),
      () => ({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }),
      ...words.map((w) => () => ({
        type: "content_block_delta",
        index: 0,
        delta: { type: "text_delta", text: w },
      })),
      () => ({ type: "content_block_stop", index: 0 }),
      () => ({
        type: "message_delta",
        delta: { stop_reason: r.stopReason, stop_sequence: null },
        usage: { output_tokens: u.outputTokens },
      }),
      () => ({ type: "message_stop", ...metrics() }),
    ];
  } else if (native.family === "nova") {
    events = [
      () => ({ messageStart: { role: "assistant" } }),
      ...words.map((w) => () => ({ contentBlockDelta: { delta: { text: w }, contentBlockIndex: 0 } })),
      () => ({ contentBlockStop: { contentBlockIndex: 0 } }),
      () => ({ messageStop: { stopReason: r.stopReason } }),
      () => ({
        metadata: { usage: { inputTokens: u.inputTokens, outputTokens: u.outputTokens } },
        ...metrics(),
      }),
    ];
  } else {
    events = words.map((w, i) => () => ({
      outputText: w,
      index: 0,
      totalOutputTextTokenCount: i === words.length - 1 ? u.outputTokens : null,
      completionReason: i === words.length - 1 ? "FINISH" : null,
      inputTextTokenCount: i === 0 ? u.inputTokens : null,
      ...(i === words.length - 1 ? metrics() : {}),
    }));
  }
  const seed = `${modelId}\u0000${sortedJson(body)}`;
  return events.map(
    (event, i) => () =>
      encodeEvent(
        "chunk",
        { bytes: toBase64(utf8.encode(JSON.stringify(event()))) },
        paddingFor(`${seed}:${i}`),
      ),
  );
}
