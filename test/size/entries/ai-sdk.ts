// bedrock-edge/ai-sdk: the provider alone (as bench/size/ai-sdk-provider.mjs measures the official one).
import { createBedrockEdge } from "bedrock-edge/ai-sdk";

export const model = createBedrockEdge({ region: "us-east-1" })("anthropic.claude-3-5-haiku-20241022-v1:0");
