import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createEmulator,
  type Fault,
  FaultSpecError,
  fault,
  formatFaults,
  parseFaults,
} from "../../src/emulator";
import { converseRequest, user } from "./helpers";

describe("fault spec syntax", () => {
  it("parses the documented examples", () => {
    expect(parseFaults("throttle")).toEqual([{ kind: "http", code: "ThrottlingException" }]);
    expect(parseFaults("throttle-frame;after=3")).toEqual([
      { kind: "exception", type: "throttlingException", after: 3 },
    ]);
    expect(parseFaults("stall;ms=200")).toEqual([{ kind: "stall", ms: 200, after: 1 }]);
    expect(parseFaults("truncate;after=5, bad-crc;after=2")).toEqual([
      { kind: "truncate", after: 5 },
      { kind: "bad-crc", after: 2, part: "message" },
    ]);
    expect(parseFaults("slow-first-byte;ms=500")).toEqual([{ kind: "slow-first-byte", ms: 500 }]);
    expect(parseFaults("http;status=503;code=ServiceUnavailableException")).toEqual([
      { kind: "http", status: 503, code: "ServiceUnavailableException" },
    ]);
    expect(parseFaults("fail-first;count=2;code=ThrottlingException")).toEqual([
      { kind: "fail-first", count: 2, code: "ThrottlingException" },
    ]);
    expect(
      parseFaults("model-stream-error;after=4;original-status=500;original-message=boom%2C%20again"),
    ).toEqual([
      {
        kind: "exception",
        type: "modelStreamErrorException",
        after: 4,
        originalStatusCode: 500,
        originalMessage: "boom, again",
      },
    ]);
    expect(parseFaults("serviceUnavailable")).toEqual([
      { kind: "http", code: "ServiceUnavailableException" },
    ]);
    expect(parseFaults(" json-200 ")).toEqual([{ kind: "json-200" }]);
  });

  const bad: [string, RegExp][] = [
    ["explode", /Unknown fault kind "explode"/],
    ["stall;ms=abc", /ms must be an integer from 0 to 600000/],
    ["stall;ms=9999999", /ms must be an integer/],
    ["truncate;when=3", /unknown parameter "when"/],
    ["truncate;after", /expected key=value/],
    ["http", /http needs status=/],
    ["http;status=200", /status must be an integer from 400 to 599/],
    ["exception;type=oops", /type must be one of/],
    ["exception", /type= is required/],
    ["bad-crc;part=body", /part must be message or prelude/],
    ["http;code=Not-A-Code", /error code/],
    ["throttle;message=%E0%A4%A", /malformed percent-encoding/],
  ];
  for (const [spec, message] of bad) {
    it(`rejects "${spec}" saying why`, () => {
      expect(() => parseFaults(spec)).toThrow(FaultSpecError);
      expect(() => parseFaults(spec)).toThrow(message);
    });
  }

  it("formatFaults is the inverse of parseFaults for every builder", () => {
    const text = fc.string({ maxLength: 20 });
    const small = fc.integer({ min: 0, max: 1000 });
    const arbitrary: fc.Arbitrary<Fault> = fc.oneof(
      fc
        .tuple(
          fc.integer({ min: 400, max: 599 }),
          fc.option(fc.constantFrom("ThrottlingException", "Custom1"), { nil: undefined }),
          fc.option(text, { nil: undefined }),
        )
        .map(([s, c, m]) => fault.http(s, c, m)),
      text.map((m) => fault.throttle(m)),
      fc
        .tuple(small, text, fc.integer({ min: 100, max: 599 }), text)
        .map(([a, m, s, o]) =>
          fault.modelStreamError(a, { message: m, originalStatusCode: s, originalMessage: o }),
        ),
      small.map((a) => fault.throttleFrame(a)),
      small.map((a) => fault.internalFrame(a)),
      small.map((a) => fault.truncate(a)),
      small.map((a) => fault.reset(a)),
      fc
        .tuple(small, fc.constantFrom("message" as const, "prelude" as const))
        .map(([a, p]) => fault.badCrc(a, p)),
      fc.tuple(small, small).map(([ms, a]) => fault.stall(ms, a)),
      small.map((ms) => fault.delay(ms)),
      small.map((ms) => fault.slowFirstByte(ms)),
      fc.constant(fault.json200()),
      fc
        .tuple(fc.integer({ min: 1, max: 9 }), text)
        .map(([n, m]) => fault.failFirst(n, "ThrottlingException", m)),
    );
    const clean = (f: Fault) => JSON.parse(JSON.stringify(f));
    fc.assert(
      fc.property(fc.array(arbitrary, { minLength: 1, maxLength: 4 }), (faults) => {
        expect(parseFaults(formatFaults(faults))).toEqual(faults.map(clean));
      }),
    );
  });

  it("an invalid x-bedrock-edge-fault header is a 400 ValidationException naming the header and the problem", async () => {
    const response = await createEmulator().fetch(
      converseRequest({ messages: [user("x")] }, { headers: { "x-bedrock-edge-fault": "stall;ms=soon" } }),
    );
    expect(response.status).toBe(400);
    expect((await response.json()).message).toBe(
      'Invalid x-bedrock-edge-fault: Invalid fault "stall;ms=soon": ms must be an integer from 0 to 600000.',
    );
  });

  it("an invalid faults option throws when the emulator is created", () => {
    expect(() => createEmulator({ faults: "nope" })).toThrow(FaultSpecError);
    expect(() => createEmulator({ chunkSize: 0 })).toThrow(RangeError);
  });

  it("faults in the option apply to every request", async () => {
    const emulator = createEmulator({ faults: [fault.throttle()] });
    expect((await emulator.fetch(converseRequest({ messages: [user("x")] }))).status).toBe(429);
  });
});
