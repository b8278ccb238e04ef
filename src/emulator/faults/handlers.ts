// What each fault does, in one table. A fault acts at one or more of three points of a request:
// - `beforeBody`: before the request body is read, in the order of `stage` (every slow first byte, then the
//   fail-first counters, then the first HTTP error); a Response answers the request there.
// - `converse`: on a /converse answer (JSON): an exception becomes its HTTP error; truncate, reset and stall
//   cut or hold the body.
// - `stream`: on a /converse-stream answer, by event count: a pause, the end of the body, or a changed frame at
//   each point; planStream (stream-plan.ts) walks the frames and asks the table.
import type { Step } from "../http/body-stream.ts";
import { sleep } from "../http/body-stream.ts";
import { EmulatorError, errorResponse, isErrorCode, plainErrorResponse } from "../http/errors.ts";
import { corruptCrc, encodeException } from "../wire/frames.ts";
import { type Fault, formatFaults, httpErrorOf } from "./spec.ts";

/** A frame to send, built when it goes out. */
export type FrameSource = () => Uint8Array;

type Kind = Fault["kind"];
type FaultOf<K extends Kind> = Extract<Fault, { kind: K }>;

/** What a fault may need from the request it acts on. */
export interface FaultContext {
  request: Request;
  headers: Headers;
  /** Requests failed so far per fail-first key (shared by the emulator's requests). */
  failCounts: Map<string, number>;
  /** The fail-first key header's name. */
  faultKeyHeader: string;
}

/** How a /converse body goes out: held `stallMs`, then whole or cut (half of it, then the end or a reset). */
export interface JsonPlan {
  stallMs: number;
  cut?: "truncate" | "reset";
}

interface Handler<K extends Kind> {
  /** Order among the faults that act before the body (lower first); kinds without one do not act there. */
  stage?: number;
  beforeBody?: (
    fault: FaultOf<K>,
    context: FaultContext,
  ) => Promise<Response | undefined> | Response | undefined;
  /** /converse-stream answers with JSON instead (a misbehaving proxy). */
  forcesJson?: boolean;
  /** On /converse: throws the HTTP error this fault stands for. */
  converseError?: (fault: FaultOf<K>) => EmulatorError;
  /** On a JSON body: how this fault shapes its sending. */
  json?: (fault: FaultOf<K>, plan: JsonPlan) => void;
  /**
   * On the event stream, at point `i` of `n` frames (before frame i; i = n is after the last). A fault "after N"
   * acts once N frames have gone out; N past the end acts after the last frame (truncate and bad-crc act on the
   * last frame).
   */
  stream?: {
    /** A pause at i. */
    pauseAt?: (fault: FaultOf<K>, i: number, n: number) => number | undefined;
    /** A pause before every frame after the first. */
    everyFrameMs?: (fault: FaultOf<K>) => number;
    /** The steps that end the body at i, instead of frame i and the rest. */
    endAt?: (fault: FaultOf<K>, i: number, n: number, frame: FrameSource | undefined) => Step[] | undefined;
    /** A change to frame i as it goes out. */
    frameAt?: (fault: FaultOf<K>, i: number, n: number) => ((bytes: Uint8Array) => Uint8Array) | undefined;
  };
}

/** Where a fault "after N" acts among n frames. */
const at = (after: number, n: number) => Math.min(after, n);
/** The same for the faults that act on a frame: the last one when N is past it. */
const atFrame = (after: number, n: number) => Math.min(after, n - 1);

const MAX_FAIL_KEYS = 1000;

export const FAULT_HANDLERS: { [K in Kind]: Handler<K> } = {
  "slow-first-byte": {
    stage: 0,
    beforeBody: async (fault, { request }) => {
      await sleep(fault.ms, request.signal);
      return undefined;
    },
  },
  "fail-first": {
    stage: 1,
    beforeBody: (fault, { request, headers, failCounts, faultKeyHeader }) => {
      const key = request.headers.get(faultKeyHeader) ?? formatFaults([fault]);
      const seen = failCounts.get(key) ?? 0;
      if (seen >= fault.count) return undefined;
      if (!failCounts.has(key) && failCounts.size >= MAX_FAIL_KEYS) failCounts.clear();
      failCounts.set(key, seen + 1);
      return httpFaultResponse(fault, headers);
    },
  },
  http: { stage: 2, beforeBody: (fault, { headers }) => httpFaultResponse(fault, headers) },
  "json-200": { forcesJson: true },
  exception: {
    converseError: (fault) =>
      new EmulatorError(httpCodeForStreamException(fault.type), fault.message, {
        extra: { originalStatusCode: fault.originalStatusCode, originalMessage: fault.originalMessage },
      }),
    stream: {
      endAt: (fault, i, n) => {
        if (at(fault.after, n) !== i) return undefined;
        const { type, message, originalStatusCode, originalMessage } = fault;
        const payload = {
          message: message ?? defaultStreamMessage(type),
          originalStatusCode,
          originalMessage,
        };
        return [{ type: "bytes", build: () => encodeException(type, payload) }];
      },
    },
  },
  truncate: {
    json: (_fault, plan) => {
      plan.cut ??= "truncate";
    },
    stream: {
      endAt: (fault, i, n, frame) =>
        frame && atFrame(fault.after, n) === i
          ? [
              {
                type: "bytes",
                build: () => {
                  const bytes = frame();
                  return bytes.subarray(0, Math.max(1, Math.floor(bytes.length / 2)));
                },
              },
            ]
          : undefined,
    },
  },
  reset: {
    json: (_fault, plan) => {
      plan.cut ??= "reset";
    },
    stream: { endAt: (fault, i, n) => (at(fault.after, n) === i ? [{ type: "reset" }] : undefined) },
  },
  stall: {
    json: (fault, plan) => {
      plan.stallMs += fault.ms;
    },
    stream: { pauseAt: (fault, i, n) => (at(fault.after, n) === i ? fault.ms : undefined) },
  },
  delay: { stream: { everyFrameMs: (fault) => fault.ms } },
  "bad-crc": {
    stream: {
      frameAt: (fault, i, n) =>
        atFrame(fault.after, n) === i ? (bytes) => corruptCrc(bytes, fault.part) : undefined,
    },
  },
};

/** The stream handler of a fault, typed for the fault it is given. */
export const streamHandler = <K extends Kind>(fault: FaultOf<K>) =>
  (FAULT_HANDLERS[fault.kind as K] as Handler<K>).stream as Required<Handler<Kind>>["stream"] | undefined;

const handlerOf = <K extends Kind>(fault: FaultOf<K>) => FAULT_HANDLERS[fault.kind as K] as Handler<K>;

/** Runs the faults that act before the body; the first Response they give answers the request. */
export async function faultBeforeBody(
  faults: readonly Fault[],
  context: FaultContext,
): Promise<Response | undefined> {
  const acting = faults.filter((f) => handlerOf(f).beforeBody);
  acting.sort((a, b) => (handlerOf(a).stage ?? 0) - (handlerOf(b).stage ?? 0));
  for (const fault of acting) {
    const response = await handlerOf(fault).beforeBody!(fault as never, context);
    if (response) return response;
  }
  return undefined;
}

/** True when a fault makes /converse-stream answer with JSON. */
export const forcesJson = (faults: readonly Fault[]) => faults.some((f) => handlerOf(f).forcesJson);

/** The HTTP error a /converse request gets from its faults (the first that has one), if any. */
export function converseFaultError(faults: readonly Fault[]): EmulatorError | undefined {
  for (const fault of faults) {
    const make = handlerOf(fault).converseError;
    if (make) return make(fault as never);
  }
  return undefined;
}

/**
 * How a JSON body goes out as its faults say: `steps` (held, cut, reset) or undefined to send it plainly;
 * `whole` when all of it is sent (then it has a content-length).
 */
export function jsonSending(
  bytes: Uint8Array,
  faults: readonly Fault[],
  chunked: boolean,
): { steps: Step[] | undefined; whole: boolean } {
  const plan: JsonPlan = { stallMs: 0 };
  for (const fault of faults) handlerOf(fault).json?.(fault as never, plan);
  if (!plan.cut && !chunked && plan.stallMs === 0) return { steps: undefined, whole: true };
  const steps: Step[] = [];
  if (plan.stallMs > 0) steps.push({ type: "sleep", ms: plan.stallMs });
  if (plan.cut) {
    steps.push({ type: "bytes", build: () => bytes.subarray(0, Math.floor(bytes.length / 2)) });
    if (plan.cut === "reset") steps.push({ type: "reset" });
  } else {
    steps.push({ type: "bytes", build: () => bytes });
  }
  return { steps, whole: !plan.cut };
}

export function httpFaultResponse(
  fault: Fault & { status?: number; code?: string; message?: string },
  headers: Headers,
): Response {
  const { status, code } = httpErrorOf(fault);
  if (code === undefined) return plainErrorResponse(status, headers);
  const known = isErrorCode(code);
  return errorResponse(
    new EmulatorError(code, fault.message, {
      status: known && fault.status === undefined ? undefined : status,
    }),
    headers,
  );
}

function defaultStreamMessage(type: string): string {
  switch (type) {
    case "throttlingException":
      return "Too many tokens, please wait before trying again.";
    case "modelStreamErrorException":
      return "The model stream failed. Try your request again.";
    case "validationException":
      return "The request failed validation while the response was streaming.";
    case "serviceUnavailableException":
      return "The service isn't currently available. Try again later.";
    default:
      return "The system encountered an unexpected error during processing. Try your request again.";
  }
}

/** The HTTP error code a mid-stream exception fault becomes on /converse. */
export function httpCodeForStreamException(type: string): string {
  switch (type) {
    case "throttlingException":
      return "ThrottlingException";
    case "modelStreamErrorException":
      return "ModelErrorException";
    case "validationException":
      return "ValidationException";
    case "serviceUnavailableException":
      return "ServiceUnavailableException";
    default:
      return "InternalServerException";
  }
}
