// Streams a Bedrock answer to the terminal.
//   BEDROCK_API_KEY=... node main.mjs "Why is the sky blue?"
// The key is read from BEDROCK_API_KEY (or AWS_BEARER_TOKEN_BEDROCK). BEDROCK_URL (optional) sends the call to a
// server that takes Bedrock's own paths instead of AWS: a local emulator (`npx bedrock-edge emulator`) or a proxy.
import { createBedrock } from "bedrock-edge";

const prompt = process.argv[2] ?? "Why is the sky blue?";
const url = process.env.BEDROCK_URL;

const bedrock = createBedrock({
  region: process.env.AWS_REGION ?? "us-east-1",
  ...(url && { url, modelIdPrefix: "none" }),
  models: { default: { modelName: process.env.BEDROCK_MODEL ?? "anthropic.claude-3-haiku-20240307-v1:0" } },
});

try {
  for await (const event of bedrock.stream([{ role: "user", content: prompt }])) {
    if (event.type === "text") process.stdout.write(event.text);
    if (event.type === "finish") console.log(`\n[${event.stopReason}, ${event.usage?.totalTokens ?? "?"} tokens]`);
  }
} catch (error) {
  // BedrockError: AWS's code as name (ThrottlingException, AccessDeniedException, ...) and a hint.
  console.error(`\n${error.name}: ${error.message}`);
  process.exitCode = 1;
}
