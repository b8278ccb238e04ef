import type { Step } from "../http/body-stream.ts";
import { type FrameSource, streamHandler } from "./handlers.ts";
import type { Fault } from "./spec.ts";

export type { FrameSource };

export interface PlanOptions {
  faults: readonly Fault[];
  /** Pause before every frame after the first (option eventDelayMs; `delay` faults add theirs). */
  eventDelayMs: number;
}

/**
 * The steps for a /converse-stream body: the frames, with the faults placed by event count. What each fault
 * does is in FAULT_HANDLERS (handlers.ts); this walks the points between frames and asks them, in the order the
 * faults were given: pauses first, then the end of the body, else the frame (changed by the first that does).
 */
export function planStream(frames: FrameSource[], options: PlanOptions): Step[] {
  const steps: Step[] = [];
  const n = frames.length;
  const faults = options.faults;
  const delay = faults.reduce(
    (ms, f) => ms + (streamHandler(f)?.everyFrameMs?.(f) ?? 0),
    options.eventDelayMs,
  );
  for (let i = 0; i <= n; i++) {
    for (const f of faults) {
      const ms = streamHandler(f)?.pauseAt?.(f, i, n);
      if (ms !== undefined) steps.push({ type: "sleep", ms });
    }
    if (i > 0 && i < n && delay > 0) steps.push({ type: "sleep", ms: delay });
    for (const f of faults) {
      const end = streamHandler(f)?.endAt?.(f, i, n, frames[i]);
      if (end) {
        steps.push(...end);
        return steps;
      }
    }
    if (i === n) break;
    const frame = frames[i];
    let change: ((bytes: Uint8Array) => Uint8Array) | undefined;
    for (const f of faults) {
      change = streamHandler(f)?.frameAt?.(f, i, n);
      if (change) break;
    }
    const changed = change;
    steps.push({ type: "bytes", build: changed ? () => changed(frame()) : frame });
  }
  return steps;
}
