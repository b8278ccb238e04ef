// Reads the token usage Bedrock reports from an answer while passing every byte on as it arrives: the streamed
// `metadata` event (decoded with the SDK's own frame decoder), the `/converse` JSON, or the
// `x-amzn-bedrock-input/output-token-count` headers. Each chunk is handed on before it is looked at.

import { EventStreamDecoder } from "../stream/decode.ts";

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

export interface Metered {
  /** How the answer ended: read to the end, failed while reading, or cancelled by the caller. */
  end: "complete" | "error" | "cancelled";
  /** The usage Bedrock reported, when it did. */
  usage?: TokenUsage;
}

/** JSON bodies bigger than this are not kept for their usage (the headers or the reservation count instead). */
const MAX_JSON_BYTES = 8 * 1024 * 1024;
const decoder = new TextDecoder();

function usageFrom(value: unknown): TokenUsage | undefined {
  if (!value || typeof value !== "object") return undefined;
  const u = value as Record<string, unknown>;
  const input = u.inputTokens;
  const output = u.outputTokens;
  if (!Number.isSafeInteger(input) || !Number.isSafeInteger(output)) return undefined;
  const usage: TokenUsage = {
    inputTokens: input as number,
    outputTokens: output as number,
    totalTokens: Number.isSafeInteger(u.totalTokens)
      ? (u.totalTokens as number)
      : (input as number) + (output as number),
  };
  if (Number.isSafeInteger(u.cacheReadInputTokens))
    usage.cacheReadInputTokens = u.cacheReadInputTokens as number;
  if (Number.isSafeInteger(u.cacheWriteInputTokens))
    usage.cacheWriteInputTokens = u.cacheWriteInputTokens as number;
  return usage;
}

/**
 * InvokeModelWithResponseStream: the last chunk's payload (base64 in `bytes`) carries
 * `amazon-bedrock-invocationMetrics` with the call's token counts.
 */
function invocationMetrics(body: Uint8Array): TokenUsage | undefined {
  const text = decoder.decode(body);
  // Cheap test first: only the last chunk of a stream has the metrics, the others are skipped unparsed.
  if (!text.includes('"bytes"')) return undefined;
  const payload = atob(JSON.parse(text).bytes ?? "");
  if (!payload.includes("amazon-bedrock-invocationMetrics")) return undefined;
  const metrics = JSON.parse(new TextDecoder().decode(Uint8Array.from(payload, (c) => c.charCodeAt(0))))[
    "amazon-bedrock-invocationMetrics"
  ];
  return usageFrom({ inputTokens: metrics?.inputTokenCount, outputTokens: metrics?.outputTokenCount });
}

export function usageFromHeaders(headers: Headers): TokenUsage | undefined {
  const input = headers.get("x-amzn-bedrock-input-token-count");
  const output = headers.get("x-amzn-bedrock-output-token-count");
  if (input === null || output === null || !/^\d+$/.test(input) || !/^\d+$/.test(output)) return undefined;
  return usageFrom({ inputTokens: Number(input), outputTokens: Number(output) });
}

/** The body to send on, and a promise of how it ended and what it used (never rejects). */
export function meterBody(response: Response): { body: ReadableStream<Uint8Array>; done: Promise<Metered> } {
  const upstream = response.body!;
  const reader = upstream.getReader();
  const type = response.headers.get("content-type") ?? "";
  const stream = type.includes("amazon.eventstream");
  const json = !stream && type.includes("json");
  let usage = usageFromHeaders(response.headers);
  const frames = stream ? new EventStreamDecoder() : undefined;
  const kept: Uint8Array[] = [];
  let keptBytes = 0;
  let finish!: (m: Metered) => void;
  const done = new Promise<Metered>((resolve) => {
    finish = resolve;
  });
  let ended = false;
  const end = (how: Metered["end"]) => {
    if (ended) return;
    ended = true;
    if (how === "complete" && json && !usage && keptBytes <= MAX_JSON_BYTES) {
      try {
        const whole = new Uint8Array(keptBytes);
        let at = 0;
        for (const part of kept) {
          whole.set(part, at);
          at += part.byteLength;
        }
        usage = usageFrom(JSON.parse(decoder.decode(whole))?.usage);
      } catch {}
    }
    kept.length = 0;
    finish(usage ? { end: how, usage } : { end: how });
  };
  const look = (chunk: Uint8Array) => {
    if (frames) {
      try {
        for (const frame of frames.feed(chunk)) {
          const event = frame.headers[":event-type"];
          if (event?.type !== "string") continue;
          if (event.value === "metadata")
            usage = usageFrom(JSON.parse(decoder.decode(frame.body))?.usage) ?? usage;
          else if (event.value === "chunk") usage = invocationMetrics(frame.body) ?? usage;
        }
      } catch {
        // Not our business to judge the bytes: the caller's decoder reports them. Metering stops here.
        frames.feed = () => [];
      }
    } else if (json && keptBytes <= MAX_JSON_BYTES) {
      kept.push(chunk.slice());
      keptBytes += chunk.byteLength;
    }
  };
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await reader.read();
        } catch (error) {
          end("error");
          controller.error(error);
          return;
        }
        if (result.done) {
          controller.close();
          end("complete");
          return;
        }
        controller.enqueue(result.value);
        look(result.value);
      },
      cancel(reason) {
        end("cancelled");
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return { body, done };
}
