import { type ParseArgsConfig, parseArgs } from "node:util";
import type { LogLevel } from "../config/schema.ts";
import { CliError } from "./errors.ts";

const LOG_LEVELS: readonly LogLevel[] = ["silent", "error", "warn", "info", "debug"];

/** Options every subcommand accepts. */
export const COMMON_OPTIONS = {
  help: { type: "boolean", short: "h" },
  "log-level": { type: "string" },
} as const;

/** node:util parseArgs (strict), with its errors turned into a usage error that points at --help. */
export function parseCommand<const T extends ParseArgsConfig>(command: string, config: T) {
  try {
    return parseArgs({ ...config, strict: true });
  } catch (error) {
    throw new CliError(
      `${command}: ${(error as Error).message}`,
      2,
      `run \`bedrock-edge ${command} --help\` for usage`,
    );
  }
}

export function parseLogLevel(value: string | undefined): LogLevel | undefined {
  if (value === undefined) return undefined;
  const level = value.toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(level)) {
    throw new CliError(`--log-level: "${value}" is not a log level (one of ${LOG_LEVELS.join(", ")})`);
  }
  return level;
}

/** An integer option in [min, max], or a usage error naming the option. */
export function parseInteger(
  option: string,
  value: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new CliError(`${option}: expected an integer from ${min} to ${max}, got "${value}"`);
  }
  return n;
}
