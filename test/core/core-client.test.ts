// bedrock-edge/core: the small ConverseStream client, against the emulator over loopback HTTP. It must give
// the same answers as createBedrock for the same request, with the same errors, retries and cancellation.
import { afterAll, describe, expect, it } from "vitest";
import { createBedrock } from "../../src/client/create";
import { createConverseClient } from "../../src/core";
import { createEmulator, type RequestInfo } from "../../src/emulator";
import { serve } from "../../src/node";
import { createSigV4Authorizer } from "../../src/sigv4";
import type { ChatEvent } from "../../src/types/events";

const KEY = "core-client-key-0123456789";
const MODEL = "us.anthropic.claude-3-7-sonnet-20250219-v1:0";
const seen: RequestInfo[] = [];
const server = await serve(
  createEmulator({
    apiKeys: [KEY],
    accessKeyIds: ["AKIDEXAMPLECORE"],
    onRequest: (info) => seen.push(info),
  }),
);
afterAll(() => server.close());

const core = (extra: Record<string, unknown> = {}) =>
  createConverseClient({
    key: KEY,
    url: `${server.url}/model/`,
    logLevel: "silent",
    ...extra,
  });

const weather = {
  toolSpec: {
    name: "get_weather",
    description: "Current weather for a city",
    inputSchema: {
      json: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    },
  },
};
const ask = (text: string, extra: Record<string, unknown> = {}) => ({
  modelId: MODEL,
  messages: [{ role: "user" as const, content: [{ text }] }],
  ...extra,
});

describe("createConverseClient", () => {
  it("request(): the same answer, tool calls and message as createBedrock for the same request", async () => {
    const input = ask("What is the weather in Lisbon?", { toolConfig: { tools: [weather] } });
    const mine = await core().request(input);
    const full = await createBedrock(
      { key: KEY, url: `${server.url}/model/`, modelIdPrefix: "none", logLevel: "silent" },
      { env: {} },
    ).request(input.messages, {
      model: MODEL,
      tools: [
        {
          name: "get_weather",
          description: weather.toolSpec.description,
          inputSchema: weather.toolSpec.inputSchema.json,
        },
      ],
    });
    expect(mine.stopReason).toBe("tool_use");
    expect(mine.toolsToCall).toHaveLength(1);
    expect(mine.toolsToCall[0]).toMatchObject({ name: "get_weather", arguments: { city: "Lisbon" } });
    expect(mine.toolsToCall.map(({ id, ...c }) => c)).toEqual(full.toolsToCall.map(({ id, ...c }) => c));
    expect(mine.outputText).toBe(full.outputText);
    expect(mine.usage).toEqual(full.usage);
    // The body went out as given (minus modelId, which is in the path: a proxy URL keeps the documented
    // literal `:`), to /converse-stream.
    const sent = seen.at(-2)!;
    expect(sent.path).toBe(`/model/${MODEL}/converse-stream`);
    expect(sent.body).toEqual({ messages: input.messages, toolConfig: input.toolConfig });
  });

  it("stream(): events as they arrive; tool-call deltas are plain records without `partial`", async () => {
    const events: ChatEvent[] = [];
    for await (const e of core().stream(ask("Weather in Oslo?", { toolConfig: { tools: [weather] } })))
      events.push(e);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe("message-start");
    expect(types.at(-1)).toBe("finish");
    const deltas = events.filter((e) => e.type === "tool-call-delta");
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.every((d) => !("partial" in d))).toBe(true);
    const call = events.find((e) => e.type === "tool-call")!;
    expect(deltas.map((d) => d.argumentsText).join("")).toBe(call.argumentsText);
    expect(call.arguments).toEqual({ city: "Oslo" });
  });

  it("retries a throttled call as createBedrock does, and reports what a failed stream had delivered", async () => {
    const key = `core-retry-${Math.random()}`;
    const retried = await core({
      headers: {
        "x-bedrock-edge-fault": "fail-first;count=1;code=ThrottlingException",
        "x-bedrock-edge-fault-key": key,
      },
    }).request(ask("Say hello"));
    expect(retried.outputText.length).toBeGreaterThan(0);
    expect(seen.filter((s) => s.headers["x-bedrock-edge-fault-key"] === key).map((s) => s.status)).toEqual([
      429, 200,
    ]);

    const failing = core({ headers: { "x-bedrock-edge-fault": "throttle-frame;after=3" }, maxRetries: 0 });
    const error = await failing.request(ask("Tell me a story")).catch((e) => e);
    expect(error.name).toBe("ThrottlingException");
    expect(error.phase).toBe("stream");
    expect(error.partial.eventsDelivered).toBeGreaterThan(0);
  });

  it("aborting the caller's signal ends the call with AbortError", async () => {
    const controller = new AbortController();
    const slow = core({ headers: { "x-bedrock-edge-fault": "delay;ms=50" } });
    const events: string[] = [];
    const error = await (async () => {
      for await (const e of slow.stream(ask("Count to ten"), { signal: controller.signal })) {
        events.push(e.type);
        if (events.length === 2) controller.abort();
      }
    })().catch((e) => e);
    expect(error.name).toBe("AbortError");
    expect(events).toHaveLength(2);
  });

  it("signs with SigV4 through bedrock-edge/sigv4's authorizer", async () => {
    const auth = createSigV4Authorizer({
      region: "us-east-1",
      credentials: { accessKeyId: "AKIDEXAMPLECORE", secretAccessKey: "core-secret-key-never-logged" },
    });
    const result = await core({ key: undefined, auth }).request(ask("Hello"));
    expect(result.stopReason).toBe("end_turn");
    const denied = await core({
      key: undefined,
      auth: createSigV4Authorizer({
        region: "us-east-1",
        credentials: { accessKeyId: "AKIDOTHER", secretAccessKey: "core-secret-key-never-logged" },
      }),
    })
      .request(ask("Hello"))
      .catch((e) => e);
    expect(denied.name).toBe("AccessDeniedException");
    expect(JSON.stringify({ m: denied.message, s: denied.stack })).not.toContain(
      "core-secret-key-never-logged",
    );
  });

  it("a rejected key is an AccessDeniedException that never shows the key", async () => {
    const error = await core({ key: "core-wrong-key-987654321" })
      .request(ask("Hello"))
      .catch((e) => e);
    expect(error.name).toBe("AccessDeniedException");
    expect(error.status).toBe(403);
    expect(`${error.message}\n${error.stack}`).not.toContain("core-wrong-key-987654321");
  });

  it("bad config and input are typed errors that say where", async () => {
    expect(() => createConverseClient({ region: "us-east-1" })).toThrow(
      expect.objectContaining({ name: "ConfigError", path: "key" }),
    );
    let bad: any;
    try {
      createConverseClient({ key: "has a space-secret" });
    } catch (e) {
      bad = e;
    }
    expect(bad).toMatchObject({ name: "ConfigError", path: "key" });
    expect(bad.message).not.toContain("space-secret");
    expect(() => createConverseClient({ auth: "nope" as any })).toThrow(
      expect.objectContaining({ name: "ConfigError", path: "auth" }),
    );
    const client = core();
    await expect(client.request({ messages: [] } as any)).rejects.toMatchObject({
      name: "RequestError",
      path: "modelId",
    });
    await expect(client.request({ modelId: MODEL, messages: "hi" } as any)).rejects.toMatchObject({
      name: "RequestError",
      path: "messages",
    });
    // Bedrock's own validation still answers what the core does not check.
    await expect(
      client.request({ modelId: MODEL, messages: [{ role: "user", content: [] }] }),
    ).rejects.toMatchObject({
      name: "ValidationException",
      status: 400,
    });
  });
});
