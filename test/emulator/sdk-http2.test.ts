import { connect, constants } from "node:http2";
import {
  ConverseCommand,
  ConverseStreamCommand,
  type ConverseStreamOutput,
  ModelStreamErrorException,
  ThrottlingException,
} from "@aws-sdk/client-bedrock-runtime";
import { describe, expect, it } from "vitest";
import { serve } from "../../src/node";
import { MODEL, sdkClient, startEmulator, user } from "./helpers";

// The SDK's default request handler for Bedrock Runtime speaks cleartext HTTP/2; serve() answers it on
// the same port as HTTP/1.1, so an unmodified client works against the emulator.

const { server } = await startEmulator();
const messages = [user("Write 25 words")];

async function drain(client: ReturnType<typeof sdkClient>) {
  const out = await client.send(new ConverseStreamCommand({ modelId: MODEL, messages }));
  const events: ConverseStreamOutput[] = [];
  const error = await (async () => {
    for await (const e of out.stream!) events.push(e);
  })().catch((e) => e);
  return { events, error };
}

describe("the SDK's default HTTP/2 handler", () => {
  it("Converse and ConverseStream give the same message as over HTTP/1.1", async () => {
    const h2 = sdkClient(server.url, { http2: true });
    const h1 = sdkClient(server.url);
    const [a, b] = await Promise.all([
      h2.send(new ConverseCommand({ modelId: MODEL, messages })),
      h1.send(new ConverseCommand({ modelId: MODEL, messages })),
    ]);
    expect(a.output).toEqual(b.output);
    const { events, error } = await drain(h2);
    expect(error).toBeUndefined();
    const text = events.map((e) => e.contentBlockDelta?.delta?.text ?? "").join("");
    expect(text).toBe(a.output?.message?.content?.[0].text);
    expect(events.at(-1)?.metadata?.usage).toEqual(a.usage);
  });

  it("mid-stream exceptions and HTTP errors arrive as the SDK's classes", async () => {
    const frame = await drain(
      sdkClient(server.url, {
        http2: true,
        headers: { "x-bedrock-edge-fault": "model-stream-error;after=3" },
      }),
    );
    expect(frame.events).toHaveLength(3);
    expect(frame.error).toBeInstanceOf(ModelStreamErrorException);
    const http = await sdkClient(server.url, { http2: true, headers: { "x-bedrock-edge-fault": "throttle" } })
      .send(new ConverseCommand({ modelId: MODEL, messages }))
      .catch((e) => e);
    expect(http).toBeInstanceOf(ThrottlingException);
  });

  it("a reset fault resets the HTTP/2 stream and the SDK fails", async () => {
    const { events, error } = await drain(
      sdkClient(server.url, { http2: true, headers: { "x-bedrock-edge-fault": "reset;after=2" } }),
    );
    expect(events.length).toBeLessThanOrEqual(2);
    expect(error).toBeDefined();
  });
});

describe("serve() over HTTP/2", () => {
  it("streams the head and each chunk as produced, and aborts request.signal when the client resets the stream", async () => {
    let aborted = false;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const h2server = await serve({
      async fetch(request) {
        request.signal.addEventListener("abort", () => (aborted = true));
        const body = new ReadableStream<Uint8Array>({
          async start(controller) {
            controller.enqueue(new TextEncoder().encode("first"));
            await released;
            controller.enqueue(new TextEncoder().encode("never read"));
          },
        });
        return new Response(body, { headers: { "x-kind": "stream" } });
      },
    });
    const session = connect(h2server.url);
    try {
      const stream = session.request({ ":path": "/x", ":method": "GET" });
      const headers = await new Promise<Record<string, unknown>>((resolve) =>
        stream.once("response", resolve),
      );
      expect(headers[":status"]).toBe(200);
      expect(headers["x-kind"]).toBe("stream");
      const first = await new Promise<string>((resolve) =>
        stream.once("data", (c: Buffer) => resolve(c.toString())),
      );
      expect(first).toBe("first");
      stream.close(constants.NGHTTP2_CANCEL);
      for (let i = 0; i < 100 && !aborted; i++) await new Promise((r) => setTimeout(r, 10));
      expect(aborted).toBe(true);
      release();
    } finally {
      session.destroy();
      await h2server.close();
    }
  });
});
