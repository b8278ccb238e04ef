import { afterEach, describe, expect, it } from "vitest";
import { createBedrock, request } from "../../src/client/create";
import { fault } from "../../src/emulator";
import { BedrockError } from "../../src/errors";
import type { ChatEvent } from "../../src/types/events";
import { closer, HAIKU, startProxy, startUpstream, TOKEN, UPSTREAM_KEY, waitFor } from "./setup";

// The core client, unchanged, talks to the proxy exactly as it would to any `url`; the proxy forwards to the
// emulator (standing in for https://bedrock-runtime.{region}.amazonaws.com) over real loopback HTTP.

const servers = closer();
afterEach(() => servers.closeAll());

const weatherTool = {
  name: "get_weather",
  description: "Get the current weather for a city",
  inputSchema: {
    type: "object",
    properties: { city: { type: "string", description: "The city name" } },
    required: ["city"],
  },
};

async function setup(emulatorOptions = {}, proxyOptions = {}) {
  const upstream = servers.add(await startUpstream(emulatorOptions));
  const proxy = servers.add(await startProxy(upstream, proxyOptions));
  const client = createBedrock({ url: `${proxy.url}/model/`, key: TOKEN, region: "us-west-2" }, { env: {} });
  return { upstream, proxy, client };
}

async function collect(stream: ReadableStream<ChatEvent>): Promise<ChatEvent[]> {
  const events: ChatEvent[] = [];
  for await (const event of stream as unknown as AsyncIterable<ChatEvent>) events.push(event);
  return events;
}

describe("the core client through the proxy to the emulator", () => {
  it("streams a text answer; upstream sees the AWS path and the proxy's key, never the caller's token", async () => {
    const { upstream, client } = await setup();
    const events = await collect(
      client.stream([{ role: "user", content: "Say hello to the proxy" }], { model: HAIKU }),
    );
    const text = events.flatMap((e) => (e.type === "text" ? [e.text] : [])).join("");
    expect(text.length).toBeGreaterThan(0);
    const finish = events.find((e) => e.type === "finish");
    expect(finish).toMatchObject({ type: "finish", stopReason: "end_turn" });
    expect(events.some((e) => e.type === "usage")).toBe(true);

    expect(upstream.seen).toHaveLength(1);
    const seen = upstream.seen[0];
    // The documented form `us-west-2.{id}` became AWS's `/model/{percent-encoded id}/converse-stream`.
    expect(seen.url.pathname).toBe("/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream");
    expect(seen.headers.get("authorization")).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(JSON.stringify([...seen.headers])).not.toContain(TOKEN);
    expect(seen.headers.get("content-type")).toBe("application/json");
    expect(seen.headers.get("accept")).toBe("application/vnd.amazon.eventstream");
    expect(JSON.parse(new TextDecoder().decode(seen.body)).messages[0].content[0].text).toBe(
      "Say hello to the proxy",
    );
  });

  it("streams a tool call and then the answer from the tool result", async () => {
    const { client } = await setup();
    const ask = [{ role: "user" as const, content: "What is the weather in Paris?" }];
    const events = await collect(client.stream(ask, { model: HAIKU, tools: [weatherTool] }));
    const call = events.find((e) => e.type === "tool-call");
    expect(call).toMatchObject({ type: "tool-call", name: "get_weather" });
    const args = (call as Extract<ChatEvent, { type: "tool-call" }>).arguments as { city?: unknown };
    expect(args.city).toMatch(/paris/i);
    const finish = events.find((e) => e.type === "finish") as Extract<ChatEvent, { type: "finish" }>;
    expect(finish.stopReason).toBe("tool_use");

    const id = (call as Extract<ChatEvent, { type: "tool-call" }>).id;
    const followUp = [
      ...ask,
      finish.message,
      {
        role: "user" as const,
        content: [{ toolResult: { toolUseId: id, content: [{ text: "18 degrees and sunny" }] } }],
      },
    ];
    const answer = await collect(client.stream(followUp as any, { model: HAIKU, tools: [weatherTool] }));
    const text = answer.flatMap((e) => (e.type === "text" ? [e.text] : [])).join("");
    expect(text).toContain("18 degrees and sunny");
  });

  it("serves /converse (no streaming) too", async () => {
    const { upstream, proxy } = await setup();
    const config = { url: `${proxy.url}/model/`, key: TOKEN, region: "eu-central-1" };
    const result = await request(config, [{ role: "user", content: "Hello" }], {
      model: HAIKU,
      stream: false,
    });
    expect(result.outputText.length).toBeGreaterThan(0);
    expect(result.stopReason).toBe("end_turn");
    expect(upstream.seen[0].url.pathname).toBe("/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse");
    expect(upstream.seen[0].headers.get("accept")).toBe("application/json");
  });

  it("passes Bedrock's errors through: status, x-amzn-ErrorType, x-amzn-RequestId and message", async () => {
    const { upstream, client } = await setup({ faults: [fault.throttle("Slow down, proxy test")] });
    const error = await client
      .request([{ role: "user", content: "Hello" }], { model: HAIKU, maxRetries: 0 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BedrockError);
    expect(error).toMatchObject({ name: "ThrottlingException", status: 429 });
    expect((error as BedrockError).message).toContain("Slow down, proxy test");
    expect((error as BedrockError).requestId).toBe(upstream.seen[0].info?.requestId);
  });

  it("passes a mid-stream exception frame through as bytes", async () => {
    const { client } = await setup({ faults: [fault.throttleFrame(3, "frame from upstream")] });
    const error = await collect(
      client.stream([{ role: "user", content: "Tell me a story" }], { model: HAIKU, maxRetries: 0 }),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "ThrottlingException", phase: "stream" });
  });
});

describe("streaming and cancellation", () => {
  it("delivers the first event before the upstream has finished (no buffering)", async () => {
    // The emulator sends two events, then stalls 2.5 s before the rest: a buffering proxy would deliver
    // everything at the end, so the first event and the end would arrive together.
    const { client } = await setup({ faults: [fault.stall(2500, 2)] });
    let firstAt = 0;
    const events: ChatEvent[] = [];
    for await (const event of client.stream([{ role: "user", content: "Hello there" }], {
      model: HAIKU,
    }) as unknown as AsyncIterable<ChatEvent>) {
      firstAt ||= Date.now();
      events.push(event);
    }
    const endedAt = Date.now();
    expect(events.some((e) => e.type === "finish")).toBe(true);
    expect(endedAt - firstAt).toBeGreaterThanOrEqual(1500);
  });

  it("closes the upstream connection when the caller goes away", async () => {
    const { upstream, proxy } = await setup({ faults: [fault.stall(20_000, 1)] });
    const controller = new AbortController();
    const response = await fetch(`${proxy.url}/model/us-east-1.${HAIKU}/converse-stream`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: [{ text: "Hi" }] }] }),
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(first.value?.byteLength).toBeGreaterThan(0);
    expect(upstream.seen[0].cutOff).toBe(false);
    const abortedAt = Date.now();
    controller.abort();
    await waitFor(() => upstream.seen[0].cutOff, 5000);
    expect(Date.now() - abortedAt).toBeLessThan(5000);
  });

  it("closes the upstream connection when the client's stream is cancelled", async () => {
    const { upstream, client } = await setup({ faults: [fault.stall(20_000, 2)] });
    const stream = client.stream([{ role: "user", content: "Hello" }], { model: HAIKU });
    const reader = stream.getReader();
    await reader.read();
    await reader.cancel();
    await waitFor(() => upstream.seen[0]?.cutOff === true, 5000);
  });
});
