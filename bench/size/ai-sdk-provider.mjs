// @ai-sdk/amazon-bedrock: the provider alone.
import { createAmazonBedrock } from "@ai-sdk/amazon-bedrock";

export const model = createAmazonBedrock({ region: "us-east-1" })("anthropic.claude-3-5-haiku-20241022-v1:0");
