// The operations beyond Converse as a strict TypeScript user writes them: every public option and result type
// names what it holds (type-checked by run.mjs with the other typed files; no `any` reaches the caller).
import {
  type ApplyGuardrailInput,
  type CountTokensResult,
  createBedrock,
  type EmbedOptions,
  type EmbedResult,
  type InvokeOptions,
  type InvokeResult,
  type Wire,
} from "bedrock-edge";

interface AnthropicAnswer {
  content: { type: "text"; text: string }[];
  usage: { input_tokens: number; output_tokens: number };
}

export async function operations(emulatorUrl: string, key: string): Promise<string[]> {
  const bedrock = createBedrock({ key, url: `${emulatorUrl}/model/`, modelIdPrefix: "none" }, { env: {} });
  const counted: CountTokensResult = await bedrock.countTokens([{ role: "user", content: "hi" }], {
    model: "anthropic.claude-3-haiku-20240307-v1:0",
  });
  const embedOptions: EmbedOptions = {
    model: "amazon.titan-embed-text-v2:0",
    dimensions: 256,
    purpose: "query",
  };
  const embedded: EmbedResult = await bedrock.embed(["a", "b"], embedOptions);
  const first: number | undefined = embedded.embeddings[0]?.[0];
  const invokeOptions: InvokeOptions = { model: "anthropic.claude-3-haiku-20240307-v1:0", trace: "DISABLED" };
  const answer: InvokeResult<AnthropicAnswer> = await bedrock.invoke<AnthropicAnswer>(
    { anthropic_version: "bedrock-2023-05-31", max_tokens: 50, messages: [{ role: "user", content: "hi" }] },
    invokeOptions,
  );
  const stream = bedrock.invokeStream<{ type: string }>({ messages: [] }, invokeOptions);
  const types: string[] = [];
  for await (const chunk of stream) types.push(chunk.type);
  const outputTokens: number | undefined = stream.usage?.outputTokens;
  const input: ApplyGuardrailInput = {
    guardrailIdentifier: "gr",
    guardrailVersion: "1",
    source: "INPUT",
    content: [{ text: { text: "hello" } }],
  };
  const guard: Wire.ApplyGuardrailResponse = await bedrock.applyGuardrail(input);
  const action: Wire.GuardrailAction = guard.action;
  return [
    String(counted.inputTokens),
    String(first),
    answer.body.content[0]?.text ?? "",
    String(outputTokens),
    action,
    ...types,
  ];
}
