import type { ConverseResult, RequestOptions } from "../client/options.ts";
import type { ConverseMessage, InputMessage } from "../request/messages.ts";
import type { JsonSchema } from "../request/structured.ts";
import type { ChatEvent, TokenUsage, ToolCall } from "../types/events.ts";

/** What a tool's `execute` is told besides its input. */
export interface ToolContext {
  /** The call's toolUseId. */
  id: string;
  name: string;
  /** The step (model request) that asked for the call, from 1. */
  step: number;
  /** The loop's signal: aborts with the caller's `signal`. */
  signal?: AbortSignal;
  /** The conversation so far, ending with the assistant turn that made the call. */
  messages: readonly InputMessage[];
}

export interface ToolDefinition<Input = any> {
  description?: string;
  /** JSON Schema of the input (default: an object with no properties). The input is checked against it. */
  inputSchema?: JsonSchema;
  /**
   * Runs the call. A string goes back as text, an object as JSON, anything else as its JSON text; a thrown error
   * goes back as a `toolResult` with status "error" and the error's message, for the model to recover from.
   * Omit `execute` to run the tool yourself: the loop then stops and returns the calls in `toolsToCall`.
   */
  execute?: (input: Input, context: ToolContext) => unknown;
}

/** What a caller that runs a call itself hands back (see `onToolsCalled`). */
export interface ToolOutput {
  id: string;
  output: unknown;
  /** Send as status "error". */
  isError?: boolean;
}

/** One call's outcome, as sent back to the model. */
export interface ToolResultRecord {
  id: string;
  name: string;
  input: unknown;
  status: "success" | "error";
  /** What `execute` returned, or the error it threw / the reason it could not run. */
  output: unknown;
  /** The `toolResult` block sent back. */
  block: {
    toolResult: { toolUseId: string; content: Record<string, unknown>[]; status: "success" | "error" };
  };
}

export interface StepResult {
  step: number;
  result: ConverseResult;
  /** The tool results sent back after this step (empty on the last step). */
  toolResults: ToolResultRecord[];
}

export interface RunToolsOptions extends Omit<RequestOptions, "tools" | "onToolsCalled"> {
  tools: Record<string, ToolDefinition>;
  /** Model requests at most, tool-running steps included (default 10). */
  maxSteps?: number;
  /** Every chat event of every step, with its step number. */
  onStepEvent?: (event: ChatEvent, step: number) => void;
  /** After each step, with its tool results. */
  onStepFinish?: (step: StepResult) => void;
  /**
   * Before a step's calls run. Return outputs to run (some or all of) them yourself; calls without an output run
   * through their tool's `execute`. Return nothing to let the loop run them all.
   */
  onToolsCalled?: (
    calls: ToolCall[],
    step: number,
  ) => ToolOutput[] | undefined | Promise<ToolOutput[] | undefined>;
}

/** The loop's result: the last step's result, with usage summed over all steps. */
export interface ToolLoopResult extends ConverseResult {
  /** Summed over every step (cache counts too). */
  usage: TokenUsage | undefined;
  steps: StepResult[];
  /** The whole conversation: the input, then every assistant turn and tool-result turn, ready to continue. */
  messages: (InputMessage | ConverseMessage)[];
  /**
   * Calls left to run: set when the loop stopped at `maxSteps`, or at a tool without `execute`. Run them,
   * append their results to `messages` and call again.
   */
  toolsToCall: ToolCall[];
}

/** What `streamTools` yields: every step's chat events (tagged with `step`), tool results, and the end. */
export type ToolLoopEvent =
  | (ChatEvent & { step: number })
  | ({ type: "tool-result"; step: number } & Omit<ToolResultRecord, "block">)
  | { type: "step-finish"; step: number; stopReason: string; usage: TokenUsage | undefined }
  | { type: "loop-finish"; result: ToolLoopResult };
