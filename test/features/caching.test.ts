import { describe, expect, it } from "vitest";
import { documentBlock } from "../../src/request/blocks";
import { buildConverseBody } from "../../src/request/body";
import { cachePoint } from "../../src/request/messages";
import type { TokenUsage } from "../../src/types/events";
import { capture } from "../helpers/fixtures";
import { clientFor, emulator, pairs, replayConverse, replayStream } from "./helpers";

const usageOf = (payload: string) => JSON.parse(payload).usage;

describe("prompt caching (recorded Claude cache traffic)", () => {
  const recorded = pairs("test_bedrock_cache_write_and_read.json");
  const want = JSON.parse(recorded[0].request.body);
  const text = (i: number) => want.messages[0].content[i].text as string;
  const messages = [
    { role: "system" as const, content: [want.system[0], cachePoint()] },
    {
      role: "user" as const,
      content: [
        text(0),
        documentBlock(new TextEncoder().encode("You are a great mathematician"), { name: "Document 1" }),
        text(2),
        cachePoint(),
        text(4),
        cachePoint(),
      ],
    },
  ];
  const noInput = { additionalProperties: false, properties: {}, type: "object" };
  const tools = [
    { name: "catalog_lookup", inputSchema: noInput },
    { name: "diagnostics", inputSchema: noInput },
    cachePoint(),
  ];

  it("cachePoint in system, messages and tools: the body AWS cached with", () => {
    const body = buildConverseBody(messages, { tools, toolChoice: "auto" });
    expect(body.system).toEqual(want.system);
    expect(body.messages).toEqual(want.messages);
    expect(body.toolConfig).toEqual(want.toolConfig);
    expect(cachePoint("1h")).toEqual({ cachePoint: { type: "default", ttl: "1h" } });
    expect(() => cachePoint("10m" as any)).toThrow(/cachePoint\.ttl/);
  });

  it("/converse: cache write then cache read, every usage field kept", async () => {
    const server = await replayConverse(recorded);
    const client = clientFor(server.url, "us.anthropic.claude-sonnet-4-5-20250929-v1:0");
    const first = await client.request(messages, { stream: false, tools, toolChoice: "auto" });
    const second = await client.request(messages, { stream: false, tools, toolChoice: "auto" });
    expect(first.usage).toEqual((recorded[0].response.body as any).usage);
    expect(second.usage).toEqual((recorded[1].response.body as any).usage);
    expect(first.usage).toMatchObject({ cacheWriteInputTokens: 1322, cacheReadInputTokens: 0 });
    expect(second.usage).toMatchObject({ cacheWriteInputTokens: 0, cacheReadInputTokens: 1322 });
    expect(first.outputText).toBe("21");
  });

  it("/converse: cacheDetails (tokens written per TTL) in usage", async () => {
    const docs = pairs("test_bedrock_cache_messages_with_document_as_last_content.json");
    const server = await replayConverse(docs);
    const client = clientFor(server.url);
    for (const pair of docs) {
      const result = await client.request(JSON.parse(pair.request.body).messages, { stream: false });
      expect(result.usage).toEqual((pair.response.body as any).usage);
    }
    const usages = docs.map((p) => (p.response.body as any).usage as TokenUsage);
    expect(usages[1].cacheDetails).toEqual([{ inputTokens: 236, ttl: "5m" }]);
  });

  it("stream: cache counts from the metadata event, through onUsageUpdated and the result", async () => {
    for (const name of [
      "ddtrace_bedrock_converse_stream_prompt_caching.0",
      "ddtrace_bedrock_converse_stream_prompt_caching.1",
    ]) {
      const cap = capture(name);
      const server = await replayStream(cap.bytes);
      const seen: TokenUsage[] = [];
      const result = await clientFor(server.url).request(JSON.parse(cap.request.body).messages, {
        onUsageUpdated: (u) => seen.push(u),
      });
      const wantUsage = usageOf(cap.frames.at(-1)!.payload);
      expect(result.usage).toEqual(wantUsage);
      expect(seen).toEqual([wantUsage]);
    }
  });
});

describe("prompt caching against the emulator", async () => {
  const emu = await emulator();
  it("writes the prefix up to the cache point once (with its TTL), then reads it", async () => {
    const client = emu.client();
    const context = "The warehouse opens at nine. ".repeat(200);
    const messages = [
      { role: "system" as const, content: [{ text: context }, cachePoint("1h")] },
      { role: "user" as const, content: "When does the warehouse open?" },
    ];
    const first = await client.request(messages);
    const second = await client.request(messages, { stream: false });
    expect(first.usage!.cacheWriteInputTokens).toBeGreaterThan(100);
    expect(first.usage!.cacheReadInputTokens).toBe(0);
    expect(first.usage!.cacheDetails).toEqual([
      { ttl: "1h", inputTokens: first.usage!.cacheWriteInputTokens },
    ]);
    expect(second.usage).toMatchObject({
      cacheReadInputTokens: first.usage!.cacheWriteInputTokens,
      cacheWriteInputTokens: 0,
    });
    expect(emu.seen.at(-1)!.body!.system).toEqual([
      { text: context },
      { cachePoint: { type: "default", ttl: "1h" } },
    ]);
  });
});
