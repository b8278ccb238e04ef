import { BedrockError, type BedrockErrorName } from "../errors/index.ts";
import type { Style } from "./style.ts";

/** Exit codes: 1 for a failed call (service, network, stream), 2 for bad usage or bad local input. */
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

/** A problem the CLI reports itself: a message, an optional hint, and the exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "CliError";
  }
}

// Errors about the caller's own input (config file, model name, messages): nothing was sent.
const LOCAL_INPUT_ERRORS = new Set<BedrockErrorName>(["ConfigError", "RequestError"]);

export function exitCodeFor(error: unknown): number {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof BedrockError) {
    if (error.name === "AbortError") return EXIT.interrupted;
    return LOCAL_INPUT_ERRORS.has(error.name) ? EXIT.usage : EXIT.failure;
  }
  return EXIT.failure;
}

/** The lines to print on stderr for an error: name and message, then hint and request id when known. */
export function describeError(error: unknown, style: Style, context?: string): string {
  const where = context ? `${context}: ` : "";
  if (error instanceof CliError) {
    return lines(
      `${style.red("error")}: ${where}${error.message}`,
      error.hint && `${style.dim("hint")}: ${error.hint}`,
    );
  }
  if (error instanceof BedrockError) {
    // BedrockError folds the hint into its message; print it on its own line instead.
    const suffix = error.hint ? ` (hint: ${error.hint})` : "";
    const message =
      suffix && error.message.endsWith(suffix) ? error.message.slice(0, -suffix.length) : error.message;
    const facts = [error.status && `HTTP ${error.status}`, error.requestId && `request id ${error.requestId}`]
      .filter(Boolean)
      .join(", ");
    return lines(
      `${style.red("error")}: ${where}${style.bold(error.name)}: ${message}`,
      error.hint && `${style.dim("hint")}: ${error.hint}`,
      facts && style.dim(`(${facts})`),
      error.partial?.eventsDelivered &&
        style.dim(
          `the stream failed after ${error.partial.eventsDelivered} events: the output above is incomplete`,
        ),
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return lines(`${style.red("error")}: ${where}${message}`);
}

function lines(...parts: (string | undefined | false | 0)[]): string {
  return parts.filter(Boolean).join("\n");
}
