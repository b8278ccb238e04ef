// The official AWS SDK (@aws-sdk/client-bedrock-runtime) against the emulator for the operations beyond
// Converse (issue 16): CountTokens, InvokeModel, InvokeModelWithResponseStream and ApplyGuardrail, signed
// with SigV4 by the SDK itself, decoded by its own deserializers.
import {
  ApplyGuardrailCommand,
  ConverseCommand,
  CountTokensCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from "@aws-sdk/client-bedrock-runtime";
import { describe, expect, it } from "vitest";
import { sdkClient, startEmulator } from "./helpers";

const { server } = await startEmulator();
const client = sdkClient(server.url);
const MODEL = "anthropic.claude-3-5-haiku-20241022-v1:0";
const messages = [{ role: "user" as const, content: [{ text: "Name three rivers in Europe." }] }];
const system = [{ text: "Answer briefly." }];

describe("AWS SDK against the emulator: operations beyond Converse", () => {
  it("CountTokensCommand (converse input) counts what ConverseCommand reports as inputTokens", async () => {
    const counted = await client.send(
      new CountTokensCommand({ modelId: MODEL, input: { converse: { messages, system } } }),
    );
    const answered = await client.send(new ConverseCommand({ modelId: MODEL, messages, system }));
    expect(counted.inputTokens).toBe(answered.usage?.inputTokens);
    expect(counted.inputTokens).toBeGreaterThan(5);
  });

  it("CountTokensCommand (invokeModel input) takes the native body as bytes", async () => {
    const body = new TextEncoder().encode(
      JSON.stringify({
        anthropic_version: "bedrock-2023-05-31",
        max_tokens: 10,
        system: "Answer briefly.",
        messages: [{ role: "user", content: "Name three rivers in Europe." }],
      }),
    );
    const counted = await client.send(
      new CountTokensCommand({ modelId: MODEL, input: { invokeModel: { body } } }),
    );
    const viaConverse = await client.send(
      new CountTokensCommand({ modelId: MODEL, input: { converse: { messages, system } } }),
    );
    expect(counted.inputTokens).toBe(viaConverse.inputTokens);
  });

  it("InvokeModelCommand: an Anthropic body in, its native answer out", async () => {
    const response = await client.send(
      new InvokeModelCommand({
        modelId: MODEL,
        contentType: "application/json",
        body: JSON.stringify({
          anthropic_version: "bedrock-2023-05-31",
          max_tokens: 100,
          messages: [{ role: "user", content: "Name three rivers in Europe." }],
        }),
      }),
    );
    const answer = JSON.parse(new TextDecoder().decode(response.body));
    expect(answer.type).toBe("message");
    expect(answer.content[0].text.length).toBeGreaterThan(0);
    expect(response.contentType).toBe("application/json");
  });

  it("InvokeModelCommand: Titan V2 embeddings of the requested dimension", async () => {
    const response = await client.send(
      new InvokeModelCommand({
        modelId: "amazon.titan-embed-text-v2:0",
        body: JSON.stringify({ inputText: "hello world", dimensions: 512 }),
      }),
    );
    const answer = JSON.parse(new TextDecoder().decode(response.body));
    expect(answer.embedding).toHaveLength(512);
    expect(answer.inputTextTokenCount).toBeGreaterThan(0);
  });

  it("InvokeModelWithResponseStreamCommand: chunks the SDK decodes, metrics on the last", async () => {
    const response = await client.send(
      new InvokeModelWithResponseStreamCommand({
        modelId: MODEL,
        body: JSON.stringify({
          anthropic_version: "bedrock-2023-05-31",
          max_tokens: 100,
          messages: [{ role: "user", content: "Name three rivers in Europe." }],
        }),
      }),
    );
    const chunks: any[] = [];
    for await (const event of response.body!) {
      if (event.chunk?.bytes) chunks.push(JSON.parse(new TextDecoder().decode(event.chunk.bytes)));
    }
    expect(chunks[0].type).toBe("message_start");
    const last = chunks.at(-1);
    expect(last.type).toBe("message_stop");
    expect(last["amazon-bedrock-invocationMetrics"].outputTokenCount).toBeGreaterThan(0);
  });

  it("InvokeModelWithResponseStreamCommand: an exception frame is the SDK's typed exception", async () => {
    const faulty = sdkClient(server.url, { headers: { "x-bedrock-edge-fault": "throttle-frame;after=2" } });
    const response = await faulty.send(
      new InvokeModelWithResponseStreamCommand({
        modelId: MODEL,
        body: JSON.stringify({
          anthropic_version: "bedrock-2023-05-31",
          max_tokens: 100,
          messages: [{ role: "user", content: "hi" }],
        }),
      }),
    );
    let seen = 0;
    const error = await (async () => {
      for await (const event of response.body!) if (event.chunk) seen++;
    })().catch((e) => e);
    expect(seen).toBe(2);
    expect(error?.name).toBe("ThrottlingException");
  });

  it("ApplyGuardrailCommand: NONE for clean text, GUARDRAIL_INTERVENED for a blocked word", async () => {
    const pass = await client.send(
      new ApplyGuardrailCommand({
        guardrailIdentifier: "gr-1",
        guardrailVersion: "1",
        source: "INPUT",
        content: [{ text: { text: "hello" } }],
      }),
    );
    expect(pass.action).toBe("NONE");
    const blocked = await client.send(
      new ApplyGuardrailCommand({
        guardrailIdentifier: "gr-1",
        guardrailVersion: "DRAFT",
        source: "INPUT",
        content: [{ text: { text: "BLOCKME please" } }],
      }),
    );
    expect(blocked.action).toBe("GUARDRAIL_INTERVENED");
    expect(blocked.usage?.wordPolicyUnits).toBe(1);
    expect(blocked.assessments?.[0].wordPolicy?.customWords?.[0].action).toBe("BLOCKED");
  });
});
