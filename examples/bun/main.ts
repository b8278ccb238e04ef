// Streams a Bedrock answer to the terminal.
//   BEDROCK_API_KEY=... bun main.ts "Why is the sky blue?"
// Bun loads .env files itself, so the key can live in a git-ignored .env. BEDROCK_URL (optional): a local
// emulator (`bunx bedrock-edge emulator`) or a proxy instead of AWS.
import { createBedrock } from "bedrock-edge";

declare const Bun: { argv: string[]; env: Record<string, string | undefined> };

const prompt = Bun.argv[2] ?? "Why is the sky blue?";
const url = Bun.env.BEDROCK_URL;

const bedrock = createBedrock(
  {
    region: Bun.env.AWS_REGION ?? "us-east-1",
    ...(url && { url, modelIdPrefix: "none" }),
    models: { default: { modelName: Bun.env.BEDROCK_MODEL ?? "anthropic.claude-3-haiku-20240307-v1:0" } },
  },
  { env: Bun.env }, // the key: BEDROCK_API_KEY or AWS_BEARER_TOKEN_BEDROCK
);

try {
  for await (const event of bedrock.stream([{ role: "user", content: prompt }])) {
    if (event.type === "text") process.stdout.write(event.text);
    if (event.type === "finish")
      console.log(`\n[${event.stopReason}, ${event.usage?.totalTokens ?? "?"} tokens]`);
  }
} catch (error) {
  const e = error as Error;
  console.error(`\n${e.name}: ${e.message}`);
  process.exitCode = 1;
}
