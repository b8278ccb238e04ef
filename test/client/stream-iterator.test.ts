// stream()'s `for await` takes whole batches from the call rather than one ReadableStream read per event. It
// must behave as the stream's own iterator does: same events as getReader(), the stream locked while iterating,
// errors after the events before them, onError once.
import { afterAll, describe, expect, it } from "vitest";
import { createBedrock } from "../../src/client/create";
import { createEmulator } from "../../src/emulator";
import { serve } from "../../src/node";
import type { ChatEvent } from "../../src/types/events";

const server = await serve(createEmulator({}));
afterAll(() => server.close());

const client = (headers: Record<string, string> = {}) =>
  createBedrock(
    {
      key: "iterator-test-key",
      url: `${server.url}/model/`,
      modelIdPrefix: "none",
      logLevel: "silent",
      maxRetries: 0,
      headers,
      models: { m: { modelName: "anthropic.claude-3-haiku-20240307-v1:0" } },
    },
    { env: {} },
  );
const messages = [{ role: "user" as const, content: "Write two sentences about the sea, then stop." }];

async function viaReader(stream: ReadableStream<ChatEvent>): Promise<ChatEvent[]> {
  const reader = stream.getReader();
  const events: ChatEvent[] = [];
  for (let r = await reader.read(); !r.done; r = await reader.read()) events.push(r.value);
  return events;
}

describe("stream() iteration", () => {
  it("for await gives exactly the events getReader() gives", async () => {
    const iterated: ChatEvent[] = [];
    for await (const e of client().stream(messages, { model: "m" })) iterated.push(e);
    const read = await viaReader(client().stream(messages, { model: "m" }));
    expect(iterated.length).toBeGreaterThan(5);
    // The same events but for the emulator's measured latency.
    const plain = (events: ChatEvent[]) =>
      JSON.parse(JSON.stringify(events, (k, v) => (k === "latencyMs" ? 0 : v)));
    expect(plain(iterated)).toEqual(plain(read));
  });

  it("locks the stream while iterating and releases it at the end", async () => {
    const stream = client().stream(messages, { model: "m" });
    let lockedInside = false;
    let secondReader: unknown;
    for await (const _ of stream) {
      lockedInside = stream.locked;
      try {
        stream.getReader();
      } catch (error) {
        secondReader = error;
      }
    }
    expect(lockedInside).toBe(true);
    expect(secondReader).toBeInstanceOf(TypeError);
    expect(stream.locked).toBe(false);
  });

  it("a failure mid-stream comes after the events before it, reported to onError once", async () => {
    const errors: unknown[] = [];
    const seen: string[] = [];
    const thrown = await (async () => {
      for await (const e of client({ "x-bedrock-edge-fault": "throttle-frame;after=4" }).stream(messages, {
        model: "m",
        onError: (error) => errors.push(error),
      }))
        seen.push(e.type);
    })().catch((e) => e);
    expect(thrown.name).toBe("ThrottlingException");
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen).not.toContain("finish");
    expect(errors).toEqual([thrown]);
  });
});
