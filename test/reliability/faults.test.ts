import { beforeAll, describe, expect, it } from "vitest";
import { EventStreamError, NetworkError, TimeoutError } from "../../src/errors";
import {
  type Api,
  callWith,
  configFor,
  countingFetch,
  emulatorServer,
  frameOffsets,
  type Outcome,
  resolvedFor,
} from "./helpers";

// Every fault the emulator offers (docs/emulator.md, src/emulator/faults.ts), through request() and stream(),
// against /converse-stream (stream on) and /converse (stream off), over real HTTP on 127.0.0.1.

const PROMPT = "Write 40 words about the sky";
const server = await emulatorServer();

/** One call with a fault on chosen attempts (all of them by default). */
function run(
  api: Api,
  streaming: boolean,
  fault: string | ((attempt: number) => string | undefined) | undefined,
  options: Record<string, unknown> = {},
) {
  const counter = countingFetch(typeof fault === "function" ? fault : () => fault);
  const config = resolvedFor(server.url, {}, { fetch: counter.fetch });
  const outcome = callWith(api, config, PROMPT, { stream: streaming, ...options } as any);
  return outcome.then((o) => ({ ...o, attempts: counter.attempts, bodies: counter.bodies }));
}

/** The caller saw one failure, reported once to onError, as the same object that was thrown. */
function failedOnce(o: Outcome): NonNullable<Outcome["error"]> {
  expect(o.result).toBeUndefined();
  expect(o.error).toBeDefined();
  expect(o.onError).toEqual([o.error]);
  return o.error!;
}

function succeeded(o: Outcome, reference: string) {
  expect(o.error).toBeUndefined();
  expect(o.onError).toEqual([]);
  expect(o.result!.outputText).toBe(reference);
  // Nothing duplicated across attempts: the caller saw each piece of text exactly once.
  expect(o.texts.join("")).toBe(reference);
}

/** The raw bytes a clean /converse-stream answer to `body` has, to know where each frame starts. */
async function rawStream(body: string): Promise<Uint8Array> {
  const url = `${server.url}/model/${encodeURIComponent(configFor("").models.claude.modelName)}/converse-stream`;
  const response = await fetch(url, {
    method: "POST",
    headers: { authorization: "Bearer x", "content-type": "application/json" },
    body,
  });
  return new Uint8Array(await response.arrayBuffer());
}

const combos: [Api, boolean][] = [
  ["request", true],
  ["request", false],
  ["stream", true],
  ["stream", false],
];

describe.each(combos)("%s(), stream: %s", (api, streaming) => {
  let reference = "";
  beforeAll(async () => {
    const clean = await run(api, streaming, undefined);
    expect(clean.error).toBeUndefined();
    succeeded(clean, clean.result!.outputText);
    reference = clean.result!.outputText;
    expect(reference).toMatch(/^The quick brown fox/);
    expect(reference.split(" ")).toHaveLength(40);
    if (streaming) expect(clean.texts.length).toBeGreaterThan(8);
  });

  describe("HTTP errors", () => {
    const retryable = [
      ["throttle", "ThrottlingException", 429],
      ["model-not-ready", "ModelNotReadyException", 429],
      ["internal", "InternalServerException", 500],
      ["service-unavailable", "ServiceUnavailableException", 503],
      ["model-timeout", "ModelTimeoutException", 408],
      ["http;status=502", "BadGatewayException", 502],
    ] as const;

    it.each(retryable)(
      "%s is retried maxRetries times, then the service's error",
      async (fault, name, status) => {
        const o = await run(api, streaming, fault, { maxRetries: 1 });
        const error = failedOnce(o);
        expect(o.attempts).toBe(2);
        expect(error.name).toBe(name);
        expect(error.status).toBe(status);
        expect(error.retryable).toBe(true);
        expect(error.phase).toBe("request");
        expect(o.texts).toEqual([]);
      },
    );

    it.each(retryable)("%s on the first attempt only: retried, then the whole answer once", async (fault) => {
      const o = await run(api, streaming, (n) => (n === 1 ? fault : undefined), { maxRetries: 2 });
      expect(o.attempts).toBe(2);
      succeeded(o, reference);
      // The retry sent the same request.
      expect(o.bodies[1]).toBe(o.bodies[0]);
    });

    it("fail-first;count=2 (the emulator's own counter) succeeds on the third attempt", async () => {
      const key = `ff-${api}-${streaming}-${Math.random()}`;
      const o = await run(api, streaming, "fail-first;count=2;code=ServiceUnavailableException", {
        maxRetries: 2,
        headers: { "x-bedrock-edge-fault-key": key },
      });
      expect(o.attempts).toBe(3);
      succeeded(o, reference);
    });

    it("fail-first beyond maxRetries ends in the error", async () => {
      const key = `ff2-${api}-${streaming}-${Math.random()}`;
      const o = await run(api, streaming, "fail-first;count=3;code=ThrottlingException", {
        maxRetries: 1,
        headers: { "x-bedrock-edge-fault-key": key },
      });
      expect(o.attempts).toBe(2);
      expect(failedOnce(o).name).toBe("ThrottlingException");
    });

    it.each([
      ["access-denied", "AccessDeniedException", 403],
      ["validation", "ValidationException", 400],
      ["not-found", "ResourceNotFoundException", 404],
      ["model-error", "ModelErrorException", 424],
      ["http;status=400;code=ServiceQuotaExceededException", "ServiceQuotaExceededException", 400],
    ] as const)(
      "%s is not retried: one attempt, typed error with status and request id",
      async (fault, name, status) => {
        const o = await run(api, streaming, fault, { maxRetries: 2 });
        const error = failedOnce(o);
        expect(o.attempts).toBe(1);
        expect(error.name).toBe(name);
        expect(error.status).toBe(status);
        expect(error.retryable).toBe(false);
        expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
        expect(error.message.length).toBeGreaterThan(10);
      },
    );

    it("a custom message reaches the error", async () => {
      const o = await run(
        api,
        streaming,
        "http;status=400;code=ValidationException;message=maxTokens%20is%20too%20big",
      );
      expect(failedOnce(o).message).toContain("maxTokens is too big");
    });
  });

  describe("exceptions mid-stream", () => {
    const frames = [
      ["throttle-frame", "ThrottlingException", "ThrottlingException"],
      ["model-stream-error", "ModelStreamErrorException", "ModelErrorException"],
      ["internal-frame", "InternalServerException", "InternalServerException"],
      ["validation-frame", "ValidationException", "ValidationException"],
      ["service-unavailable-frame", "ServiceUnavailableException", "ServiceUnavailableException"],
      ["exception;type=modelStreamErrorException", "ModelStreamErrorException", "ModelErrorException"],
    ] as const;

    it.each(frames)(
      "%s after 4 events: never retried, error carries the text so far",
      async (fault, streamName, httpName) => {
        const o = await run(api, streaming, `${fault};after=4`, { maxRetries: 2 });
        const error = failedOnce(o);
        if (streaming) {
          expect(error.name).toBe(streamName);
          expect(o.attempts).toBe(1);
          expect(error.phase).toBe("stream");
          // messageStart + 3 text deltas were delivered; the error holds exactly that text.
          expect(o.texts).toHaveLength(3);
          expect(error.partial?.outputText).toBe(o.texts.join(""));
          expect(reference.startsWith(error.partial!.outputText)).toBe(true);
          expect(error.partial?.eventsDelivered).toBe(4);
          expect(o.events.some((e) => e.type === "finish")).toBe(false);
        } else {
          // /converse has no frames: the same fault is the HTTP error Bedrock answers instead.
          expect(error.name).toBe(httpName);
          expect(o.attempts).toBe(error.retryable ? 3 : 1);
          expect(error.phase).toBe("request");
        }
      },
    );

    it("modelStreamErrorException keeps the model's original status and message", async () => {
      const o = await run(
        api,
        streaming,
        "model-stream-error;after=2;message=upstream%20broke;original-status=529;original-message=Overloaded",
      );
      const error = failedOnce(o) as any;
      expect(error.message).toContain("upstream broke");
      if (streaming) {
        expect(error.originalStatusCode).toBe(529);
        expect(error.originalMessage).toBe("Overloaded");
      }
    });

    it("a retryable exception frame before any event is retried, and the retry's answer arrives once", async () => {
      const o = await run(api, streaming, (n) => (n === 1 ? "throttle-frame;after=0" : undefined), {
        maxRetries: 1,
      });
      expect(o.attempts).toBe(2);
      succeeded(o, reference);
    });

    it("a non-retryable exception frame before any event is not retried", async () => {
      const o = await run(api, streaming, "validation-frame;after=0", { maxRetries: 2 });
      expect(o.attempts).toBe(1);
      const error = failedOnce(o);
      expect(error.name).toBe("ValidationException");
      expect(error.phase).toBe("request");
      expect(o.texts).toEqual([]);
    });
  });

  describe("broken bodies", () => {
    it("truncated after 5 events: an EventStreamError at the cut frame's offset, never a normal finish", async () => {
      const o = await run(api, streaming, "truncate;after=5", { maxRetries: 2 });
      const error = failedOnce(o);
      expect(o.attempts).toBe(1);
      if (streaming) {
        const offsets = frameOffsets(await rawStream(o.bodies[0]));
        expect(error).toBeInstanceOf(EventStreamError);
        expect(error.message).toMatch(/truncated/);
        expect(error.offset).toBe(offsets[5]);
        expect(error.message).toContain(`at byte ${offsets[5]}`);
        expect(error.partial?.outputText).toBe(o.texts.join(""));
        expect(o.texts).toHaveLength(4);
      } else {
        expect(error.name).toBe("UnexpectedResponseError");
        expect(error.message).toMatch(/does not parse.*truncated/);
      }
      expect(o.events.some((e) => e.type === "finish")).toBe(false);
    });

    it("connection reset after 5 events: a NetworkError saying how far it got, with the text so far", async () => {
      // The delay lets the 5 frames leave the server before the reset: src/node/serve.ts destroys the socket
      // at once, dropping frames still in its write buffer (reported to its owner).
      const o = await run(api, streaming, "delay;ms=15,reset;after=5", { maxRetries: 1 });
      const error = failedOnce(o);
      expect(error).toBeInstanceOf(NetworkError);
      expect(error.message).toMatch(
        /connection to 127\.0\.0\.1:\d+ was lost while reading the response \(\d+ bytes received\)/,
      );
      if (streaming) {
        expect(o.attempts).toBe(1);
        expect(error.phase).toBe("stream");
        expect(error.partial?.outputText).toBe(o.texts.join(""));
        expect(o.texts).toHaveLength(4);
      } else {
        // Half a JSON body, nothing delivered: retried like any network error.
        expect(o.attempts).toBe(2);
        expect(error.phase).toBe("request");
      }
    });

    it("a reset before any event is retried and the retry's answer arrives once", async () => {
      const o = await run(api, streaming, (n) => (n === 1 ? "reset;after=0" : undefined), { maxRetries: 1 });
      expect(o.attempts).toBe(2);
      succeeded(o, reference);
    });

    it.each(["message", "prelude"] as const)(
      "bad %s CRC on frame 6: EventStreamError at that frame's offset",
      async (part) => {
        const o = await run(api, streaming, `bad-crc;after=6;part=${part}`);
        if (!streaming) {
          // /converse has no CRCs: the fault does not apply and the answer is whole.
          succeeded(o, reference);
          return;
        }
        const error = failedOnce(o);
        const offsets = frameOffsets(await rawStream(o.bodies[0]));
        expect(error).toBeInstanceOf(EventStreamError);
        expect(error.message).toMatch(part === "message" ? /Message CRC mismatch/ : /Prelude CRC mismatch/);
        expect(error.offset).toBe(offsets[6]);
        expect(o.texts).toHaveLength(5);
        expect(error.partial?.outputText).toBe(o.texts.join(""));
        expect(o.attempts).toBe(1);
      },
    );

    it("json-200: a JSON body where an event stream was expected is named as such", async () => {
      const o = await run(api, streaming, "json-200");
      if (!streaming) {
        succeeded(o, reference);
        return;
      }
      const error = failedOnce(o);
      expect(error.name).toBe("UnexpectedResponseError");
      expect(error.message).toContain("Expected an event stream (application/vnd.amazon.eventstream)");
      expect(error.message).toContain("got application/json");
      expect(error.hint).toMatch(/stream: false/);
      expect(o.attempts).toBe(1);
    });
  });

  describe("timeouts", () => {
    it("a stall longer than idleTimeoutMs mid-stream: TimeoutError naming idleTimeoutMs", async () => {
      const started = Date.now();
      const o = await run(api, streaming, "stall;ms=3000;after=4", { idleTimeoutMs: 150, maxRetries: 0 });
      const error = failedOnce(o);
      expect(Date.now() - started).toBeLessThan(2800); // cut short: the stall lasts 3000 ms
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as TimeoutError).timeout).toBe("idleTimeoutMs");
      expect(error.message).toContain("idleTimeoutMs");
      expect(error.message).toContain("150 ms");
      if (streaming) {
        expect(error.phase).toBe("stream");
        expect(error.partial?.outputText).toBe(o.texts.join(""));
        expect(o.texts).toHaveLength(3);
      }
    });

    it("a stall mid-stream is not retried once events were delivered", async () => {
      const o = await run(api, streaming, "stall;ms=3000;after=4", { idleTimeoutMs: 150, maxRetries: 2 });
      failedOnce(o);
      // /converse delivers nothing before its body is whole, so there the timeout is retried.
      expect(o.attempts).toBe(streaming ? 1 : 3);
    });

    it("a stall shorter than idleTimeoutMs is waited out", async () => {
      const o = await run(api, streaming, "stall;ms=120;after=3", { idleTimeoutMs: 5000 });
      succeeded(o, reference);
    });

    it("delay between every event within idleTimeoutMs completes; beyond it times out", async () => {
      succeeded(await run(api, streaming, "delay;ms=15", { idleTimeoutMs: 5000 }), reference);
      const slow = await run(api, streaming, "delay;ms=400", { idleTimeoutMs: 100, maxRetries: 0 });
      if (!streaming) {
        succeeded(slow, reference); // /converse bodies come whole
        return;
      }
      const error = failedOnce(slow);
      expect((error as TimeoutError).timeout).toBe("idleTimeoutMs");
    });

    it("slow first byte beyond firstByteTimeoutMs: TimeoutError naming firstByteTimeoutMs, retried", async () => {
      const o = await run(api, streaming, "slow-first-byte;ms=3000", {
        firstByteTimeoutMs: 150,
        maxRetries: 1,
      });
      const error = failedOnce(o);
      expect(o.attempts).toBe(2);
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as TimeoutError).timeout).toBe("firstByteTimeoutMs");
      expect(error.message).toContain("firstByteTimeoutMs");
      expect(error.phase).toBe("request");
      expect(error.retryable).toBe(true);
    });

    it("slow first byte within firstByteTimeoutMs completes", async () => {
      succeeded(await run(api, streaming, "slow-first-byte;ms=100", { firstByteTimeoutMs: 5000 }), reference);
    });

    it("a slow first byte on the first attempt only: the retry's answer arrives once", async () => {
      const o = await run(api, streaming, (n) => (n === 1 ? "slow-first-byte;ms=3000" : undefined), {
        firstByteTimeoutMs: 150,
        maxRetries: 1,
      });
      expect(o.attempts).toBe(2);
      succeeded(o, reference);
    });

    it("a stall before the first event counts against firstByteTimeoutMs (on /converse, the head ends it)", async () => {
      const o = await run(api, streaming, "stall;ms=400;after=0", {
        firstByteTimeoutMs: 150,
        idleTimeoutMs: 60_000,
        maxRetries: 0,
      });
      if (streaming) {
        expect((failedOnce(o) as TimeoutError).timeout).toBe("firstByteTimeoutMs");
        return;
      }
      // The /converse head came at once; waiting on its body is the idle timer's job.
      succeeded(o, reference);
      const again = await run(api, streaming, "stall;ms=3000;after=0", { idleTimeoutMs: 150, maxRetries: 0 });
      expect((failedOnce(again) as TimeoutError).timeout).toBe("idleTimeoutMs");
    });

    if (api === "stream") {
      it("a consumer slower than idleTimeoutMs is never mistaken for a stalled server", async () => {
        // Each event takes the consumer longer than idleTimeoutMs, yet the server was never idle.
        // The whole body comes in one chunk, so the only waits on the network are the first and last reads.
        const o = await run(api, streaming, undefined, {
          idleTimeoutMs: 300,
          delayPerEventMs: 80,
          headers: { "x-bedrock-edge-chunk-size": "1048576" },
        });
        succeeded(o, reference);
      });
    }
  });
});
