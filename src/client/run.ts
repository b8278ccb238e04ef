import type { ToolCallAccumulator } from "../stream/accumulate.ts";
import type { ChatEvent } from "../stream/events.ts";
import { ConversePipeline } from "../stream/pipeline.ts";
import { type Attempt, type CallPlan, EVENT_STREAM, runCall } from "./call.ts";
import { BedrockError, incompleteStream, requestIdOf } from "./errors.ts";
import type { LevelLogger } from "./log.ts";

export type { CallPlan } from "./call.ts";
export { DEFAULT_FIRST_BYTE_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_RETRIES } from "./call.ts";

/**
 * Runs a Converse call on the transport (call.ts) and yields chat events in batches, one batch per network
 * chunk; returns the accumulator with the result. /converse-stream goes through the fused pipeline; /converse
 * through `plan.readJson`, which gives the same events.
 */
export const runConverse = (plan: CallPlan): AsyncGenerator<ChatEvent[], ToolCallAccumulator> =>
  runCall(plan, (response, at) => (plan.stream ? converseStream : plan.readJson!)(plan, response, at));

async function* converseStream(plan: CallPlan, response: Response, at: Attempt) {
  const type = response.headers.get("content-type") ?? "";
  if (!type.includes(EVENT_STREAM)) throw unexpectedBody(response, type, await at.text(response));
  if (!response.body) throw emptyBody();
  const pipeline = new ConversePipeline();
  const accumulator = pipeline.accumulator;
  accumulator.partialJson = plan.partialJson;
  let count = 0;
  at.partial = () => partialOf(accumulator, count);
  if (plan.log.debugEnabled) pipeline.onConverseEvent = (e) => plan.log.debug(`event ${e.type}`, e);
  const reader = response.body.getReader();
  try {
    for (let first = true; ; first = false) {
      const { done, value } = await at.read(reader, first);
      if (done && !at.received) throw emptyBody();
      const events = done ? pipeline.end() : pipeline.feed(value);
      if (events.length) {
        logUsage(plan.log, events);
        at.delivered = true;
        count += events.length;
        yield events;
      }
      if (pipeline.error) throw pipeline.error;
      if (done) return accumulator;
    }
  } finally {
    // Releases the connection when the caller stops early (break, cancel) or on error.
    reader.cancel().catch(() => {});
  }
}

const emptyBody = () =>
  incompleteStream("The event stream response was empty: the body ended before any event");

/** A 200 that is not an event stream: a proxy that does not support /converse-stream, or an HTML page. */
function unexpectedBody(response: Response, type: string, body: string): BedrockError {
  const text = body.slice(0, 200);
  const looksHtml = /^\s*</.test(text);
  return new BedrockError(
    "UnexpectedResponseError",
    `Expected an event stream (${EVENT_STREAM}) from /converse-stream but got ${type || "no content type"}` +
      (looksHtml ? " with an HTML page" : text ? `: ${JSON.stringify(text)}` : " with an empty body"),
    {
      status: response.status,
      requestId: requestIdOf(response),
      hint: "the endpoint or proxy does not support /converse-stream: set stream: false, or fix the proxy",
    },
  );
}

export function partialOf(acc: ToolCallAccumulator, eventsDelivered: number) {
  return {
    outputText: acc.outputText,
    toolsToCall: acc.toolCalls
      .filter((c) => !c.invalid)
      .map(({ id, name, arguments: a }) => ({ id, name, arguments: a })),
    ...(acc.usage && { usage: { ...acc.usage } }),
    eventsDelivered,
  };
}

export function logUsage(log: LevelLogger, events: ChatEvent[]): void {
  for (const e of events) if (e.type === "usage") log.info("usage", e.usage);
}
