// The AI SDK's embedding model over bedrock.embed: the family's native body, batching and bounded concurrency
// are bedrock-edge's, so a doEmbed of any length is one call here (maxEmbeddingsPerCall: Infinity) and the AI
// SDK does not split it again.
import type {
  EmbeddingModelV4,
  EmbeddingModelV4CallOptions,
  EmbeddingModelV4Result,
  SharedV4Warning,
} from "@ai-sdk/provider";
import type { EmbedOptions, EmbedPurpose } from "../client/operations/embed.ts";
import { type BedrockConfig, embed } from "../index.ts";
import { toSpecError } from "./errors.ts";

/** `providerOptions.bedrock` of an embedding call: bedrock-edge's own embed options. */
export interface BedrockEdgeEmbeddingOptions {
  /** The vector length, where the family lets you choose (as the official provider's option). */
  dimensions?: number;
  purpose?: EmbedPurpose;
  normalize?: boolean;
  concurrency?: number;
}

const PROVIDER_OPTION_KEYS = ["dimensions", "purpose", "normalize", "concurrency"] as const;

export class BedrockEdgeEmbeddingModel implements EmbeddingModelV4 {
  readonly specificationVersion = "v4";
  readonly provider = "bedrock-edge";
  readonly modelId: string;
  readonly maxEmbeddingsPerCall = Number.POSITIVE_INFINITY;
  readonly supportsParallelCalls = true;
  private readonly config: BedrockConfig;
  constructor(modelId: string, config: BedrockConfig) {
    this.modelId = modelId;
    this.config = config;
  }

  async doEmbed(call: EmbeddingModelV4CallOptions): Promise<EmbeddingModelV4Result> {
    const warnings: SharedV4Warning[] = [];
    const options: EmbedOptions = { model: this.modelId };
    const given = (call.providerOptions?.bedrock ?? {}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(given)) {
      if ((PROVIDER_OPTION_KEYS as readonly string[]).includes(key)) (options as any)[key] = value;
      else warnings.push({ type: "unsupported", feature: `providerOptions.bedrock.${key}` });
    }
    // The spec's own setting, where a caller or middleware gives it, wins over the provider option.
    if (call.dimensions !== undefined) options.dimensions = call.dimensions;
    if (call.abortSignal) options.signal = call.abortSignal;
    const headers = Object.fromEntries(
      Object.entries(call.headers ?? {}).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
    if (Object.keys(headers).length) options.headers = headers;
    try {
      const result = await embed(this.config, call.values, options);
      return {
        embeddings: result.embeddings,
        ...(result.usage && { usage: { tokens: result.usage.inputTokens } }),
        warnings,
      };
    } catch (error) {
      throw await toSpecError(error, undefined, call.abortSignal);
    }
  }
}
