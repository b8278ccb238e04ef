// Counts the prompt's input tokens (CountTokens), then streams a Bedrock answer to the terminal.
//   BEDROCK_API_KEY=... deno run --allow-net --allow-env=BEDROCK_API_KEY,AWS_BEARER_TOKEN_BEDROCK,AWS_REGION,BEDROCK_URL,BEDROCK_MODEL main.ts "Why is the sky blue?"
// BEDROCK_URL (optional): a local emulator (`npx bedrock-edge emulator`) or a proxy instead of AWS.
import { createBedrock } from "bedrock-edge";

const prompt = Deno.args[0] ?? "Why is the sky blue?";
const url = Deno.env.get("BEDROCK_URL");
const encoder = new TextEncoder();
const write = (text: string) => Deno.stdout.writeSync(encoder.encode(text));

const bedrock = createBedrock(
  {
    // Read from Deno.env explicitly: the key never has to be written into code or config files.
    key: Deno.env.get("BEDROCK_API_KEY") ?? Deno.env.get("AWS_BEARER_TOKEN_BEDROCK"),
    region: Deno.env.get("AWS_REGION") ?? "us-east-1",
    ...(url && { url, modelIdPrefix: "none" }),
    models: {
      default: { modelName: Deno.env.get("BEDROCK_MODEL") ?? "anthropic.claude-3-haiku-20240307-v1:0" },
    },
  },
  { env: {} },
);

const messages = [{ role: "user" as const, content: prompt }];
try {
  // What the request will cost before sending it: counted by the same request builder, nothing generated.
  const { inputTokens } = await bedrock.countTokens(messages);
  write(`[${inputTokens} input tokens]\n`);
  for await (const event of bedrock.stream(messages)) {
    if (event.type === "text") write(event.text);
    if (event.type === "finish")
      write(
        `\n[${event.stopReason}, ${event.usage?.inputTokens ?? "?"} in, ${event.usage?.totalTokens ?? "?"} tokens]\n`,
      );
  }
} catch (error) {
  const e = error as Error;
  console.error(`\n${e.name}: ${e.message}`);
  Deno.exitCode = 1;
}
