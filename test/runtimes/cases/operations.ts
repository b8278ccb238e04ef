// The operations beyond Converse (issue 16) on every runtime: CountTokens, embeddings, InvokeModel and its
// stream, ApplyGuardrail, through the built package against the loopback emulator.
import { client, MODEL } from "./emulator-client.ts";
import { equal, ok, test } from "./harness.ts";

const user = (text: string) => [{ role: "user" as const, content: text }];
const anthropicBody = (text: string) => ({
  anthropic_version: "bedrock-2023-05-31",
  max_tokens: 100,
  messages: user(text),
});

test("operations: countTokens equals the inputTokens the answer reports", async (ctx) => {
  const bedrock = client(ctx);
  const messages = user("How many moons does Mars have?");
  const { inputTokens } = await bedrock.countTokens(messages, { model: "haiku" });
  const result = await bedrock.request(messages, { model: "haiku" });
  ok(inputTokens > 0, `a count (got ${inputTokens})`);
  equal(inputTokens, result.usage?.inputTokens, "inputTokens");
});

test("operations: embed gives unit vectors of the asked dimension, similar texts closer", async (ctx) => {
  const { embeddings } = await client(ctx).embed(
    ["a black cat sleeps", "the black cats sleep", "tax returns"],
    {
      model: "amazon.titan-embed-text-v2:0",
      dimensions: 256,
    },
  );
  equal(embeddings.length, 3, "one vector per value");
  equal(embeddings[0].length, 256, "dimension");
  const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
  ok(Math.abs(dot(embeddings[0], embeddings[0]) - 1) < 1e-4, "unit length");
  ok(dot(embeddings[0], embeddings[1]) > dot(embeddings[0], embeddings[2]), "similar texts are closer");
});

test("operations: invoke returns the native answer; invokeStream its chunks and the metrics", async (ctx) => {
  const bedrock = client(ctx);
  const body = anthropicBody("Name a planet.");
  const answer = await bedrock.invoke<{ content: { text: string }[] }>(body, { model: MODEL });
  ok(answer.body.content[0].text.length > 0, "answer text");
  ok((answer.usage.outputTokens ?? 0) > 0, "output tokens from the headers");
  const stream = bedrock.invokeStream<{ type: string; delta?: { text?: string } }>(body, { model: MODEL });
  let text = "";
  for await (const chunk of stream) if (chunk.type === "content_block_delta") text += chunk.delta?.text ?? "";
  equal(text, answer.body.content[0].text, "streamed text");
  equal(stream.usage?.outputTokens, answer.usage.outputTokens, "metrics at the end");
});

test("operations: invokeStream reports an exception frame with the chunks that arrived", async (ctx) => {
  const bedrock = client(ctx, { headers: { "x-bedrock-edge-fault": "model-stream-error;after=2" } });
  let seen = 0;
  let error: any;
  try {
    for await (const _ of bedrock.invokeStream(anthropicBody("Tell me a story."), { model: MODEL })) seen++;
  } catch (e) {
    error = e;
  }
  equal(error?.name, "ModelStreamErrorException", "error name");
  equal(seen, 2, "chunks before the failure");
  equal(error?.partial?.eventsDelivered, 2, "partial.eventsDelivered");
});

test("operations: applyGuardrail intervenes on a blocked word", async (ctx) => {
  const result = await client(ctx).applyGuardrail({
    guardrailIdentifier: "gr-runtime",
    guardrailVersion: "1",
    source: "INPUT",
    content: [{ text: { text: "please BLOCKME" } }],
  });
  equal(result.action, "GUARDRAIL_INTERVENED", "action");
});
