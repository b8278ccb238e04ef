// What each contender does with one generated stream, written as a user of each library would write it. Runs
// unchanged on Node, Deno and Bun. Every consumer reads the whole stream and keeps the answer and the tool calls
// (parsed); with `verify` it returns a summary so the runner can check all of them saw the same content.
import { ConversePipeline, createBedrock } from "bedrock-edge";

const MESSAGES = [{ role: "user", content: "Write the files." }];
const summary = (text, reasoning, calls) => ({
  text: text.length,
  reasoning: reasoning.length,
  toolCalls: calls.length,
  toolInput: calls.reduce((n, c) => n + JSON.stringify(c).length, 0),
});

export function consumers(url) {
  const model = (shape) => `bench.${shape}`;
  const post = (shape) =>
    fetch(`${url}/model/${model(shape)}/converse-stream`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer bench" },
      body: JSON.stringify({ messages: [{ role: "user", content: [{ text: "Write the files." }] }] }),
    });
  const client = createBedrock(
    { key: "bench", url: `${url}/model`, modelIdPrefix: "none", maxRetries: 0 },
    { env: {} },
  );

  return {
    /** The floor: fetch and read every byte, nothing decoded. */
    async "raw fetch"(shape) {
      const reader = (await post(shape)).body.getReader();
      let bytes = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return bytes;
        bytes += value.length;
      }
    },
    /** bedrock-edge's fused pipeline fed straight from fetch: decode, parse, accumulate. */
    async "bedrock-edge pipeline"(shape, verify) {
      const reader = (await post(shape)).body.getReader();
      const pipeline = new ConversePipeline();
      let events = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        events += pipeline.feed(value).length;
      }
      events += pipeline.end().length;
      if (pipeline.error) throw pipeline.error;
      const acc = pipeline.accumulator;
      if (!verify) return events;
      const reasoning = acc
        .message()
        .content.map((b) => b.reasoningContent?.reasoningText?.text ?? "")
        .join("");
      return summary(
        acc.outputText,
        reasoning,
        acc.toolCalls.map((c) => c.arguments),
      );
    },
    /** bedrock-edge request(): the whole result, tool calls parsed. */
    async "bedrock-edge request"(shape, verify) {
      const result = await client.request(MESSAGES, { model: model(shape) });
      if (!verify) return result.toolsToCall.length;
      return summary(
        result.outputText,
        result.reasoning?.text ?? "",
        result.toolsToCall.map((c) => c.arguments),
      );
    },
    /** bedrock-edge stream(): every chat event through a ReadableStream. */
    async "bedrock-edge stream"(shape, verify) {
      let text = "";
      let reasoning = "";
      let calls = [];
      for await (const event of client.stream(MESSAGES, { model: model(shape) })) {
        if (!verify) continue;
        if (event.type === "text") text += event.text;
        else if (event.type === "reasoning" && event.text) reasoning += event.text;
        else if (event.type === "finish") calls = event.toolCalls.map((c) => c.arguments);
      }
      return verify ? summary(text, reasoning, calls) : 0;
    },
  };
}

/** @aws-sdk/client-bedrock-runtime ConverseStream: text and tool input accumulated, inputs parsed at block end. */
export async function awsSdkConsumer(url) {
  const { BedrockRuntimeClient, ConverseStreamCommand } = await import("@aws-sdk/client-bedrock-runtime");
  const { NodeHttpHandler } = await import("@smithy/node-http-handler");
  const client = new BedrockRuntimeClient({
    region: "us-east-1",
    endpoint: url,
    credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "bench-secret" },
    // HTTP/1.1, as every other contender speaks (the default handler would try HTTP/2).
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 1,
  });
  return async (shape, verify) => {
    const response = await client.send(
      new ConverseStreamCommand({
        modelId: `bench.${shape}`,
        messages: [{ role: "user", content: [{ text: "Write the files." }] }],
      }),
    );
    let text = "";
    let reasoning = "";
    const inputs = new Map();
    const calls = [];
    for await (const event of response.stream) {
      const d = event.contentBlockDelta;
      if (d) {
        if (d.delta.text !== undefined) text += d.delta.text;
        else if (d.delta.toolUse)
          inputs.set(d.contentBlockIndex, (inputs.get(d.contentBlockIndex) ?? "") + d.delta.toolUse.input);
        else if (d.delta.reasoningContent?.text) reasoning += d.delta.reasoningContent.text;
      } else if (event.contentBlockStop && inputs.has(event.contentBlockStop.contentBlockIndex)) {
        calls.push(JSON.parse(inputs.get(event.contentBlockStop.contentBlockIndex)));
      }
    }
    return verify ? summary(text, reasoning, calls) : calls.length;
  };
}

/** @ai-sdk/amazon-bedrock with `ai`'s streamText, the tool declared (no execute) so calls come back parsed. */
export async function aiSdkConsumer(url) {
  const { createAmazonBedrock } = await import("@ai-sdk/amazon-bedrock");
  const { jsonSchema, streamText, tool } = await import("ai");
  const bedrock = createAmazonBedrock({ baseURL: url, region: "us-east-1", apiKey: "bench" });
  const tools = {
    write_file: tool({ description: "Writes a file", inputSchema: jsonSchema({ type: "object" }) }),
  };
  return async (shape, verify) => {
    const result = streamText({
      model: bedrock(`bench.${shape}`),
      prompt: "Write the files.",
      tools,
      maxRetries: 0,
    });
    let text = "";
    let reasoning = "";
    const calls = [];
    for await (const part of result.fullStream) {
      if (part.type === "text-delta") text += part.text;
      else if (part.type === "reasoning-delta") reasoning += part.text;
      else if (part.type === "tool-call") calls.push(part.input);
      else if (part.type === "error") throw part.error;
    }
    return verify ? summary(text, reasoning, calls) : calls.length;
  };
}

const WRITE_FILE_SCHEMA = { type: "object" };

/** Reads a LanguageModelV4 doStream result directly (the provider's own cost, no `ai` layer). */
async function readParts(stream, verify) {
  const reader = stream.getReader();
  let text = "";
  let reasoning = "";
  const calls = [];
  let parts = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts++;
    if (!verify) {
      if (value.type === "error") throw value.error;
      continue;
    }
    if (value.type === "text-delta") text += value.delta;
    else if (value.type === "reasoning-delta") reasoning += value.delta;
    else if (value.type === "tool-call") calls.push(JSON.parse(value.input));
    else if (value.type === "error") throw value.error;
  }
  return verify ? summary(text, reasoning, calls) : parts;
}

const DO_STREAM_OPTIONS = {
  prompt: [{ role: "user", content: [{ type: "text", text: "Write the files." }] }],
  tools: [
    { type: "function", name: "write_file", description: "Writes a file", inputSchema: WRITE_FILE_SCHEMA },
  ],
};

/** bedrock-edge/ai-sdk's provider, from the same config `createBedrock` takes. */
async function ourProvider(url) {
  const { createBedrockEdge } = await import("bedrock-edge/ai-sdk");
  return createBedrockEdge({ key: "bench", url: `${url}/model`, modelIdPrefix: "none" }, { env: {} });
}

/** @ai-sdk/amazon-bedrock's LanguageModelV4 doStream, read directly. */
export async function aiSdkModelConsumer(url) {
  const { createAmazonBedrock } = await import("@ai-sdk/amazon-bedrock");
  const bedrock = createAmazonBedrock({ baseURL: url, region: "us-east-1", apiKey: "bench" });
  return async (shape, verify) =>
    readParts((await bedrock(`bench.${shape}`).doStream(DO_STREAM_OPTIONS)).stream, verify);
}

/** bedrock-edge/ai-sdk's LanguageModelV4 doStream, read directly. */
export async function edgeModelConsumer(url) {
  const provider = await ourProvider(url);
  return async (shape, verify) =>
    readParts((await provider(`bench.${shape}`).doStream(DO_STREAM_OPTIONS)).stream, verify);
}

/** `ai`'s streamText over a model, read as aiSdkConsumer reads it. */
function streamTextConsumer(streamText, tools, model) {
  return async (shape, verify) => {
    const result = streamText({ model: model(shape), prompt: "Write the files.", tools, maxRetries: 0 });
    let text = "";
    let reasoning = "";
    const calls = [];
    for await (const part of result.fullStream) {
      if (part.type === "text-delta") text += part.text;
      else if (part.type === "reasoning-delta") reasoning += part.text;
      else if (part.type === "tool-call") calls.push(part.input);
      else if (part.type === "error") throw part.error;
    }
    return verify ? summary(text, reasoning, calls) : calls.length;
  };
}

/** bedrock-edge/ai-sdk under `ai`'s streamText, as a user of the official provider would switch to it. */
export async function edgeAiSdkConsumer(url) {
  const { jsonSchema, streamText, tool } = await import("ai");
  const provider = await ourProvider(url);
  const tools = {
    write_file: tool({ description: "Writes a file", inputSchema: jsonSchema(WRITE_FILE_SCHEMA) }),
  };
  return streamTextConsumer(streamText, tools, (shape) => provider(`bench.${shape}`));
}

/**
 * The AI SDK's own floor: streamText over a model that replays, from memory, the parts bedrock-edge/ai-sdk gave
 * for the same stream (recorded once per shape): no network, no decoding, only `ai`'s layer.
 */
export async function aiFloorConsumer(url) {
  const { jsonSchema, streamText, tool } = await import("ai");
  const provider = await ourProvider(url);
  const tools = {
    write_file: tool({ description: "Writes a file", inputSchema: jsonSchema(WRITE_FILE_SCHEMA) }),
  };
  const recorded = new Map();
  const replay = (parts) => ({
    specificationVersion: "v4",
    provider: "replay",
    modelId: "replay",
    supportedUrls: {},
    doGenerate: () => Promise.reject(new Error("stream only")),
    async doStream() {
      let i = 0;
      const stream = new ReadableStream({
        pull(c) {
          // Batches of 64 parts per pull, as a network chunk would bring them.
          for (const end = Math.min(i + 64, parts.length); i < end; i++) c.enqueue(parts[i]);
          if (i === parts.length) c.close();
        },
      });
      return { stream };
    },
  });
  const run = streamTextConsumer(streamText, tools, (shape) => replay(recorded.get(shape)));
  return async (shape, verify) => {
    if (!recorded.has(shape)) {
      const parts = [];
      const reader = (await provider(`bench.${shape}`).doStream(DO_STREAM_OPTIONS)).stream.getReader();
      for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(r.value);
      recorded.set(shape, parts);
    }
    return run(shape, verify);
  };
}
