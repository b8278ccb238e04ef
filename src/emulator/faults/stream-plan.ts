import type { Step } from "../http/body-stream.ts";
import { corruptCrc, encodeException } from "../wire/frames.ts";
import type { Fault } from "./spec.ts";

/** A frame to send, built when it goes out. */
export type FrameSource = () => Uint8Array;

export interface PlanOptions {
  faults: readonly Fault[];
  /** Pause before every frame after the first (option eventDelayMs and `delay` faults). */
  eventDelayMs: number;
}

/**
 * The steps for a /converse-stream body: the frames, with the faults placed by event count. A fault
 * "after N" acts once N frames have gone out; N past the end acts after the last frame (truncate and
 * bad-crc act on the last frame).
 */
export function planStream(frames: FrameSource[], options: PlanOptions): Step[] {
  const steps: Step[] = [];
  const n = frames.length;
  const at = (after: number) => Math.min(after, n);
  const delay = options.faults.reduce((ms, f) => (f.kind === "delay" ? ms + f.ms : ms), options.eventDelayMs);
  for (let i = 0; i <= n; i++) {
    for (const f of options.faults)
      if (f.kind === "stall" && at(f.after) === i) steps.push({ type: "sleep", ms: f.ms });
    if (i > 0 && i < n && delay > 0) steps.push({ type: "sleep", ms: delay });
    for (const f of options.faults) {
      if (f.kind === "exception" && at(f.after) === i) {
        const { type, message, originalStatusCode, originalMessage } = f;
        const payload = {
          message: message ?? defaultStreamMessage(type),
          originalStatusCode,
          originalMessage,
        };
        steps.push({ type: "bytes", build: () => encodeException(type, payload) });
        return steps;
      }
      if (f.kind === "reset" && at(f.after) === i) {
        steps.push({ type: "reset" });
        return steps;
      }
      if (f.kind === "truncate" && Math.min(f.after, n - 1) === i && i < n) {
        const frame = frames[i];
        steps.push({
          type: "bytes",
          build: () => {
            const bytes = frame();
            return bytes.subarray(0, Math.max(1, Math.floor(bytes.length / 2)));
          },
        });
        return steps;
      }
    }
    if (i === n) break;
    const badCrc = options.faults.find((f) => f.kind === "bad-crc" && Math.min(f.after, n - 1) === i);
    const frame = frames[i];
    steps.push({
      type: "bytes",
      build: badCrc?.kind === "bad-crc" ? () => corruptCrc(frame(), badCrc.part) : frame,
    });
  }
  return steps;
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
