// bedrock-edge/ai-sdk: a Vercel AI SDK provider (LanguageModelV4, @ai-sdk/provider 4) over bedrock-edge's own
// request builder, transport and pipeline.
import type { EmbeddingModelV4, LanguageModelV4, ProviderV4 } from "@ai-sdk/provider";
import { NoSuchModelError } from "@ai-sdk/provider";
import type { ConfigInput } from "../client/create.ts";
import { createBedrock, type ResolveOptions } from "../index.ts";
import { BedrockEdgeEmbeddingModel } from "./embedding.ts";
import { BedrockEdgeLanguageModel } from "./model.ts";

export type { BedrockEdgeEmbeddingOptions } from "./embedding.ts";
export { BedrockEdgeEmbeddingModel } from "./embedding.ts";
export type { BedrockEdgeCallOptions } from "./model.ts";
export { BedrockEdgeLanguageModel } from "./model.ts";

export interface BedrockEdgeProvider extends ProviderV4 {
  /** A language model: an alias from the config's models, `bedrock/<alias>`, or a Bedrock model id or ARN. */
  (modelIdOrAlias: string): LanguageModelV4;
  languageModel(modelIdOrAlias: string): LanguageModelV4;
  /** An embedding model over `bedrock.embed`: Titan Text V2, Titan Multimodal G1, Cohere Embed v3/v4, Nova. */
  embeddingModel(modelIdOrAlias: string): EmbeddingModelV4;
}

/**
 * An AI SDK provider from the same config `createBedrock` takes (an ECA document, a provider block, a `url`
 * proxy, a key or SigV4 credentials). The config is resolved once, here: a bad one throws now.
 */
export function createBedrockEdge(config: ConfigInput, options?: ResolveOptions): BedrockEdgeProvider {
  const resolved = createBedrock(config, options).config;
  const languageModel = (id: string) => new BedrockEdgeLanguageModel(id, resolved);
  const embeddingModel = (id: string) => new BedrockEdgeEmbeddingModel(id, resolved);
  const imageModel = (modelId: string) => {
    throw new NoSuchModelError({
      modelId,
      modelType: "imageModel",
      message: "bedrock-edge/ai-sdk has no image models",
    });
  };
  return Object.assign((id: string) => languageModel(id), {
    specificationVersion: "v4" as const,
    languageModel,
    embeddingModel,
    imageModel,
  }) as BedrockEdgeProvider;
}
