import type { LogLevel } from "../config/schema.ts";
import { scrubText } from "../errors/scrub.ts";
import type { Logger } from "../types/logger.ts";

export type { Logger };

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

/**
 * A logger that drops what is below `level`; the default target is the console's error stream. Every line is
 * scrubbed of `secrets` (a live list: signed values join it as they are made), whatever field a secret is in:
 * a server can echo a credential into a request id or an event.
 */
export class LevelLogger implements Logger {
  readonly debugEnabled: boolean;
  declare debug: Logger["debug"];
  declare info: Logger["info"];
  declare warn: Logger["warn"];
  declare error: Logger["error"];
  constructor(level: LogLevel, target: Logger = consoleLogger, secrets: string[] = []) {
    this.debugEnabled = RANK[level] >= RANK.debug;
    for (const name of ["debug", "info", "warn", "error"] as const)
      this[name] = (message, data) => {
        if (RANK[level] < RANK[name]) return;
        const json = JSON.stringify(data) ?? "";
        const clean = scrubText(json, secrets);
        // Parsed back: still JSON, as the secrets hold no quote or backslash (keys and tokens are base64-like).
        target[name](scrubText(message, secrets), clean !== json ? JSON.parse(clean) : data);
      };
  }
}

// Logs go to stderr (console.error) so they never mix with streamed answer text on stdout.
function toStderr(message: string, data?: unknown): void {
  if (data === undefined) console.error(`[bedrock-edge] ${message}`);
  else console.error(`[bedrock-edge] ${message}`, data);
}
const consoleLogger: Logger = { debug: toStderr, info: toStderr, warn: toStderr, error: toStderr };
