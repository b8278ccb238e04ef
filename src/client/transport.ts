import type { Authorizer, SigV4Authorizer } from "../auth/types.ts";
import type { LogLevel } from "../config/schema.ts";
import { LevelLogger, type Logger, logLevelFrom } from "./log.ts";
import {
  type CallPlan,
  DEFAULT_FIRST_BYTE_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_RETRIES,
} from "./run.ts";

/** How calls are sent, set on a client and per call (a call's setting wins). */
export interface TransportSettings {
  logLevel?: LogLevel;
  maxRetries?: number;
  firstByteTimeoutMs?: number;
  idleTimeoutMs?: number;
  /** An overall deadline for a call, retries included; 0 or unset: none. */
  timeoutMs?: number;
  headers?: Record<string, string>;
}

/** A client's transport: the settings plus its own fetch and logger. */
export interface ClientTransport extends TransportSettings {
  fetch?: typeof fetch;
  logger?: Logger;
}

/**
 * The parts of a call plan that say how to send it and who signs it. The secrets to scrub from errors are the
 * caller's plus every header value that carries a credential for a proxy.
 */
export function transportPlan(
  client: ClientTransport,
  call: TransportSettings & { signal?: AbortSignal },
  authorize: Authorizer,
  secrets: string[],
  env: Record<string, string | undefined>,
): Omit<CallPlan, "url" | "body" | "stream"> {
  const headers = { ...client.headers, ...call.headers };
  const signer = authorize as Partial<SigV4Authorizer>;
  // One list for the errors and the log (the run adds signed values to it).
  const scrubbed = [...secrets, ...headerSecrets(headers)];
  return {
    authorize,
    secrets: scrubbed,
    // SigV4: after a "signature expired" 403, one re-signed retry with the server's clock.
    ...(typeof signer.correctClock === "function" && {
      onAuthError: (response: Response, body: string) => signer.correctClock!(response, body),
    }),
    fetch: client.fetch ?? ((input, init) => fetch(input, init)),
    log: new LevelLogger(logLevelFrom(call.logLevel ?? client.logLevel, env), client.logger, scrubbed),
    signal: call.signal,
    headers,
    maxRetries: call.maxRetries ?? client.maxRetries ?? DEFAULT_MAX_RETRIES,
    firstByteTimeoutMs: call.firstByteTimeoutMs ?? client.firstByteTimeoutMs ?? DEFAULT_FIRST_BYTE_TIMEOUT_MS,
    idleTimeoutMs: call.idleTimeoutMs ?? client.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    timeoutMs: call.timeoutMs ?? client.timeoutMs ?? 0,
  };
}

/** Header values that carry credentials for a proxy (`x-api-key`, `authorization`, `*-token`, ...). */
function headerSecrets(headers: Record<string, string>): string[] {
  return Object.entries(headers)
    .filter(([name]) => /authorization|api-?key|token|secret|password|cookie/i.test(name))
    .map(([, value]) => value);
}
