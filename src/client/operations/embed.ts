import { resolveModel } from "../../config/resolve.ts";
import { bytesToBase64 } from "../../request/base64.ts";
import { RequestError } from "../../request/errors.ts";
import type { ConfigInput } from "../create.ts";
import { resolved } from "../create.ts";
import { BedrockError } from "../errors.ts";
import { invoke } from "./invoke.ts";
import { checkOptions, type ModelOperationOptions } from "./plan.ts";

/** An image to embed (families that take images): bytes, or base64 text, with its format. */
export interface EmbedImage {
  image: Uint8Array | string;
  /** png, jpeg, gif or webp (default png). */
  format?: "png" | "jpeg" | "gif" | "webp";
}

export type EmbedValue = string | EmbedImage;

/** What the embeddings are for: documents to index, or queries against them (and the families' other uses). */
export type EmbedPurpose = "document" | "query" | "classification" | "clustering";

export interface EmbedOptions extends ModelOperationOptions {
  /** The vector length, where the family lets you choose (Titan V2: 256/512/1024; Cohere v4: 256-1536; Nova: 256/384/1024/3072; Titan G1 multimodal: 256/384/1024). */
  dimensions?: number;
  /** "document" (default) or "query", and for Cohere/Nova "classification" or "clustering". */
  purpose?: EmbedPurpose;
  /** Unit-length vectors (Titan V2's `normalize`; the default there is true). Other families: normalised here. */
  normalize?: boolean;
  /** At most this many requests in flight for single-input families (default 4). */
  concurrency?: number;
  /**
   * For a model this SDK does not know: builds the native request for a batch of values, and reads the vectors
   * from its answer. `batchSize` (default 1) values per request.
   */
  raw?: {
    body: (values: EmbedValue[]) => Record<string, unknown>;
    embeddings: (answer: any) => number[][];
    batchSize?: number;
  };
}

export interface EmbedResult {
  /** One vector per value, in the order of the values. */
  embeddings: number[][];
  /** Input tokens, summed over the requests, where the family reports them. */
  usage?: { inputTokens: number };
}

/** One embedding family: how many values a request takes, its body, and how to read its answer. */
export interface EmbeddingFamily {
  name: string;
  /** Values per request. */
  batch: number;
  /** Images per request, where fewer than `batch` (Cohere Embed v3 takes one image per call). */
  imageBatch?: number;
  images: boolean;
  body(values: EmbedValue[], options: EmbedOptions): Record<string, unknown>;
  read(answer: any, count: number): { vectors: number[][]; tokens?: number };
}

const COHERE_INPUT: Record<EmbedPurpose, string> = {
  document: "search_document",
  query: "search_query",
  classification: "classification",
  clustering: "clustering",
};
const NOVA_PURPOSE: Record<EmbedPurpose, string> = {
  document: "GENERIC_INDEX",
  query: "GENERIC_RETRIEVAL",
  classification: "CLASSIFICATION",
  clustering: "CLUSTERING",
};

const textOf = (v: EmbedValue) => (typeof v === "string" ? v : undefined);
const base64Of = (v: EmbedImage) => (typeof v.image === "string" ? v.image : bytesToBase64(v.image));

const TITAN_TEXT: EmbeddingFamily = {
  name: "Titan Text Embeddings",
  batch: 1,
  images: false,
  body: ([value], o) => ({
    inputText: value,
    ...(o.dimensions !== undefined && { dimensions: o.dimensions }),
    ...(o.normalize !== undefined && { normalize: o.normalize }),
  }),
  read: (a) => ({ vectors: [a.embedding], tokens: a.inputTextTokenCount }),
};

const TITAN_MULTIMODAL: EmbeddingFamily = {
  name: "Titan Multimodal Embeddings G1",
  batch: 1,
  images: true,
  body: ([value], o) => ({
    ...(typeof value === "string" ? { inputText: value } : { inputImage: base64Of(value) }),
    ...(o.dimensions !== undefined && { embeddingConfig: { outputEmbeddingLength: o.dimensions } }),
  }),
  read: (a) => ({ vectors: [a.embedding], tokens: a.inputTextTokenCount }),
};

const cohere = (v4: boolean): EmbeddingFamily => ({
  name: v4 ? "Cohere Embed v4" : "Cohere Embed v3",
  batch: 96,
  ...(!v4 && { imageBatch: 1 }),
  images: true,
  body: (values, o) => {
    const texts = values.map(textOf);
    const body: Record<string, unknown> = { input_type: COHERE_INPUT[o.purpose ?? "document"] };
    if (texts.every((t) => t !== undefined)) body.texts = texts;
    else if (texts.every((t) => t === undefined))
      body.images = (values as EmbedImage[]).map(
        (v) => `data:image/${v.format ?? "png"};base64,${base64Of(v)}`,
      );
    else
      throw new RequestError(
        "values",
        "Cohere Embed takes texts or images in one call, not both: embed them apart",
      );
    if (v4) {
      body.embedding_types = ["float"];
      if (o.dimensions !== undefined) body.output_dimension = o.dimensions;
    }
    return body;
  },
  read: (a) => {
    const e = a.embeddings;
    return { vectors: Array.isArray(e) ? e : e?.float };
  },
});

const NOVA: EmbeddingFamily = {
  name: "Nova Multimodal Embeddings",
  batch: 1,
  images: true,
  body: ([value], o) => ({
    taskType: "SINGLE_EMBEDDING",
    singleEmbeddingParams: {
      embeddingPurpose: NOVA_PURPOSE[o.purpose ?? "document"],
      embeddingDimension: o.dimensions ?? 3072,
      ...(typeof value === "string"
        ? { text: { truncationMode: "END", value } }
        : { image: { format: value.format ?? "png", source: { bytes: base64Of(value) } } }),
    },
  }),
  read: (a) => ({ vectors: (a.embeddings ?? []).map((e: any) => e?.embedding) }),
};

/** The family a model id belongs to (with or without a region or geography prefix), or undefined. */
export function embeddingFamily(modelId: string): EmbeddingFamily | undefined {
  const id = modelId.replace(/^arn:.*\//, "");
  if (/amazon\.titan-embed-text-v[12]/.test(id)) return TITAN_TEXT;
  if (/amazon\.titan-embed-image-v1/.test(id)) return TITAN_MULTIMODAL;
  if (/cohere\.embed-v4/.test(id)) return cohere(true);
  if (/cohere\.embed-(english|multilingual)-v3/.test(id)) return cohere(false);
  if (/amazon\.nova-(2-)?multimodal-embeddings/.test(id)) return NOVA;
  return undefined;
}

/**
 * Embeds one value or many (InvokeModel with each family's own JSON): Titan Text Embeddings V2 (and G1),
 * Titan Multimodal Embeddings G1, Cohere Embed v3 and v4, Nova Multimodal Embeddings. Arrays are split into the
 * largest batches the family takes; single-input families run with bounded concurrency; order is kept.
 */
export async function embed(
  config: ConfigInput,
  values: EmbedValue | readonly EmbedValue[],
  options: EmbedOptions = {},
): Promise<EmbedResult> {
  checkOptions(options, ["dimensions", "purpose", "normalize", "concurrency", "raw"]);
  const list = Array.isArray(values) ? (values as EmbedValue[]) : [values as EmbedValue];
  const { raw, concurrency = 4, dimensions, purpose, normalize, ...transport } = options;
  const c = resolved(config);
  const modelName = resolveModel(c, options.model).modelName;
  const family: EmbeddingFamily | undefined = raw
    ? {
        name: "raw",
        batch: raw.batchSize ?? 1,
        images: true,
        body: raw.body,
        read: (a) => ({ vectors: raw.embeddings(a) }),
      }
    : embeddingFamily(modelName);
  if (!family)
    throw new RequestError(
      "model",
      `"${modelName}" is not an embedding model this SDK knows (Titan Text Embeddings V2, Titan Multimodal Embeddings G1, Cohere Embed v3/v4, Nova Multimodal Embeddings): pass options.raw with the model's body and answer`,
    );
  list.forEach((v, i) => {
    if (typeof v === "string") return;
    if (!v || typeof v !== "object" || !("image" in v))
      throw new RequestError(
        `values[${i}]`,
        "expected a string, or { image, format } for a multimodal family",
      );
    if (!family.images) throw new RequestError(`values[${i}]`, `${family.name} embeds text only`);
  });
  if (concurrency < 1 || !Number.isInteger(concurrency))
    throw new RequestError("concurrency", `expected a positive integer, got ${concurrency}`);
  const batches: EmbedValue[][] = [];
  // Consecutive values of one kind (texts, or images) share a request, up to the family's batch size.
  const starts: number[] = [];
  list.forEach((v, i) => {
    const batch = batches.at(-1);
    const image = typeof v !== "string";
    const limit = image ? (family.imageBatch ?? family.batch) : family.batch;
    if (batch && batch.length < limit && (typeof batch[0] !== "string") === image) batch.push(v);
    else {
      batches.push([v]);
      starts.push(i);
    }
  });
  const results: { vectors: number[][]; tokens?: number }[] = new Array(batches.length);
  const settings = { dimensions, purpose, normalize } as EmbedOptions;
  let next = 0;
  const abort = new AbortController();
  const signal = transport.signal ? AbortSignal.any([transport.signal, abort.signal]) : abort.signal;
  const worker = async () => {
    while (next < batches.length) {
      const i = next++;
      const batch = batches[i];
      const { body } = await invoke(c, family.body(batch, settings), { ...transport, signal });
      const read = family.read(body, batch.length);
      if (
        !Array.isArray(read.vectors) ||
        read.vectors.length !== batch.length ||
        !read.vectors.every((v) => Array.isArray(v) && v.every((x) => typeof x === "number"))
      )
        throw new BedrockError(
          "ResponseShapeError",
          `${family.name} answered without ${batch.length} embedding vector(s) for values ${starts[i]}..${starts[i] + batch.length - 1}`,
        );
      results[i] = read;
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, worker));
  } catch (error) {
    abort.abort(error);
    throw error;
  }
  const embeddings = results.flatMap((r) => r.vectors);
  // Titan V2 normalises itself (its `normalize`); the other families are normalised here when asked.
  if (normalize && family !== TITAN_TEXT) for (const v of embeddings) unit(v);
  const counted = results.filter((r) => typeof r.tokens === "number");
  return {
    embeddings,
    ...(counted.length === results.length &&
      results.length > 0 && { usage: { inputTokens: counted.reduce((n, r) => n + r.tokens!, 0) } }),
  };
}

function unit(v: number[]): void {
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i] /= norm;
}
