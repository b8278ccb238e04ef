// What runConverse (src/client/run.ts) tells a caller whose /converse-stream answer is not an event stream, or
// is empty: written against the survivors of `npm run test:mutation -- src/client/run.ts`.
import { afterEach, describe, expect, it } from "vitest";
import { request, stream } from "../../src/client/create";
import { BedrockError } from "../../src/errors";
import { concat } from "../helpers/bytes";
import { eventFrame, exceptionFrame } from "../helpers/frames";
import { EVENT_STREAM, loopback } from "../helpers/server";
import { resolvedFor } from "../reliability/helpers";

let server: Awaited<ReturnType<typeof loopback>> | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const hi = [{ role: "user" as const, content: "Hello" }];

/** The error of a streamed call whose 200 answer has these headers and body. */
async function failureFor(headers: Record<string, string>, body: string): Promise<BedrockError> {
  server = await loopback((_, res) => {
    res.writeHead(200, headers);
    res.end(body);
  });
  const error = await request(resolvedFor(server.url), hi, { maxRetries: 0 }).catch((e) => e);
  expect(error).toBeInstanceOf(BedrockError);
  return error as BedrockError;
}

/** The message without the troubleshooting hint createBedrock appends. */
const said = (e: BedrockError) => e.message.replace(/ \(hint: [^)]*\)$/, "");

describe("a 200 that is not an event stream", () => {
  it("an HTML page is called one, with or without whitespace before it", async () => {
    for (const page of ["<html><body>Gateway</body></html>", "\n  <!doctype html><p>hi"]) {
      const e = await failureFor({ "content-type": "text/html" }, page);
      expect(e.name).toBe("UnexpectedResponseError");
      expect(said(e)).toBe(
        "Expected an event stream (application/vnd.amazon.eventstream) from /converse-stream but got text/html with an HTML page",
      );
      expect(e.status).toBe(200);
    }
  });

  it("other text is quoted, its first 200 characters only", async () => {
    const e = await failureFor({ "content-type": "text/plain" }, `a<b ${"z".repeat(300)}`);
    expect(said(e)).toBe(
      `Expected an event stream (application/vnd.amazon.eventstream) from /converse-stream but got text/plain: ${JSON.stringify(`a<b ${"z".repeat(196)}`)}`,
    );
  });

  it("no content type and no body are both said", async () => {
    const e = await failureFor({}, "");
    expect(said(e)).toBe(
      "Expected an event stream (application/vnd.amazon.eventstream) from /converse-stream but got no content type with an empty body",
    );
  });
});

describe("an event stream that ends before any event", () => {
  it("is an IncompleteStreamError that says so", async () => {
    const e = await failureFor(EVENT_STREAM, "");
    expect(e.name).toBe("IncompleteStreamError");
    expect(e.message).toBe("The event stream response was empty: the body ended before any event");
  });
});

describe("the partial answer of a stream that fails after delivering events", () => {
  it("holds the tool calls whose input parsed (not the invalid one), the usage, and the events delivered", async () => {
    const start = (i: number, id: string) =>
      eventFrame("contentBlockStart", {
        contentBlockIndex: i,
        start: { toolUse: { toolUseId: id, name: "f" } },
      });
    const input = (i: number, text: string) =>
      eventFrame("contentBlockDelta", { contentBlockIndex: i, delta: { toolUse: { input: text } } });
    const stop = (i: number) => eventFrame("contentBlockStop", { contentBlockIndex: i });
    const body = concat(
      eventFrame("messageStart", { role: "assistant" }),
      start(0, "bad"),
      input(0, "{not json"),
      stop(0),
      start(1, "good"),
      input(1, '{"a":1}'),
      stop(1),
      eventFrame("messageStop", { stopReason: "tool_use" }),
      eventFrame("metadata", { usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 }, metrics: {} }),
      exceptionFrame("internalServerException", { message: "boom" }),
    );
    server = await loopback((_, res) => {
      res.writeHead(200, EVENT_STREAM);
      res.end(body);
    });
    const error = await request(resolvedFor(server.url), hi, { maxRetries: 0 }).catch((e) => e);
    expect(error).toBeInstanceOf(BedrockError);
    const partial = (error as BedrockError & { partial: Record<string, any> }).partial;
    expect(partial.toolsToCall).toEqual([{ id: "good", name: "f", arguments: { a: 1 } }]);
    expect(partial.usage).toMatchObject({ inputTokens: 3, outputTokens: 4, totalTokens: 7 });
    expect(partial.eventsDelivered).toBeGreaterThan(0);
  });
});

describe("a caller that stops reading early", () => {
  it("releases the connection even through a fetch that drops the abort signal (the body is cancelled)", async () => {
    const frames = concat(
      eventFrame("messageStart", { role: "assistant" }),
      eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "Hi" } }),
    );
    server = await loopback((_, res) => {
      res.writeHead(200, EVENT_STREAM);
      res.write(frames); // and never ends on its own
    });
    // A wrapper that rebuilds the request without its signal: aborting the call cannot reach this fetch.
    const withoutSignal: typeof fetch = async (input, init) => {
      const request = new Request(input as Request, init);
      return fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: await request.text(),
      });
    };
    for await (const e of stream(resolvedFor(server.url, {}, { fetch: withoutSignal }), hi)) {
      if (e.type === "text") break;
    }
    for (let i = 0; i < 100 && server.closed.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(server.closed).toHaveLength(1);
  });
});
