// @aws-sdk/client-bedrock-runtime: the client and ConverseStream, as its docs show.
import { BedrockRuntimeClient, ConverseStreamCommand } from "@aws-sdk/client-bedrock-runtime";

export async function run(prompt) {
  const client = new BedrockRuntimeClient({ region: "us-east-1" });
  const response = await client.send(
    new ConverseStreamCommand({
      modelId: "anthropic.claude-3-5-haiku-20241022-v1:0",
      messages: [{ role: "user", content: [{ text: prompt }] }],
    }),
  );
  let text = "";
  for await (const event of response.stream) text += event.contentBlockDelta?.delta?.text ?? "";
  return text;
}
