import {
  AccessDeniedException,
  BedrockRuntimeServiceException,
  ConverseCommand,
  ConverseStreamCommand,
  type ConverseStreamOutput,
  InternalServerException,
  ModelErrorException,
  ModelNotReadyException,
  ModelStreamErrorException,
  ModelTimeoutException,
  ServiceUnavailableException,
  ThrottlingException,
  ValidationException,
} from "@aws-sdk/client-bedrock-runtime";
import { describe, expect, it } from "vitest";
import { type Fault, fault, formatFaults } from "../../src/emulator";
import { MODEL, sdkClient, startEmulator } from "./helpers";

// Every fault reaches the official SDK as the SDK's own exception class, at the point AWS would raise it.

const { server } = await startEmulator({ apiKeys: ["right-key"] });
const messages = [{ role: "user" as const, content: [{ text: "Write 30 words" }] }];
const withFault = (f: Fault | string, extra: Record<string, string> = {}) =>
  sdkClient(server.url, {
    headers: { "x-bedrock-edge-fault": typeof f === "string" ? f : formatFaults([f]), ...extra },
  });

async function streamUntilError(f: Fault | string) {
  const events: ConverseStreamOutput[] = [];
  try {
    const out = await withFault(f).send(new ConverseStreamCommand({ modelId: MODEL, messages }));
    for await (const event of out.stream!) events.push(event);
  } catch (error) {
    return { events, error: error as Error };
  }
  return { events, error: undefined };
}

describe("HTTP error faults arrive as the SDK's exception classes", () => {
  const table: [Fault, new (...args: any[]) => Error, number][] = [
    [fault.throttle(), ThrottlingException, 429],
    [fault.serviceUnavailable(), ServiceUnavailableException, 503],
    [fault.modelNotReady(), ModelNotReadyException, 429],
    [fault.accessDenied(), AccessDeniedException, 403],
    [fault.validation("Bad thing at messages.0"), ValidationException, 400],
    [fault.internal(), InternalServerException, 500],
    [{ kind: "http", code: "ModelTimeoutException" }, ModelTimeoutException, 408],
    [{ kind: "http", code: "ModelErrorException" }, ModelErrorException, 424],
  ];
  for (const [f, Class, status] of table) {
    for (const op of ["converse", "converse-stream"] as const) {
      it(`${formatFaults([f])} on ${op} -> ${Class.name} (${status})`, async () => {
        const client = withFault(f);
        const command =
          op === "converse"
            ? new ConverseCommand({ modelId: MODEL, messages })
            : new ConverseStreamCommand({ modelId: MODEL, messages });
        const error = await client.send(command as any).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(Class);
        expect((error as BedrockRuntimeServiceException).$metadata.httpStatusCode).toBe(status);
        expect((error as BedrockRuntimeServiceException).$metadata.requestId).toMatch(/[0-9a-f-]{36}$/);
      });
    }
  }

  it("carries a custom message", async () => {
    const error = await withFault("http;code=ValidationException;message=Input%20is%20too%20long%2C%20sorry")
      .send(new ConverseCommand({ modelId: MODEL, messages }))
      .catch((e) => e);
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toBe("Input is too long, sorry");
  });

  it("a bare 502 without Bedrock's error header or JSON body fails with the status (as from a proxy)", async () => {
    const error = await withFault(fault.http(502))
      .send(new ConverseCommand({ modelId: MODEL, messages }))
      .catch((e) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(BedrockRuntimeServiceException);
    expect(error.$metadata.httpStatusCode).toBe(502);
  });

  it("an unmodelled code with an explicit status (ExpiredTokenException 403) is a generic service exception", async () => {
    const error = await withFault(
      "http;status=403;code=ExpiredTokenException;message=The%20security%20token%20included%20in%20the%20request%20is%20expired",
    )
      .send(new ConverseCommand({ modelId: MODEL, messages }))
      .catch((e) => e);
    expect(error).toBeInstanceOf(BedrockRuntimeServiceException);
    expect(error.name).toBe("ExpiredTokenException");
    expect(error.message).toBe("The security token included in the request is expired");
    expect(error.$metadata.httpStatusCode).toBe(403);
  });

  it("works from the model id too (fault.<spec>)", async () => {
    const error = await sdkClient(server.url)
      .send(new ConverseCommand({ modelId: "fault.service-unavailable", messages }))
      .catch((e) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableException);
  });
});

describe("mid-stream exception frames arrive as exceptions after the events before them", () => {
  const table: [Fault, new (...args: any[]) => Error][] = [
    [fault.throttleFrame(3), ThrottlingException],
    [fault.internalFrame(2), InternalServerException],
    [fault.exception("validationException", 4), ValidationException],
    [fault.exception("serviceUnavailableException", 1), ServiceUnavailableException],
  ];
  for (const [f, Class] of table) {
    it(`${formatFaults([f])} -> ${Class.name}`, async () => {
      const { events, error } = await streamUntilError(f);
      expect(error).toBeInstanceOf(Class);
      expect(events).toHaveLength((f as { after: number }).after);
      expect(events[0].messageStart).toBeDefined();
    });
  }

  it("modelStreamErrorException carries originalStatusCode and originalMessage", async () => {
    const { events, error } = await streamUntilError(
      fault.modelStreamError(5, { originalStatusCode: 500, originalMessage: "upstream failed" }),
    );
    expect(events).toHaveLength(5);
    expect(error).toBeInstanceOf(ModelStreamErrorException);
    expect(error).toMatchObject({ originalStatusCode: 500, originalMessage: "upstream failed" });
  });

  it("a mid-stream fault on /converse becomes the HTTP error", async () => {
    const error = await withFault(fault.modelStreamError(2))
      .send(new ConverseCommand({ modelId: MODEL, messages }))
      .catch((e) => e);
    expect(error).toBeInstanceOf(ModelErrorException);
    const throttled = await withFault(fault.throttleFrame(2))
      .send(new ConverseCommand({ modelId: MODEL, messages }))
      .catch((e) => e);
    expect(throttled).toBeInstanceOf(ThrottlingException);
  });
});

describe("broken streams make the SDK fail instead of ending quietly", () => {
  it("truncate: a frame cut in half", async () => {
    const { events, error } = await streamUntilError(fault.truncate(4));
    expect(events).toHaveLength(4);
    expect(error?.message).toMatch(/truncated|incomplete|end of stream/i);
  });

  it("bad-crc: a corrupted message checksum", async () => {
    const { events, error } = await streamUntilError(fault.badCrc(2));
    expect(events).toHaveLength(2);
    expect(error?.message).toMatch(/checksum/i);
  });

  it("bad-crc on the prelude", async () => {
    const { error } = await streamUntilError(fault.badCrc(0, "prelude"));
    expect(error?.message).toMatch(/checksum/i);
  });

  it("reset: the connection is cut", async () => {
    const { events, error } = await streamUntilError(fault.reset(3));
    expect(events.length).toBeLessThanOrEqual(3);
    expect(error).toBeDefined();
  });

  it("json-200: a JSON body on /converse-stream is not an event stream", async () => {
    const { events, error } = await streamUntilError(fault.json200());
    expect(events).toHaveLength(0);
    expect(error).toBeDefined();
  });
});

describe("timing faults", () => {
  it("stall: a pause of N ms between two events", async () => {
    const times: number[] = [];
    const out = await withFault(fault.stall(400, 2)).send(
      new ConverseStreamCommand({ modelId: MODEL, messages }),
    );
    for await (const _ of out.stream!) times.push(performance.now());
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    expect(gaps[1]).toBeGreaterThanOrEqual(380);
    expect(Math.max(...gaps.filter((_, i) => i !== 1))).toBeLessThan(300);
  });

  it("slow-first-byte: the response starts after N ms", async () => {
    const started = performance.now();
    await withFault(fault.slowFirstByte(300)).send(new ConverseCommand({ modelId: MODEL, messages }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(280);
  });
});

describe("fail-first: retries succeed after N failures", () => {
  it("the SDK's retries get through on attempt 3", async () => {
    const client = sdkClient(server.url, {
      maxAttempts: 3,
      headers: {
        "x-bedrock-edge-fault": "fail-first;count=2;code=ThrottlingException",
        "x-bedrock-edge-fault-key": "retry-test-1",
      },
    });
    const out = await client.send(new ConverseCommand({ modelId: MODEL, messages }));
    expect(out.$metadata.attempts).toBe(3);
    expect(out.output?.message?.content?.[0].text).toContain("The quick brown fox");
  });

  it("without retries the first calls fail, then the key succeeds", async () => {
    const client = withFault(fault.failFirst(2, "ServiceUnavailableException"), {
      "x-bedrock-edge-fault-key": "retry-test-2",
    });
    const send = () =>
      client.send(new ConverseCommand({ modelId: MODEL, messages })).then(
        () => "ok",
        (e) => e.name,
      );
    expect([await send(), await send(), await send()]).toEqual([
      "ServiceUnavailableException",
      "ServiceUnavailableException",
      "ok",
    ]);
  });
});

describe("auth", () => {
  it("a bearer token not in apiKeys gets AccessDeniedException that does not echo it", async () => {
    const error = await sdkClient(server.url, { token: "wrong-key-s3cr3t" })
      .send(new ConverseCommand({ modelId: MODEL, messages }))
      .catch((e) => e);
    expect(error).toBeInstanceOf(AccessDeniedException);
    expect(JSON.stringify({ message: error.message, ...error })).not.toContain("s3cr3t");
  });
});
