import { AbortError, BedrockError, createBedrock, TimeoutError } from "bedrock-edge";
import { client, MODEL } from "./emulator-client.ts";
import { equal, match, ok, rejects, test } from "./harness.ts";
import { capture, expectedOf } from "./recorded.ts";

const hi = [{ role: "user" as const, content: "Hello" }];

test("errors: a 400 is a ValidationException with status, request id, phase and hint, not retried", async (ctx) => {
  // A full region in front of the id: AWS (and the emulator) answer 400 "The provided model identifier is invalid."
  const error = await rejects(client(ctx).request(hi, { model: `us-east-1.${MODEL}` }), {
    instance: BedrockError,
    name: "ValidationException",
  });
  equal(error.status, 400, "status");
  equal(error.phase, "request", "phase");
  equal(error.retryable, false, "retryable");
  match(error.hint, /region in front of the id/, "hint");
  ok(typeof error.requestId === "string" && error.requestId.length > 0, "requestId from x-amzn-RequestId");
});

test("errors: a wrong key is AccessDeniedException with a hint, and the key never appears in the error", async (ctx) => {
  const wrong = "sk-WRONG-secret-value-123456";
  const errors: unknown[] = [];
  const error = await rejects(client(ctx, { key: wrong }).request(hi, { onError: (e) => errors.push(e) }), {
    name: "AccessDeniedException",
  });
  equal(error.status, 403, "status");
  ok(error.hint, "a hint says what to check");
  ok(
    !JSON.stringify({ m: error.message, h: error.hint, s: String(error.stack) }).includes(wrong),
    "key leaked",
  );
  equal(errors.length, 1, "onError called once");
});

test("errors: throttling before any event is retried and then succeeds", async (ctx) => {
  const key = `${ctx.runtime}-${crypto.randomUUID()}`;
  // count=1: the first attempt gets a 429, so an answer proves the client retried.
  const result = await client(ctx).request(hi, {
    headers: {
      "x-bedrock-edge-fault": "fail-first;count=1;code=ThrottlingException",
      "x-bedrock-edge-fault-key": key,
    },
    logLevel: "error", // the retry warning is expected here
  });
  ok(result.outputText.length > 0, "answered after the retry");
  const error = await rejects(
    client(ctx).request(hi, {
      maxRetries: 0,
      headers: {
        "x-bedrock-edge-fault": "fail-first;count=1;code=ThrottlingException",
        "x-bedrock-edge-fault-key": `${key}-b`,
      },
    }),
    { name: "ThrottlingException" },
  );
  equal(error.retryable, true, "retryable");
  equal(error.status, 429, "status");
});

test("errors: an exception frame mid-stream fails with what was received, never retried", async (ctx) => {
  const name = "test_bedrock_model_stream";
  const frames = capture(name).frames;
  const afterEvents = 4;
  const want = frames
    .slice(0, afterEvents)
    .map((f) => JSON.parse(f.payload).delta?.text ?? "")
    .join("");
  const error = await rejects(
    client(ctx).request(hi, {
      headers: {
        "x-bedrock-edge-replay": name,
        "x-bedrock-edge-fault": `model-stream-error;after=${afterEvents}`,
      },
    }),
    { instance: BedrockError, name: "ModelStreamErrorException" },
  );
  equal(error.phase, "stream", "phase");
  equal(error.partial?.outputText, want, "partial text");
  ok(want.length > 0 && want.length < expectedOf(capture(name)).text.length, "partial is a strict prefix");
});

test("errors: a truncated body is an error with the partial text, never a normal finish", async (ctx) => {
  const events: string[] = [];
  const error = await rejects(
    client(ctx).request(hi, {
      headers: {
        "x-bedrock-edge-replay": "test_bedrock_model_stream",
        "x-bedrock-edge-fault": "truncate;after=5",
      },
      onEvent: (e) => events.push(e.type),
    }),
    { instance: BedrockError },
  );
  match(error.message, /truncated/i, "message");
  ok(error.partial?.outputText.length > 0, "partial text kept");
  ok(!events.includes("finish"), "no finish event");
});

test("errors: a 200 that is not an event stream is UnexpectedResponseError with a hint", async (ctx) => {
  const error = await rejects(client(ctx).request(hi, { headers: { "x-bedrock-edge-fault": "json-200" } }), {
    name: "UnexpectedResponseError",
  });
  match(error.message, /event stream/, "message");
});

test("errors: firstByteTimeoutMs fires a TimeoutError; abort() is an AbortError", async (ctx) => {
  const timeout = await rejects(
    client(ctx).request(hi, {
      firstByteTimeoutMs: 150,
      maxRetries: 0,
      headers: { "x-bedrock-edge-fault": "slow-first-byte;ms=3000" },
    }),
    { instance: TimeoutError, name: "TimeoutError" },
  );
  equal(timeout.timeout, "firstByteTimeoutMs", "which timeout");
  const controller = new AbortController();
  const pending = client(ctx).request(hi, {
    signal: controller.signal,
    headers: { "x-bedrock-edge-fault": "stall;ms=3000;after=2" },
  });
  setTimeout(() => controller.abort(), 100);
  const aborted = await rejects(pending, { instance: AbortError, name: "AbortError" });
  ok(aborted.phase === "stream" || aborted.phase === "request", `phase ${aborted.phase}`);
});

test("errors: no reachable server is a retryable NetworkError naming the host", async () => {
  const bedrock = createBedrock(
    { key: "k", url: "http://127.0.0.1:9/model/", region: "us-east-1" },
    { env: {} },
  );
  const error = await rejects(bedrock.request(hi, { model: "amazon.nova-lite-v1:0", maxRetries: 0 }), {
    name: "NetworkError",
  });
  match(error.message, /127\.0\.0\.1:9/, "message names the host");
  equal(error.retryable, true, "retryable");
});
