// bedrock-edge/ai-sdk with ai's streamText: what an AI SDK user ships after switching (bench/size/ai-sdk.mjs
// measures the same with the official provider).
import { streamText } from "ai";
import { createBedrockEdge } from "bedrock-edge/ai-sdk";

export async function run(prompt: string) {
  const result = streamText({
    model: createBedrockEdge({ region: "us-east-1" })("anthropic.claude-3-5-haiku-20241022-v1:0"),
    prompt,
  });
  let text = "";
  for await (const part of result.textStream) text += part;
  return text;
}
