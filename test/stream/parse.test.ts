// The reference parser on its own: one frame (headers and payload bytes) to one typed Converse event, or the
// typed error the frame stands for.
import { describe, expect, it } from "vitest";
import { BedrockError } from "../../src/errors";
import type { MessageHeaders } from "../../src/stream/decode";
import { parseConverseMessage } from "../../src/stream/parse";

const str = (value: string) => ({ type: "string" as const, value });
const frame = (headers: Record<string, string>, payload: unknown, offset = 40) => ({
  headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, str(v)])) as MessageHeaders,
  body: new TextEncoder().encode(typeof payload === "string" ? payload : JSON.stringify(payload)),
  offset,
});
const event = (type: string, payload: unknown, offset?: number) =>
  frame({ ":message-type": "event", ":event-type": type }, payload, offset);

function thrown(f: () => unknown): BedrockError {
  try {
    f();
  } catch (error) {
    return error as BedrockError;
  }
  throw new Error("did not throw");
}

describe("parseConverseMessage", () => {
  it("a delta event, its padding dropped", () => {
    expect(
      parseConverseMessage(
        event("contentBlockDelta", { contentBlockIndex: 2, delta: { text: "hi" }, p: "abcd" }),
      ),
    ).toEqual({ type: "contentBlockDelta", contentBlockIndex: 2, delta: { text: "hi" } });
  });

  it("metadata keeps what AWS sent beside usage", () => {
    const usage = { inputTokens: 1, outputTokens: 2, totalTokens: 3 };
    expect(parseConverseMessage(event("metadata", { usage, metrics: { latencyMs: 9 }, p: "x" }))).toEqual({
      type: "metadata",
      usage,
      metrics: { latencyMs: 9 },
    });
  });

  it("an event type it does not know is passed through, not dropped", () => {
    expect(parseConverseMessage(event("somethingNew", { a: 1 }))).toEqual({
      type: "unknown",
      eventType: "somethingNew",
      payload: { a: 1 },
    });
  });

  it("an exception frame is AWS's error by name, retryable as AWS says, with the original status", () => {
    const error = thrown(() =>
      parseConverseMessage(
        frame(
          { ":message-type": "exception", ":exception-type": "throttlingException" },
          { message: "Too many tokens", originalStatusCode: 429 },
        ),
      ),
    );
    expect(error).toBeInstanceOf(BedrockError);
    expect(error.name).toBe("ThrottlingException");
    expect(error.message).toBe("Too many tokens");
    expect(error.retryable).toBe(true);
    expect(error.phase).toBe("stream");
    expect((error as BedrockError & { originalStatusCode?: number }).originalStatusCode).toBe(429);
  });

  it("an error frame takes its code and message from the headers", () => {
    const error = thrown(() =>
      parseConverseMessage(
        frame({ ":message-type": "error", ":error-code": "InternalFailure", ":error-message": "boom" }, ""),
      ),
    );
    expect(error.name).toBe("InternalFailure");
    expect(error.message).toBe("boom");
  });

  it("a payload that is not the JSON its event needs is an EventPayloadError naming the event and the frame", () => {
    const error = thrown(() =>
      parseConverseMessage(event("contentBlockDelta", { delta: { text: "x" } }, 123)),
    );
    expect(error.name).toBe("EventPayloadError");
    expect(error.message).toBe(
      "contentBlockDelta event: contentBlockIndex must be a number (frame at byte 123)",
    );
    expect(thrown(() => parseConverseMessage(event("messageStop", "{not json", 7))).message).toMatch(
      /payload is not JSON.*frame at byte 7/,
    );
  });

  it("a frame with no :event-type, or a :message-type it does not know, is an EventStreamError", () => {
    expect(thrown(() => parseConverseMessage(frame({ ":message-type": "event" }, {}))).name).toBe(
      "EventStreamError",
    );
    expect(thrown(() => parseConverseMessage(frame({ ":message-type": "weird" }, {}))).message).toMatch(
      /Unknown :message-type "weird"/,
    );
  });
});
