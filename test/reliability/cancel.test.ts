import { getEventListeners } from "node:events";
import { afterAll, describe, expect, it } from "vitest";
import { request, stream } from "../../src/client/create";
import { createEmulator } from "../../src/emulator";
import { AbortError, type BedrockError, TimeoutError } from "../../src/errors";
import { serve } from "../../src/node";
import { eventFrame } from "../helpers/frames";
import { FAULT, resolvedFor, sleep } from "./helpers";

// Cancelling a stream must reach the server: the emulator (behind src/node/serve.ts) stalls mid-stream, the
// caller stops, and the server's per-request signal (aborted when node:http sees the connection close) fires.

const emulator = createEmulator();
/** Request id -> when the server saw that client's connection close (ms since the request arrived). */
const closedAfter = new Map<string, number>();
const arrived = new Set<string>();
const server = await serve({
  fetch(req) {
    const id = req.headers.get("x-test-id") ?? "";
    arrived.add(id);
    const started = Date.now();
    req.signal.addEventListener("abort", () => closedAfter.set(id, Date.now() - started), { once: true });
    return emulator.fetch(req);
  },
});
afterAll(() => server.close());

const messages = [{ role: "user" as const, content: "Write 60 words" }];
let ids = 0;
/** A messageStart frame as the emulator sends it. */
const emulatorFrame = eventFrame("messageStart", { role: "assistant", p: "abc" });

function setup(fault: string, extra: Record<string, unknown> = {}) {
  const id = `t${++ids}`;
  const config = resolvedFor(server.url, extra);
  const headers = { "x-test-id": id, [FAULT]: fault };
  return { id, config, headers };
}

/** Waits until the server has seen the connection for `id` close; returns how long after the request. */
async function serverSawClose(id: string, withinMs = 2000): Promise<number> {
  const until = Date.now() + withinMs;
  while (!closedAfter.has(id)) {
    if (Date.now() > until) throw new Error(`the server never saw connection ${id} close`);
    await sleep(5);
  }
  return closedAfter.get(id)!;
}

describe("cancellation reaches the server", () => {
  it("reader.cancel() mid-stream aborts the fetch: the server sees the connection close at once", async () => {
    const { id, config, headers } = setup("stall;ms=20000;after=3");
    const errors: unknown[] = [];
    const reader = stream(config, messages, { headers, onError: (e) => errors.push(e) }).getReader();
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) seen.push((await reader.read()).value!.type);
    expect(seen).toEqual(["message-start", "text", "text"]);
    const cancelled = Date.now();
    await reader.cancel();
    const closedAt = await serverSawClose(id);
    expect(Date.now() - cancelled).toBeLessThan(1000);
    expect(closedAt).toBeLessThan(5000); // long before the 20 s stall would have ended
    expect(errors).toEqual([]); // the caller's own cancel is not an error
  });

  it("break out of for await aborts the fetch: the server sees the connection close", async () => {
    const { id, config, headers } = setup("stall;ms=20000;after=4");
    let events = 0;
    for await (const _ of stream(config, messages, { headers })) {
      if (++events === 2) break;
    }
    expect(events).toBe(2);
    await serverSawClose(id);
  });

  it("an AbortSignal mid-stream: AbortError with the text so far, onError once, server sees the close", async () => {
    const { id, config, headers } = setup("stall;ms=20000;after=4");
    const controller = new AbortController();
    const errors: BedrockError[] = [];
    const texts: string[] = [];
    const error = await request(config, messages, {
      headers,
      signal: controller.signal,
      onError: (e) => errors.push(e),
      onMessageReceived: (m) => {
        texts.push(m.text);
        if (texts.length === 3) setTimeout(() => controller.abort(), 20);
      },
    }).catch((e) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(error.phase).toBe("stream");
    expect(error.partial.outputText).toBe(texts.join(""));
    expect(errors).toEqual([error]);
    await serverSawClose(id);
  });

  it("an AbortSignal on stream(): the iterator throws AbortError and the server sees the close", async () => {
    const { id, config, headers } = setup("stall;ms=20000;after=2");
    const controller = new AbortController();
    const errors: unknown[] = [];
    const caught = await (async () => {
      for await (const event of stream(config, messages, {
        headers,
        signal: controller.signal,
        onError: (e) => errors.push(e),
      })) {
        if (event.type === "text") setTimeout(() => controller.abort(), 10);
      }
    })().catch((e) => e);
    expect(caught).toBeInstanceOf(AbortError);
    expect(errors).toEqual([caught]);
    await serverSawClose(id);
  });

  it("cancel while waiting for the response head (slow first byte) aborts the request", async () => {
    const { id, config, headers } = setup("slow-first-byte;ms=20000");
    const reader = stream(config, messages, { headers }).getReader();
    const pending = reader.read();
    await sleep(100);
    await reader.cancel();
    expect((await pending).done).toBe(true);
    await serverSawClose(id);
  });

  it("an idle timeout releases the connection too", async () => {
    const { id, config, headers } = setup("stall;ms=20000;after=3", { idleTimeoutMs: 100, maxRetries: 0 });
    const error = await request(config, messages, { headers }).catch((e) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    await serverSawClose(id);
  });

  it("a signal already aborted: AbortError and nothing is sent", async () => {
    const { id, config, headers } = setup("delay;ms=1");
    const error = await request(config, messages, { headers, signal: AbortSignal.abort() }).catch((e) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(error.phase).toBe("request");
    await sleep(50);
    expect(arrived.has(id)).toBe(false);
  });

  it("a long-lived signal shared by many calls keeps no listener once they are done", async () => {
    const shutdown = new AbortController();
    const { config, headers } = setup("delay;ms=1");
    for (let i = 0; i < 12; i++) {
      for await (const _ of stream(config, messages, { headers, signal: shutdown.signal })) {
        // drain
      }
      await request(config, messages, { headers, signal: shutdown.signal });
    }
    // Cancelled and failed streams detach too.
    const reader = stream(config, messages, { headers, signal: shutdown.signal }).getReader();
    await reader.read();
    await reader.cancel();
    // Bad input throws at once (the ReadableStream cannot start), and leaves nothing attached either.
    expect(() => stream(config, [], { signal: shutdown.signal })).toThrow(
      /at least one user or assistant message/,
    );
    expect(getEventListeners(shutdown.signal, "abort")).toHaveLength(0);
  });

  describe("timeouts and aborts hold even when the fetch ignores its signal", () => {
    const never = new Promise<never>(() => {});
    /** A fetch that ignores the signal: never answers, or answers with a body that stalls after one frame. */
    const deaf = (answer: "never" | "stall"): typeof fetch =>
      (async () => {
        if (answer === "never") return never;
        const first = emulatorFrame;
        return new Response(
          new ReadableStream<Uint8Array>({
            start(controller) {
              controller.enqueue(first);
            },
            // pull and cancel do nothing: the body just stalls.
          }),
          { headers: { "content-type": "application/vnd.amazon.eventstream" } },
        );
      }) as typeof fetch;

    it("a fetch that never answers: firstByteTimeoutMs", async () => {
      const config = resolvedFor(server.url, {}, { fetch: deaf("never") });
      const error = await request(config, messages, { firstByteTimeoutMs: 100, maxRetries: 0 }).catch(
        (e) => e,
      );
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error.timeout).toBe("firstByteTimeoutMs");
    });

    it("a body that stalls and ignores cancel: idleTimeoutMs", async () => {
      const config = resolvedFor(server.url, {}, { fetch: deaf("stall") });
      const error = await request(config, messages, { idleTimeoutMs: 100, maxRetries: 0 }).catch((e) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error.timeout).toBe("idleTimeoutMs");
      expect(error.partial.eventsDelivered).toBe(1);
    });

    it("the caller's abort ends the wait at once", async () => {
      const config = resolvedFor(server.url, {}, { fetch: deaf("never") });
      const error = await request(config, messages, { signal: AbortSignal.timeout(50) }).catch((e) => e);
      expect(error).toBeInstanceOf(AbortError);
    });

    it("a credentials provider that never answers: firstByteTimeoutMs", async () => {
      const config = resolvedFor(server.url, { key: undefined }, { credentials: () => never });
      const error = await request(config, messages, { firstByteTimeoutMs: 100, maxRetries: 0 }).catch(
        (e) => e,
      );
      expect(error).toBeInstanceOf(TimeoutError);
    });
  });
});
