import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { hash53 } from "./hash.ts";
import { sortedJson, utf8 } from "./json.ts";

// Event-stream frames exactly as Bedrock writes them: headers in the order :event-type, :content-type,
// :message-type, and a JSON payload with sorted keys carrying a `p` padding field (a prefix of PAD of
// varying length, which hides the size of the content from traffic analysis).

const codec = /* @__PURE__ */ new EventStreamCodec(toUtf8, fromUtf8);
const PAD = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

const str = (value: string) => ({ type: "string" as const, value });

/** Padding length 1..62, derived from `seed` so the same request gives the same bytes. */
export function paddingFor(seed: string): string {
  return PAD.slice(0, 1 + (hash53(seed) % PAD.length));
}

/** One `:message-type: event` frame; `payload` gets the `p` padding member. */
export function encodeEvent(
  eventType: string,
  payload: Record<string, unknown>,
  padding: string,
): Uint8Array {
  return codec.encode({
    headers: {
      ":event-type": str(eventType),
      ":content-type": str("application/json"),
      ":message-type": str("event"),
    },
    body: utf8.encode(sortedJson({ ...payload, p: padding })),
  });
}

/** One modeled exception frame, e.g. `throttlingException` with `{"message": ...}`. */
export function encodeException(exceptionType: string, payload: Record<string, unknown>): Uint8Array {
  return codec.encode({
    headers: {
      ":exception-type": str(exceptionType),
      ":content-type": str("application/json"),
      ":message-type": str("exception"),
    },
    body: utf8.encode(sortedJson(payload)),
  });
}

/** A copy of `frame` with one of its CRCs flipped, for decoders' error paths. */
export function corruptCrc(frame: Uint8Array, part: "message" | "prelude"): Uint8Array {
  const copy = frame.slice();
  copy[part === "prelude" ? 8 : copy.length - 1] ^= 0xff;
  return copy;
}

/**
 * Splits concatenated frames by their length prefixes (no CRC check: recordings are served verbatim).
 * A trailing partial frame is returned as the last element.
 */
export function splitFrames(bytes: Uint8Array): Uint8Array[] {
  const frames: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const remaining = bytes.length - offset;
    const length =
      remaining >= 4
        ? new DataView(bytes.buffer, bytes.byteOffset + offset, 4).getUint32(0, false)
        : remaining;
    const end = length >= 16 && length <= remaining ? offset + length : bytes.length;
    frames.push(bytes.subarray(offset, end));
    offset = end;
  }
  return frames;
}
