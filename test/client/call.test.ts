// The transport (src/client/call.ts) on its own, with operations that are not Converse plugged in as
// AnswerReaders: the retry, re-sign and give-up rules hold for any operation, over a real loopback server.
import { afterAll, describe, expect, it } from "vitest";
import { type AnswerReader, type CallPlan, runCall } from "../../src/client/call";
import { BedrockError } from "../../src/client/errors";
import { LevelLogger } from "../../src/client/log";
import { loopback } from "../helpers/server";

let calls = 0;
const server = await loopback((req, res) => {
  calls++;
  if (req.url === "/flaky" && calls === 1) {
    res.writeHead(503, {
      "content-type": "application/json",
      "x-amzn-errortype": "ServiceUnavailableException",
    });
    return res.end(JSON.stringify({ message: "try again" }));
  }
  if (req.url === "/skewed" && calls === 1) {
    res.writeHead(403, {
      "content-type": "application/json",
      "x-amzn-errortype": "InvalidSignatureException",
    });
    return res.end(JSON.stringify({ message: "Signature expired" }));
  }
  if (req.url === "/lines") {
    res.writeHead(200, { "content-type": "text/plain" });
    res.write("one\ntwo\n");
    // Cut mid-answer: the connection dies after the first lines were read.
    setTimeout(() => res.destroy(), 30);
    return;
  }
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ ok: true, url: req.url }));
});
afterAll(() => server.close());

function plan(path: string, extra: Partial<CallPlan> = {}): CallPlan {
  return {
    url: `${server.url}${path}`,
    body: { hello: "world" },
    stream: false,
    authorize: async (r) => r,
    fetch: (input, init) => fetch(input, init),
    log: new LevelLogger("silent", undefined, []),
    maxRetries: 2,
    firstByteTimeoutMs: 5000,
    idleTimeoutMs: 5000,
    timeoutMs: 0,
    secrets: [],
    ...extra,
  };
}

/** A one-document JSON operation. */
const json: AnswerReader<never, unknown> = async function* (response, at) {
  const reader = response.body!.getReader();
  let text = "";
  for (;;) {
    const { done, value } = await at.read(reader, text === "");
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  return JSON.parse(text);
};

/** A line-by-line streaming operation: each line is delivered as it completes. */
const lines: AnswerReader<string, number> = async function* (response, at) {
  const reader = response.body!.getReader();
  let count = 0;
  at.partial = () => ({ outputText: "", toolsToCall: [], eventsDelivered: count });
  for (let first = true; ; first = false) {
    const { done, value } = await at.read(reader, first);
    if (done) return count;
    for (const line of new TextDecoder().decode(value).split("\n").filter(Boolean)) {
      at.delivered = true;
      count++;
      yield line;
    }
  }
};

async function drain<T, R>(run: AsyncGenerator<T, R>): Promise<{ items: T[]; result: R }> {
  const items: T[] = [];
  for (;;) {
    const step = await run.next();
    if (step.done) return { items, result: step.value };
    items.push(step.value);
  }
}

describe("runCall with operations that are not Converse", () => {
  it("retries a retryable failure before anything was delivered, then returns the operation's result", async () => {
    calls = 0;
    const retries: string[] = [];
    const { result } = await drain(runCall(plan("/flaky", { onRetry: (e) => retries.push(e.name) }), json));
    expect(result).toEqual({ ok: true, url: "/flaky" });
    expect(retries).toEqual(["ServiceUnavailableException"]);
    expect(calls).toBe(2);
  });

  it("signs again once after a clock-skew 403, without counting it as a retry", async () => {
    calls = 0;
    let corrected = 0;
    const { result } = await drain(
      runCall(
        plan("/skewed", {
          maxRetries: 0,
          onAuthError: () => {
            corrected++;
            return true;
          },
        }),
        json,
      ),
    );
    expect(result).toEqual({ ok: true, url: "/skewed" });
    expect(corrected).toBe(1);
  });

  it("never retries once output was delivered: the failure carries what arrived", async () => {
    calls = 0;
    const run = runCall(plan("/lines"), lines);
    const seen: string[] = [];
    const error = await (async () => {
      for (;;) {
        const step = await run.next();
        if (step.done) return undefined;
        seen.push(step.value);
      }
    })().catch((e) => e);
    expect(seen).toEqual(["one", "two"]);
    expect(error).toBeInstanceOf(BedrockError);
    expect(error.name).toBe("NetworkError");
    expect(error.phase).toBe("stream");
    expect(error.partial.eventsDelivered).toBe(2);
    expect(calls).toBe(1);
  });
});
