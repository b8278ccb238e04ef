// @ai-sdk/amazon-bedrock with ai's streamText: what an AI SDK user ships.
import { createAmazonBedrock } from "@ai-sdk/amazon-bedrock";
import { streamText } from "ai";

export async function run(prompt) {
  const result = streamText({
    model: createAmazonBedrock({ region: "us-east-1" })("anthropic.claude-3-5-haiku-20241022-v1:0"),
    prompt,
  });
  let text = "";
  for await (const part of result.textStream) text += part;
  return text;
}
