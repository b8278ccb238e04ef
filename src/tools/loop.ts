// The tool loop: request, run the calls, append the turns, repeat until the model stops calling tools.
import type { BedrockClient } from "../client/create.ts";
import { asyncIterable } from "../client/deliver.ts";
import { resultOf } from "../client/result.ts";
import { RequestError } from "../errors/index.ts";
import type { ConverseMessage, InputMessage } from "../request/messages.ts";
import type { TokenUsage, ToolCall } from "../types/events.ts";
import { runToolCalls } from "./results.ts";
import type {
  RunToolsOptions,
  StepResult,
  ToolLoopEvent,
  ToolLoopResult,
  ToolResultRecord,
} from "./types.ts";

export const DEFAULT_MAX_STEPS = 10;

/** Adds one step's usage to the running total (cache counts and cacheDetails per TTL too). */
export function addUsage(
  total: TokenUsage | undefined,
  step: TokenUsage | undefined,
): TokenUsage | undefined {
  if (!step) return total;
  if (!total)
    return {
      ...step,
      ...(step.cacheDetails && { cacheDetails: step.cacheDetails.map((d) => ({ ...d })) }),
    };
  const sum: TokenUsage = {
    inputTokens: total.inputTokens + step.inputTokens,
    outputTokens: total.outputTokens + step.outputTokens,
    totalTokens: total.totalTokens + step.totalTokens,
  };
  for (const key of ["cacheReadInputTokens", "cacheWriteInputTokens"] as const) {
    if (total[key] !== undefined || step[key] !== undefined) sum[key] = (total[key] ?? 0) + (step[key] ?? 0);
  }
  if (total.cacheDetails || step.cacheDetails) {
    const byTtl = new Map<string, number>();
    for (const d of [...(total.cacheDetails ?? []), ...(step.cacheDetails ?? [])]) {
      byTtl.set(d.ttl, (byTtl.get(d.ttl) ?? 0) + d.inputTokens);
    }
    sum.cacheDetails = [...byTtl].map(([ttl, inputTokens]) => ({ ttl, inputTokens }));
  }
  return sum;
}

function checkOptions(options: RunToolsOptions): number {
  if (
    !options ||
    typeof options.tools !== "object" ||
    options.tools === null ||
    Array.isArray(options.tools)
  ) {
    throw new RequestError(
      "tools",
      "expected an object of tools: {name: {description, inputSchema, execute}}",
    );
  }
  for (const [name, tool] of Object.entries(options.tools)) {
    if (!tool || typeof tool !== "object")
      throw new RequestError(`tools.${name}`, "expected {description, inputSchema, execute}");
    if (tool.execute !== undefined && typeof tool.execute !== "function") {
      throw new RequestError(`tools.${name}.execute`, "expected a function");
    }
  }
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
  if (!Number.isInteger(maxSteps) || maxSteps < 1)
    throw new RequestError("maxSteps", "expected an integer >= 1");
  return maxSteps;
}

/**
 * The loop as an async generator of events; returns the loop's result. Each step streams (cancelling the
 * generator aborts the step's HTTP request); the step's calls run in parallel once its turn has ended.
 */
export async function* toolLoop(
  client: BedrockClient,
  messages: readonly InputMessage[],
  options: RunToolsOptions,
): AsyncGenerator<ToolLoopEvent, ToolLoopResult> {
  const maxSteps = checkOptions(options);
  const { tools, maxSteps: _, onStepEvent, onStepFinish, onToolsCalled, ...request } = options;
  const specs = Object.entries(tools).map(([name, t]) => ({
    name,
    ...(t.description !== undefined && { description: t.description }),
    ...(t.inputSchema !== undefined && { inputSchema: t.inputSchema }),
  }));
  const history: (InputMessage | ConverseMessage)[] = [...messages];
  const steps: StepResult[] = [];
  let usage: TokenUsage | undefined;
  for (let step = 1; ; step++) {
    let finish: Extract<ToolLoopEvent, { type: "finish" }> | undefined;
    let text = "";
    for await (const event of client.stream(history as InputMessage[], { ...request, tools: specs })) {
      if (event.type === "text") text += event.text;
      onStepEvent?.(event, step);
      const tagged = event as ToolLoopEvent & { step: number };
      tagged.step = step; // tagged in place: a copy would lose the tool-call-delta event's lazy `partial` getter
      if (tagged.type === "finish") finish = tagged;
      yield tagged;
    }
    const result = resultOf(finish!, text);
    usage = addUsage(usage, result.usage);
    // An empty assistant turn (some guardrail or filter outcomes) cannot be sent back: Bedrock rejects it.
    if (result.message.content.length) history.push({ role: "assistant", content: result.message.content });
    const calls = result.toolsToCall;
    let toolResults: ToolResultRecord[] = [];
    let pending: ToolCall[] = calls;
    if (calls.length && step < maxSteps) {
      const given = (await onToolsCalled?.(calls, step)) || [];
      const runnable = calls.every(
        (c) => given.some((g) => g.id === c.id) || !Object.hasOwn(tools, c.name) || tools[c.name].execute,
      );
      if (runnable) {
        toolResults = await runToolCalls(calls, tools, given, {
          step,
          signal: request.signal,
          messages: history as InputMessage[],
        });
        history.push({ role: "user", content: toolResults.map((r) => r.block) });
        pending = [];
        for (const { block: _, ...record } of toolResults) yield { type: "tool-result", step, ...record };
      }
    }
    const record: StepResult = { step, result, toolResults };
    steps.push(record);
    onStepFinish?.(record);
    yield { type: "step-finish", step, stopReason: result.stopReason, usage: result.usage };
    if (toolResults.length === 0) {
      const final: ToolLoopResult = { ...result, usage, steps, messages: history, toolsToCall: pending };
      yield { type: "loop-finish", result: final };
      return final;
    }
  }
}

/**
 * Runs the tool loop to the end: requests, runs each step's tool calls in parallel (a thrown error goes back
 * as a toolResult with status "error"), appends the turns, and repeats until the model answers without tool
 * calls or `maxSteps` requests have been made. Events of every step reach `onStepEvent` with their step.
 */
export async function runTools(
  client: BedrockClient,
  messages: readonly InputMessage[],
  options: RunToolsOptions,
): Promise<ToolLoopResult> {
  const loop = toolLoop(client, messages, options);
  for (;;) {
    const next = await loop.next();
    if (next.done) return next.value;
  }
}

/** The tool loop as a stream of events (`for await`), ending with `loop-finish`. Cancelling aborts the step. */
export function streamTools(
  client: BedrockClient,
  messages: readonly InputMessage[],
  options: RunToolsOptions,
): ReadableStream<ToolLoopEvent> & AsyncIterable<ToolLoopEvent> {
  let loop: AsyncGenerator<ToolLoopEvent, ToolLoopResult>;
  const readable = new ReadableStream<ToolLoopEvent>(
    {
      start() {
        loop = toolLoop(client, messages, options);
      },
      async pull(controller) {
        try {
          const next = await loop.next();
          if (next.done) controller.close();
          else controller.enqueue(next.value);
        } catch (error) {
          controller.error(error);
        }
      },
      async cancel() {
        await loop.return(undefined as never).catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
  return asyncIterable(readable);
}
