// The reference parser on its own: one frame (headers and payload bytes) to one typed Converse event, or the
// typed error the frame stands for.
import { describe, expect, it } from "vitest";
import { BedrockError } from "../../src/errors";
import type { MessageHeaders } from "../../src/stream/decode";
import { isDelta, parseConverseMessage } from "../../src/stream/parse";

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

// Written against the survivors of `npm run test:mutation -- src/stream/parse.ts`: what the caller reads.
describe("parseConverseMessage: exception and error frames as the caller reads them", () => {
  const exception = (type: string | undefined, payload: unknown) =>
    frame({ ":message-type": "exception", ...(type && { ":exception-type": type }) }, payload);

  it("an exception without a type or a usable message is named and explained all the same", () => {
    const e = thrown(() => parseConverseMessage(exception(undefined, "not json")));
    expect(e.name).toBe("UnknownStreamException");
    expect(e.message).toBe("not json");
    const blank = thrown(() => parseConverseMessage(exception("ThrottlingException", { message: "   " })));
    expect(blank.message).toBe("ThrottlingException during the stream");
    const none = thrown(() => parseConverseMessage(exception("ThrottlingException", { other: 1 })));
    expect(none.message).toBe("ThrottlingException during the stream");
  });

  it("an exception whose payload is JSON but not an object is still the error its type names", () => {
    const quoted = thrown(() => parseConverseMessage(exception("ThrottlingException", '"slow down"')));
    expect(quoted).toBeInstanceOf(BedrockError);
    expect([quoted.name, quoted.message]).toEqual(["ThrottlingException", "slow down"]);
    for (const payload of ["null", "[1,2]", "42", "true"]) {
      const e = thrown(() => parseConverseMessage(exception("ThrottlingException", payload)));
      expect([e.name, e.message]).toEqual(["ThrottlingException", "ThrottlingException during the stream"]);
      expect(e.retryable).toBe(true);
    }
  });

  it("keeps a JSON string payload's first 500 characters as the message", () => {
    const e = thrown(() =>
      parseConverseMessage(exception("ThrottlingException", JSON.stringify("y".repeat(600)))),
    );
    expect(e.message).toBe("y".repeat(500));
  });

  it("drops the padding field and nothing else from the events it passes through whole", () => {
    const stop = parseConverseMessage(
      frame({ ":message-type": "event", ":event-type": "messageStop" }, { stopReason: "end_turn", p: "abc" }),
    );
    expect(Object.keys(stop)).toEqual(["type", "stopReason"]);
    const unknown = parseConverseMessage(
      frame({ ":message-type": "event", ":event-type": "later" }, { a: null, p: "x" }),
    );
    expect(unknown).toStrictEqual({ type: "unknown", eventType: "later", payload: { a: null } });
  });

  it("keeps a message's surrounding text as sent, and a long non-JSON body to its first 500 characters", () => {
    const e = thrown(() => parseConverseMessage(exception("ValidationException", { message: " too long " })));
    expect(e.message).toBe(" too long ");
    const long = thrown(() => parseConverseMessage(exception("InternalServerException", "x".repeat(600))));
    expect(long.message).toBe("x".repeat(500));
  });

  it("passes a model error's original status and message on, and only when they were sent", () => {
    const withOriginal = thrown(() =>
      parseConverseMessage(
        exception("ModelStreamErrorException", {
          message: "m",
          originalStatusCode: 424,
          originalMessage: "o",
        }),
      ),
    ) as BedrockError & { originalStatusCode?: number; originalMessage?: string };
    expect(withOriginal.originalStatusCode).toBe(424);
    expect(withOriginal.originalMessage).toBe("o");
    const without = thrown(() =>
      parseConverseMessage(exception("ModelStreamErrorException", { message: "m" })),
    ) as BedrockError & object;
    expect("originalStatusCode" in without).toBe(false);
    expect("originalMessage" in without).toBe(false);
  });

  it("a frame without :message-type is an event (and a delta for the fast path)", () => {
    const headers = { ":event-type": str("contentBlockDelta") } as MessageHeaders;
    expect(isDelta(headers)).toBe(true);
    expect(isDelta({ ":event-type": str("messageStart") } as MessageHeaders)).toBe(false);
    const exceptionNamedLikeADelta = {
      ":event-type": str("contentBlockDelta"),
      ":message-type": str("exception"),
    };
    expect(isDelta(exceptionNamedLikeADelta as MessageHeaders)).toBe(false);
    const body = new TextEncoder().encode('{"contentBlockIndex":0,"delta":{"text":"a"}}');
    expect(parseConverseMessage({ headers, body, offset: 0 })).toMatchObject({ type: "contentBlockDelta" });
  });

  it("an error frame: its code and message, or a stand-in message; phase stream", () => {
    const e = thrown(() => parseConverseMessage(frame({ ":message-type": "error" }, "")));
    expect(e.name).toBe("UnknownStreamError");
    expect(e.message).toBe("UnknownStreamError during the stream");
    expect(e.phase).toBe("stream");
  });

  it("an unknown :message-type is named in the error", () => {
    const e = thrown(() => parseConverseMessage(frame({ ":message-type": "surprise" }, {})));
    expect(e.message).toContain('Unknown :message-type "surprise"');
  });
});

describe("parseConverseMessage: each payload rule says what was wrong", () => {
  const cases: [string, unknown, string][] = [
    ["contentBlockStart", { contentBlockIndex: "0", start: {} }, "contentBlockIndex must be a number"],
    [
      "contentBlockStart",
      { contentBlockIndex: 0, start: 1 },
      "contentBlockStart event: start must be an object",
    ],
    ["contentBlockStart", { contentBlockIndex: 0, start: { toolUse: "x" } }, "start.toolUse needs string"],
    [
      "contentBlockStart",
      { contentBlockIndex: 0, start: { toolUse: { name: "f" } } },
      "start.toolUse needs string",
    ],
    [
      "contentBlockStart",
      { contentBlockIndex: 0, start: { toolUse: { toolUseId: "t", name: 3 } } },
      "start.toolUse needs string toolUseId and name",
    ],
    [
      "contentBlockStop",
      { contentBlockIndex: null },
      "contentBlockStop event: contentBlockIndex must be a number",
    ],
    ["messageStart", { role: 1 }, "messageStart event: role must be a string"],
    ["messageStop", {}, "messageStop event: stopReason must be a string"],
    ["metadata", { usage: 1 }, "metadata event: usage must be an object"],
    [
      "metadata",
      { usage: { inputTokens: 1, outputTokens: 1 } },
      "metadata event: usage.totalTokens must be a number",
    ],
    ["messageStart", "{not json", 'messageStart event: payload is not JSON ("{not json")'],
    ["messageStart", `{${"y".repeat(100)}`, `payload is not JSON ("{${"y".repeat(59)}")`],
    ["messageStart", [1], "messageStart event: payload must be a JSON object"],
  ];
  for (const [type, payload, message] of cases) {
    it(`${type} ${JSON.stringify(payload)}: ${message}`, () => {
      const e = thrown(() => parseConverseMessage(event(type, payload)));
      expect(e.name).toBe("EventPayloadError");
      expect(e.message).toContain(message);
    });
  }

  it("a contentBlockStart without toolUse, and one with a complete toolUse, pass", () => {
    expect(parseConverseMessage(event("contentBlockStart", { contentBlockIndex: 1, start: {} }))).toEqual({
      type: "contentBlockStart",
      contentBlockIndex: 1,
      start: {},
    });
    const toolUse = { toolUseId: "t", name: "f" };
    expect(
      parseConverseMessage(event("contentBlockStart", { contentBlockIndex: 0, start: { toolUse } })),
    ).toEqual({
      type: "contentBlockStart",
      contentBlockIndex: 0,
      start: { toolUse },
    });
  });
});
