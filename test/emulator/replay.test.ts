import { ConverseStreamCommand, ThrottlingException } from "@aws-sdk/client-bedrock-runtime";
import { describe, expect, it } from "vitest";
import { createEmulator } from "../../src/emulator";
import {
  converseRequest,
  decodeFrames,
  fixtureBytes,
  fixtureJson,
  MODEL,
  readAll,
  sdkClient,
  startEmulator,
  user,
} from "./helpers";

// Replay serves a recorded capture byte for byte.

const NAMES = [
  "test_bedrock_model_stream",
  "test_bedrock_model_thinking_part_stream",
  "envoy-ai-gateway_claude_tool_use_cosine",
];
const recordings = Object.fromEntries(NAMES.map((n) => [n, fixtureBytes(`${n}.eventstream.bin`)]));
const { server } = await startEmulator({ recordings });
const body = { messages: [user("anything")] };

async function fetchBytes(url: string, init: RequestInit) {
  const response = await fetch(url, init);
  return { response, ...(await readAll(response.body)) };
}

describe("replay", () => {
  for (const name of NAMES) {
    it(`${name}: header x-bedrock-edge-replay gives the recording's exact bytes over HTTP`, async () => {
      const { response, bytes } = await fetchBytes(
        `${server.url}/model/${encodeURIComponent(MODEL)}/converse-stream`,
        {
          method: "POST",
          headers: { authorization: "Bearer t", "x-bedrock-edge-replay": name },
          body: JSON.stringify(body),
        },
      );
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("application/vnd.amazon.eventstream");
      expect(bytes).toEqual(recordings[name]);
    });
  }

  it("model id replay.<name> works too, and with 1-byte chunks the bytes are still exact", async () => {
    const name = NAMES[1];
    const { bytes, chunks } = await fetchBytes(`${server.url}/model/replay.${name}/converse-stream`, {
      method: "POST",
      headers: { authorization: "Bearer t", "x-bedrock-edge-chunk-size": "1" },
      body: "{}",
    });
    expect(bytes).toEqual(recordings[name]);
    expect(chunks.length).toBeGreaterThan(1);
  });

  it("the official SDK decodes a replay into the recorded events", async () => {
    const recorded = fixtureJson("test_bedrock_model_stream.json").messages;
    const client = sdkClient(server.url, {
      headers: { "x-bedrock-edge-replay": "test_bedrock_model_stream" },
    });
    const out = await client.send(new ConverseStreamCommand({ modelId: MODEL, messages: body.messages }));
    const events: any[] = [];
    for await (const e of out.stream!) events.push(e);
    expect(events).toHaveLength(recorded.length);
    const text = events.map((e) => e.contentBlockDelta?.delta?.text ?? "").join("");
    const recordedText = recorded.map((m: any) => JSON.parse(m.payload).delta?.text ?? "").join("");
    expect(text).toBe(recordedText);
    expect(events.at(-1).metadata.usage).toEqual({ inputTokens: 13, outputTokens: 82, totalTokens: 95 });
  });

  it("faults apply to replays: the first N recorded frames verbatim, then the exception", async () => {
    const client = sdkClient(server.url, {
      headers: {
        "x-bedrock-edge-replay": "test_bedrock_model_stream",
        "x-bedrock-edge-fault": "throttle-frame;after=5",
      },
    });
    const out = await client.send(new ConverseStreamCommand({ modelId: MODEL, messages: body.messages }));
    const events: unknown[] = [];
    const error = await (async () => {
      for await (const e of out.stream!) events.push(e);
    })().catch((e) => e);
    expect(events).toHaveLength(5);
    expect(error).toBeInstanceOf(ThrottlingException);

    const emulator = createEmulator({ recordings });
    const response = await emulator.fetch(
      converseRequest(body, {
        stream: true,
        headers: {
          "x-bedrock-edge-replay": "test_bedrock_model_stream",
          "x-bedrock-edge-fault": "truncate;after=3",
        },
      }),
    );
    const { bytes } = await readAll(response.body);
    const frames = decodeFrames(recordings.test_bedrock_model_stream);
    const firstThree = frames.slice(0, 3).reduce((n, f) => n + 16 + f.payload.length + headerBytes(f), 0);
    expect(bytes.subarray(0, firstThree)).toEqual(
      recordings.test_bedrock_model_stream.subarray(0, firstThree),
    );
    expect(bytes.length).toBeGreaterThan(firstThree);
    expect(bytes.length).toBeLessThan(firstThree + 16 + frames[3].payload.length + headerBytes(frames[3]));
  });

  it("an unknown recording is ResourceNotFoundException; an event-stream recording on /converse is a validation error", async () => {
    const emulator = createEmulator({ recordings });
    const missing = await emulator.fetch(
      converseRequest(body, { stream: true, headers: { "x-bedrock-edge-replay": "nope" } }),
    );
    expect(missing.status).toBe(404);
    expect(missing.headers.get("x-amzn-ErrorType")).toMatch(/^ResourceNotFoundException:/);
    expect((await missing.json()).message).toBe("No recording named 'nope' is loaded.");
    const wrongOp = await emulator.fetch(
      converseRequest(body, { headers: { "x-bedrock-edge-replay": NAMES[0] } }),
    );
    expect(wrongOp.status).toBe(400);
    expect((await wrongOp.json()).message).toMatch(/event stream: request it on \/converse-stream/);
  });

  it("recording names are one plain path segment, so a file loader cannot be walked out of its folder", async () => {
    const asked: string[] = [];
    const emulator = createEmulator({ recordings: (name) => void asked.push(name) });
    for (const name of ["../secret", "a/b", "..", "x y"]) {
      const response = await emulator.fetch(
        converseRequest(body, { stream: true, headers: { "x-bedrock-edge-replay": name } }),
      );
      expect(response.status, name).toBe(400);
      expect((await response.json()).message).toMatch(/^Invalid recording name/);
    }
    expect(asked).toEqual([]);
  });

  it("recordings may be a loader function (e.g. reading a directory), and JSON recordings serve /converse", async () => {
    const json = new TextEncoder().encode(
      '{"output":{"message":{"role":"assistant","content":[{"text":"hi"}]}}}',
    );
    const emulator = createEmulator({ recordings: async (name) => (name === "hello" ? json : undefined) });
    const response = await emulator.fetch(converseRequest(body, { modelId: "replay.hello" }));
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(json);
  });
});

function headerBytes(f: { headerNames: string[]; headers: Record<string, string> }): number {
  return f.headerNames.reduce(
    (n, name) => n + 4 + name.length + new TextEncoder().encode(f.headers[name]).length,
    0,
  );
}
