// bedrock-edge/ai-sdk: a Vercel AI SDK provider (LanguageModelV4, @ai-sdk/provider 4) over bedrock-edge's own
// request builder, transport and pipeline.
import type { LanguageModelV4, ProviderV4 } from "@ai-sdk/provider";
import { NoSuchModelError } from "@ai-sdk/provider";
import { type ConfigInput, createBedrock, type ResolveOptions } from "../index.ts";
import { BedrockEdgeLanguageModel } from "./model.ts";

export type { BedrockEdgeCallOptions } from "./model.ts";
export { BedrockEdgeLanguageModel } from "./model.ts";

export interface BedrockEdgeProvider extends ProviderV4 {
  /** A language model: an alias from the config's models, `bedrock/<alias>`, or a Bedrock model id or ARN. */
  (modelIdOrAlias: string): LanguageModelV4;
  languageModel(modelIdOrAlias: string): LanguageModelV4;
}

/**
 * An AI SDK provider from the same config `createBedrock` takes (an ECA document, a provider block, a `url`
 * proxy, a key or SigV4 credentials). The config is resolved once, here: a bad one throws now.
 */
export function createBedrockEdge(config: ConfigInput, options?: ResolveOptions): BedrockEdgeProvider {
  const resolved = createBedrock(config, options).config;
  const languageModel = (id: string) => new BedrockEdgeLanguageModel(id, resolved);
  const none = (modelType: "embeddingModel" | "imageModel") => (modelId: string) => {
    throw new NoSuchModelError({
      modelId,
      modelType,
      message: `bedrock-edge/ai-sdk has no ${modelType === "imageModel" ? "image" : "embedding"} models`,
    });
  };
  return Object.assign((id: string) => languageModel(id), {
    specificationVersion: "v4" as const,
    languageModel,
    embeddingModel: none("embeddingModel"),
    imageModel: none("imageModel"),
  }) as BedrockEdgeProvider;
}
