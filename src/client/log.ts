import type { LogLevel } from "../config/schema";

/** Anything with these methods can receive the SDK's logs (console does). */
export interface Logger {
  debug(message: string, data?: unknown): void;
  info(message: string, data?: unknown): void;
  warn(message: string, data?: unknown): void;
  error(message: string, data?: unknown): void;
}

const RANK: Record<LogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 };

/** The level from config, else the env's BEDROCK_EDGE_LOG_LEVEL or ECA_LOG_LEVEL, else warn. */
export function logLevelFrom(
  configured: LogLevel | undefined,
  env: Record<string, string | undefined>,
): LogLevel {
  if (configured) return configured;
  const fromEnv = (env.BEDROCK_EDGE_LOG_LEVEL ?? env.ECA_LOG_LEVEL)?.toLowerCase();
  return fromEnv && fromEnv in RANK ? (fromEnv as LogLevel) : "warn";
}

/** A logger that drops what is below `level`; the default target is the console's error stream. */
export class LevelLogger {
  readonly debugEnabled: boolean;
  constructor(
    readonly level: LogLevel,
    private readonly target: Logger = consoleLogger,
  ) {
    this.debugEnabled = RANK[level] >= RANK.debug;
  }
  debug(message: string, data?: unknown): void {
    if (this.debugEnabled) this.target.debug(message, data);
  }
  info(message: string, data?: unknown): void {
    if (RANK[this.level] >= RANK.info) this.target.info(message, data);
  }
  warn(message: string, data?: unknown): void {
    if (RANK[this.level] >= RANK.warn) this.target.warn(message, data);
  }
  error(message: string, data?: unknown): void {
    if (RANK[this.level] >= RANK.error) this.target.error(message, data);
  }
}

// Logs go to stderr (console.error) so they never mix with streamed answer text on stdout.
function toStderr(message: string, data?: unknown): void {
  if (data === undefined) console.error(`[bedrock-edge] ${message}`);
  else console.error(`[bedrock-edge] ${message}`, data);
}
const consoleLogger: Logger = { debug: toStderr, info: toStderr, warn: toStderr, error: toStderr };
