import {
  ConverseCommand,
  type ConverseCommandInput,
  ConverseStreamCommand,
  type ConverseStreamOutput,
  type Tool,
} from "@aws-sdk/client-bedrock-runtime";
import { describe, expect, it } from "vitest";
import { MODEL, sdkClient, startEmulator } from "./helpers";

// The official SDK decodes /converse-stream into the events the emulator meant, and those events add up
// to the same message /converse returns for the same request.

const { server } = await startEmulator();
const client = sdkClient(server.url);

async function collect(input: ConverseCommandInput, c = client): Promise<ConverseStreamOutput[]> {
  const out = await c.send(new ConverseStreamCommand(input));
  const events: ConverseStreamOutput[] = [];
  for await (const event of out.stream!) events.push(event);
  return events;
}

/** Rebuilds Converse content blocks from stream events, the way a client accumulates them. */
function accumulate(events: ConverseStreamOutput[]) {
  const blocks: any[] = [];
  for (const e of events) {
    if (e.contentBlockStart?.start?.toolUse) {
      blocks[e.contentBlockStart.contentBlockIndex!] = {
        toolUse: { ...e.contentBlockStart.start.toolUse, input: "" },
      };
    }
    const d = e.contentBlockDelta;
    if (!d) continue;
    const i = d.contentBlockIndex!;
    const delta = d.delta!;
    if (delta.text !== undefined) {
      if (blocks[i]?.citationsContent) blocks[i].citationsContent.content[0].text += delta.text;
      else blocks[i] = { text: (blocks[i]?.text ?? "") + delta.text };
    } else if (delta.toolUse) blocks[i].toolUse.input += delta.toolUse.input;
    else if (delta.reasoningContent?.text !== undefined) {
      blocks[i] ??= { reasoningContent: { reasoningText: { text: "" } } };
      blocks[i].reasoningContent.reasoningText.text += delta.reasoningContent.text;
    } else if (delta.reasoningContent?.signature) {
      blocks[i].reasoningContent.reasoningText.signature = delta.reasoningContent.signature;
    } else if (delta.citation) {
      blocks[i] ??= { citationsContent: { citations: [], content: [{ text: "" }] } };
      blocks[i].citationsContent.citations.push(delta.citation);
    }
  }
  return blocks.map((b) =>
    b.toolUse ? { toolUse: { ...b.toolUse, input: JSON.parse(b.toolUse.input) } } : b,
  );
}

const weatherTool: Tool = {
  toolSpec: {
    name: "get_weather",
    description: "Get the current weather for a city.",
    inputSchema: { json: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
  },
};

const cases: [string, ConverseCommandInput][] = [
  ["text", { modelId: MODEL, messages: [{ role: "user", content: [{ text: "Write 40 words" }] }] }],
  [
    "tool use",
    {
      modelId: MODEL,
      messages: [{ role: "user", content: [{ text: "What's the weather in New York today?" }] }],
      toolConfig: { tools: [weatherTool] },
    },
  ],
  [
    "reasoning",
    {
      modelId: MODEL,
      messages: [{ role: "user", content: [{ text: "Hello" }] }],
      additionalModelRequestFields: { thinking: { type: "enabled", budget_tokens: 2048 } },
    },
  ],
  [
    "citations",
    {
      modelId: MODEL,
      messages: [
        {
          role: "user",
          content: [
            { text: "What is the return window?" },
            {
              document: {
                name: "Document 1",
                format: "txt",
                source: { text: "The return window is thirty days from purchase." },
                citations: { enabled: true },
              },
            },
          ],
        },
      ],
    },
  ],
];

describe("ConverseStreamCommand against the emulator", () => {
  for (const [name, input] of cases) {
    it(`streams ${name}: events accumulate to the /converse message, metadata last with the same usage`, async () => {
      const events = await collect(input);
      const whole = await client.send(new ConverseCommand(input));
      expect(events[0]).toEqual({ messageStart: { role: "assistant" } });
      const types = events.map((e) => Object.keys(e)[0]);
      expect(types.slice(-2)).toEqual(["messageStop", "metadata"]);
      expect(events.at(-2)?.messageStop?.stopReason).toBe(whole.stopReason);
      expect(events.at(-1)?.metadata?.usage).toEqual(whole.usage);
      expect(events.at(-1)?.metadata?.metrics?.latencyMs).toBeGreaterThanOrEqual(0);
      expect(accumulate(events)).toEqual(whole.output?.message?.content);
      // Each block is closed once, after its deltas.
      const stops = events.flatMap((e) => (e.contentBlockStop ? [e.contentBlockStop.contentBlockIndex] : []));
      expect(stops).toEqual(whole.output!.message!.content!.map((_, i) => i));
    });
  }

  it("streams text as several deltas", async () => {
    const events = await collect(cases[0][1]);
    const deltas = events.filter((e) => e.contentBlockDelta?.delta?.text !== undefined);
    expect(deltas.length).toBeGreaterThan(5);
  });

  it("streams tool input as several toolUse deltas after a contentBlockStart; stopReason tool_use", async () => {
    const events = await collect(cases[1][1]);
    const start = events.find((e) => e.contentBlockStart)!.contentBlockStart!;
    expect(start.start?.toolUse).toMatchObject({
      name: "get_weather",
      toolUseId: expect.stringMatching(/^tooluse_/),
    });
    const inputs = events
      .filter((e) => e.contentBlockDelta?.delta?.toolUse)
      .map((e) => e.contentBlockDelta!.delta!.toolUse!.input);
    expect(inputs.length).toBeGreaterThan(1);
    expect(JSON.parse(inputs.join(""))).toEqual({ city: "New York" });
    expect(events.at(-2)?.messageStop?.stopReason).toBe("tool_use");
  });

  it("streams reasoning text deltas, then a signature delta, at index 0; text at index 1", async () => {
    const events = await collect(cases[2][1]);
    const reasoning = events.filter((e) => e.contentBlockDelta?.delta?.reasoningContent);
    expect(reasoning.every((e) => e.contentBlockDelta?.contentBlockIndex === 0)).toBe(true);
    expect(reasoning.at(-1)?.contentBlockDelta?.delta?.reasoningContent?.signature).toBeTruthy();
    expect(
      reasoning.slice(0, -1).every((e) => e.contentBlockDelta?.delta?.reasoningContent?.text !== undefined),
    ).toBe(true);
    const text = events.filter((e) => e.contentBlockDelta?.delta?.text !== undefined);
    expect(text.every((e) => e.contentBlockDelta?.contentBlockIndex === 1)).toBe(true);
  });

  it("sends the citation delta before the cited text, as Bedrock does", async () => {
    const events = await collect(cases[3][1]);
    const deltas = events.filter((e) => e.contentBlockDelta).map((e) => e.contentBlockDelta!.delta!);
    expect(deltas[0].citation?.location?.documentChar).toEqual({ documentIndex: 0, start: 0, end: 47 });
    expect(
      deltas
        .slice(1)
        .map((d) => d.text)
        .join(""),
    ).toBe("The return window is thirty days from purchase.");
  });

  it("works with a 1-byte chunk size (header) and gives identical events", async () => {
    const oneByte = sdkClient(server.url, { headers: { "x-bedrock-edge-chunk-size": "1" } });
    const [a, b] = await Promise.all([collect(cases[1][1], oneByte), collect(cases[1][1])]);
    const strip = (events: ConverseStreamOutput[]) =>
      events.map((e) => (e.metadata ? { ...e, metadata: { ...e.metadata, metrics: {} } } : e));
    expect(strip(a)).toEqual(strip(b));
  });

  it("truncates a stream at maxTokens with stopReason max_tokens", async () => {
    const events = await collect({ ...cases[0][1], inferenceConfig: { maxTokens: 7 } });
    const text = events.map((e) => e.contentBlockDelta?.delta?.text ?? "").join("");
    expect(text).toBe("The quick brown fox jumps over a");
    expect(events.at(-2)?.messageStop?.stopReason).toBe("max_tokens");
    expect(events.at(-1)?.metadata?.usage?.outputTokens).toBe(7);
  });
});
