import { ERROR_STATUS, type ErrorCode, isErrorCode } from "../http/errors.ts";

// Fault injection. A spec is a comma-separated list of faults, each `kind;key=value;key=value`, e.g.
//   throttle                                  HTTP 429 ThrottlingException
//   http;status=503;code=ServiceUnavailableException;message=Down%20for%20maintenance
//   throttle-frame;after=3                    a throttlingException frame after 3 events, then end
//   truncate;after=5                          5 events, then half a frame, then the body ends
//   stall;ms=200;after=2, slow-first-byte;ms=500
// Values of `message`/`original-message` are percent-decoded so they may hold `,` `;` `=`.

/** Members of ConverseStreamOutput that are exceptions (sent as `:message-type: exception` frames). */
export type StreamExceptionType =
  | "internalServerException"
  | "modelStreamErrorException"
  | "validationException"
  | "throttlingException"
  | "serviceUnavailableException";

export type Fault =
  /** Answer at once with an HTTP error (status defaults from the code, code from the status). */
  | { kind: "http"; status?: number; code?: string; message?: string }
  /** After `after` events, send an exception frame and end the stream (on /converse: the HTTP error). */
  | {
      kind: "exception";
      type: StreamExceptionType;
      after: number;
      message?: string;
      originalStatusCode?: number;
      originalMessage?: string;
    }
  /** After `after` events, send the first half of the next frame and end the body cleanly. */
  | { kind: "truncate"; after: number }
  /** After `after` events, abort the body (the connection is reset). */
  | { kind: "reset"; after: number }
  /** The frame after `after` events has a corrupted CRC (message CRC unless `part` is "prelude"). */
  | { kind: "bad-crc"; after: number; part: "message" | "prelude" }
  /** Pause `ms` once, after `after` events. */
  | { kind: "stall"; ms: number; after: number }
  /** Pause `ms` before every event after the first. */
  | { kind: "delay"; ms: number }
  /** Wait `ms` before the response headers. */
  | { kind: "slow-first-byte"; ms: number }
  /** /converse-stream answers 200 with a JSON body (a misbehaving proxy). */
  | { kind: "json-200" }
  /** Fail the first `count` requests that share a key (header x-bedrock-edge-fault-key, else the spec). */
  | { kind: "fail-first"; count: number; code: string; status?: number; message?: string };

export class FaultSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FaultSpecError";
  }
}

const HTTP_ALIASES: Record<string, ErrorCode> = {
  throttle: "ThrottlingException",
  throttling: "ThrottlingException",
  "service-unavailable": "ServiceUnavailableException",
  serviceUnavailable: "ServiceUnavailableException",
  "model-not-ready": "ModelNotReadyException",
  modelNotReady: "ModelNotReadyException",
  "access-denied": "AccessDeniedException",
  accessDenied: "AccessDeniedException",
  validation: "ValidationException",
  internal: "InternalServerException",
  internalServer: "InternalServerException",
  "model-timeout": "ModelTimeoutException",
  "model-error": "ModelErrorException",
  "not-found": "ResourceNotFoundException",
};

const FRAME_ALIASES: Record<string, StreamExceptionType> = {
  "throttle-frame": "throttlingException",
  "model-stream-error": "modelStreamErrorException",
  "internal-frame": "internalServerException",
  "validation-frame": "validationException",
  "service-unavailable-frame": "serviceUnavailableException",
};

const STREAM_EXCEPTIONS = new Set<string>(Object.values(FRAME_ALIASES));

const MAX_MS = 600_000;
const MAX_COUNT = 1_000_000;

/** Parses a fault spec (header value or `fault.` model id suffix). Throws FaultSpecError with the reason. */
export function parseFaults(spec: string): Fault[] {
  return spec
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .map(parseOne);
}

function parseOne(text: string): Fault {
  const [rawKind, ...pairs] = text.split(";").map((s) => s.trim());
  const params = new Map<string, string>();
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new FaultSpecError(`Invalid fault "${text}": expected key=value, got "${pair}".`);
    params.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  const read = new ParamReader(text, params);
  const fault = buildFault(rawKind, read, text);
  read.rejectUnused();
  return fault;
}

function buildFault(kind: string, read: ParamReader, text: string): Fault {
  if (HTTP_ALIASES[kind]) return { kind: "http", code: HTTP_ALIASES[kind], message: read.text("message") };
  if (FRAME_ALIASES[kind] || kind === "exception") {
    const type = kind === "exception" ? read.required("type") : FRAME_ALIASES[kind];
    if (!STREAM_EXCEPTIONS.has(type)) {
      throw new FaultSpecError(
        `Invalid fault "${text}": type must be one of ${[...STREAM_EXCEPTIONS].join(", ")}.`,
      );
    }
    return {
      kind: "exception",
      type: type as StreamExceptionType,
      after: read.int("after", 0, MAX_COUNT) ?? 1,
      message: read.text("message"),
      originalStatusCode: read.int("original-status", 100, 599),
      originalMessage: read.text("original-message"),
    };
  }
  switch (kind) {
    case "http": {
      const fault: Fault = {
        kind: "http",
        status: read.int("status", 400, 599),
        code: read.code("code"),
        message: read.text("message"),
      };
      if (fault.status === undefined && fault.code === undefined) {
        throw new FaultSpecError(
          `Invalid fault "${text}": http needs status=<400..599> or code=<ErrorCode>.`,
        );
      }
      return fault;
    }
    case "truncate":
    case "reset":
      return { kind, after: read.int("after", 0, MAX_COUNT) ?? 1 };
    case "bad-crc": {
      const part = read.text("part") ?? "message";
      if (part !== "message" && part !== "prelude") {
        throw new FaultSpecError(`Invalid fault "${text}": part must be message or prelude.`);
      }
      return { kind, after: read.int("after", 0, MAX_COUNT) ?? 1, part };
    }
    case "stall":
      return { kind, ms: read.int("ms", 0, MAX_MS) ?? 1000, after: read.int("after", 0, MAX_COUNT) ?? 1 };
    case "delay":
    case "slow-first-byte":
      return { kind, ms: read.int("ms", 0, MAX_MS) ?? 1000 };
    case "json-200":
      return { kind };
    case "fail-first":
      return {
        kind,
        count: read.int("count", 1, MAX_COUNT) ?? 1,
        code: read.code("code") ?? "ThrottlingException",
        status: read.int("status", 400, 599),
        message: read.text("message"),
      };
    default:
      throw new FaultSpecError(
        `Unknown fault kind "${kind}" in "${text}". Known: http, ${Object.keys(HTTP_ALIASES).join(", ")}, exception, ${Object.keys(FRAME_ALIASES).join(", ")}, truncate, reset, bad-crc, stall, delay, slow-first-byte, json-200, fail-first.`,
      );
  }
}

class ParamReader {
  private readonly used = new Set<string>();
  constructor(
    private readonly spec: string,
    private readonly params: Map<string, string>,
  ) {}

  private get(key: string): string | undefined {
    this.used.add(key);
    return this.params.get(key);
  }

  required(key: string): string {
    const value = this.get(key);
    if (value === undefined) throw new FaultSpecError(`Invalid fault "${this.spec}": ${key}= is required.`);
    return value;
  }

  text(key: string): string | undefined {
    const value = this.get(key);
    if (value === undefined) return undefined;
    try {
      return decodeURIComponent(value);
    } catch {
      throw new FaultSpecError(`Invalid fault "${this.spec}": ${key} has malformed percent-encoding.`);
    }
  }

  int(key: string, min: number, max: number): number | undefined {
    const value = this.get(key);
    if (value === undefined) return undefined;
    const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!(n >= min && n <= max)) {
      throw new FaultSpecError(
        `Invalid fault "${this.spec}": ${key} must be an integer from ${min} to ${max}.`,
      );
    }
    return n;
  }

  code(key: string): string | undefined {
    const value = this.get(key);
    if (value !== undefined && !/^[A-Za-z][A-Za-z0-9]*$/.test(value)) {
      throw new FaultSpecError(
        `Invalid fault "${this.spec}": ${key} must be an error code like ThrottlingException.`,
      );
    }
    return value;
  }

  rejectUnused(): void {
    for (const key of this.params.keys()) {
      if (!this.used.has(key))
        throw new FaultSpecError(`Invalid fault "${this.spec}": unknown parameter "${key}".`);
    }
  }
}

/** The spec text for faults (inverse of parseFaults), for headers and `fault.` model ids. */
export function formatFaults(faults: readonly Fault[]): string {
  return faults.map(formatOne).join(",");
}

function formatOne(fault: Fault): string {
  const parts: string[] = [];
  const add = (key: string, value: string | number | undefined) => {
    if (value !== undefined)
      parts.push(`${key}=${typeof value === "string" ? encodeURIComponent(value) : value}`);
  };
  switch (fault.kind) {
    case "http":
      add("status", fault.status);
      add("code", fault.code);
      add("message", fault.message);
      return ["http", ...parts].join(";");
    case "exception":
      add("type", fault.type);
      add("after", fault.after);
      add("message", fault.message);
      add("original-status", fault.originalStatusCode);
      add("original-message", fault.originalMessage);
      return ["exception", ...parts].join(";");
    case "truncate":
    case "reset":
      return `${fault.kind};after=${fault.after}`;
    case "bad-crc":
      return `bad-crc;after=${fault.after};part=${fault.part}`;
    case "stall":
      return `stall;ms=${fault.ms};after=${fault.after}`;
    case "delay":
    case "slow-first-byte":
      return `${fault.kind};ms=${fault.ms}`;
    case "json-200":
      return "json-200";
    case "fail-first":
      add("count", fault.count);
      add("code", fault.code);
      add("status", fault.status);
      add("message", fault.message);
      return ["fail-first", ...parts].join(";");
  }
}

/** Resolves an http/fail-first fault's status and code: each defaults from the other. */
export function httpErrorOf(fault: { status?: number; code?: string }): {
  status: number;
  code?: ErrorCode | string;
} {
  const code = fault.code ?? codeForStatus(fault.status ?? 500);
  const status = fault.status ?? (code && isErrorCode(code) ? ERROR_STATUS[code] : 500);
  return { status, code };
}

function codeForStatus(status: number): ErrorCode | undefined {
  const match = (Object.keys(ERROR_STATUS) as ErrorCode[]).find((code) => ERROR_STATUS[code] === status);
  return match;
}

/** Typed builders, so tests write `fault.throttleFrame(3)` instead of spec strings. */
export const fault = {
  http: (status: number, code?: string, message?: string): Fault => ({ kind: "http", status, code, message }),
  throttle: (message?: string): Fault => ({ kind: "http", code: "ThrottlingException", message }),
  serviceUnavailable: (message?: string): Fault => ({
    kind: "http",
    code: "ServiceUnavailableException",
    message,
  }),
  modelNotReady: (message?: string): Fault => ({ kind: "http", code: "ModelNotReadyException", message }),
  accessDenied: (message?: string): Fault => ({ kind: "http", code: "AccessDeniedException", message }),
  validation: (message?: string): Fault => ({ kind: "http", code: "ValidationException", message }),
  internal: (message?: string): Fault => ({ kind: "http", code: "InternalServerException", message }),
  exception: (
    type: StreamExceptionType,
    after: number,
    extra?: { message?: string; originalStatusCode?: number; originalMessage?: string },
  ): Fault => ({ kind: "exception", type, after, ...extra }),
  throttleFrame: (after: number, message?: string): Fault =>
    fault.exception("throttlingException", after, { message }),
  modelStreamError: (
    after: number,
    extra?: { message?: string; originalStatusCode?: number; originalMessage?: string },
  ): Fault => fault.exception("modelStreamErrorException", after, extra),
  internalFrame: (after: number, message?: string): Fault =>
    fault.exception("internalServerException", after, { message }),
  truncate: (after: number): Fault => ({ kind: "truncate", after }),
  reset: (after: number): Fault => ({ kind: "reset", after }),
  badCrc: (after: number, part: "message" | "prelude" = "message"): Fault => ({
    kind: "bad-crc",
    after,
    part,
  }),
  stall: (ms: number, after = 1): Fault => ({ kind: "stall", ms, after }),
  delay: (ms: number): Fault => ({ kind: "delay", ms }),
  slowFirstByte: (ms: number): Fault => ({ kind: "slow-first-byte", ms }),
  json200: (): Fault => ({ kind: "json-200" }),
  failFirst: (count: number, code = "ThrottlingException", message?: string): Fault => ({
    kind: "fail-first",
    count,
    code,
    message,
  }),
};
