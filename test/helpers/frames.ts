// Building event-stream frames for tests, with the AWS SDK's own codec (an implementation independent of ours).
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** A frame with string headers, in the order given, and a payload (a string is UTF-8 encoded). */
export function frame(headers: Record<string, string>, body: Uint8Array | string): Uint8Array {
  return codec.encode({
    headers: Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [name, { type: "string" as const, value }]),
    ),
    body: typeof body === "string" ? fromUtf8(body) : body,
  });
}

/** A `:message-type event` frame in Bedrock's header order; a payload that is not bytes is sent as JSON. */
export function eventFrame(type: string, payload: unknown): Uint8Array {
  return frame(
    { ":event-type": type, ":content-type": "application/json", ":message-type": "event" },
    payload instanceof Uint8Array ? payload : JSON.stringify(payload),
  );
}

/** A `:message-type exception` frame (throttlingException, validationException, ...) with a JSON payload. */
export function exceptionFrame(type: string, payload: unknown): Uint8Array {
  return frame(
    { ":exception-type": type, ":content-type": "application/json", ":message-type": "exception" },
    JSON.stringify(payload),
  );
}

/** Decodes concatenated frames with the same codec (headers as a name -> value record). */
export function decodeFrame(bytes: Uint8Array) {
  return codec.decode(bytes);
}
