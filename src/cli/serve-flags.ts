// The connection limits of `serve()` as flags, shared by `bedrock-edge proxy` and `bedrock-edge emulator`.
import { SERVE_DEFAULTS, type ServeOptions } from "../node/serve.ts";
import { parseInteger } from "./args.ts";

/** parseArgs options for the limits. */
export const SERVE_FLAGS = {
  "max-connections": { type: "string" },
  "headers-timeout": { type: "string" },
  "request-timeout": { type: "string" },
  "keep-alive-timeout": { type: "string" },
} as const;

export const SERVE_FLAGS_HELP = `  --max-connections N   connections open at once; more get 503 (default ${SERVE_DEFAULTS.maxConnections})
  --headers-timeout MS  time for a request's head to arrive; then 408 (default ${SERVE_DEFAULTS.headersTimeoutMs})
  --request-timeout MS  time for a whole request to arrive; then 408 (default ${SERVE_DEFAULTS.requestTimeoutMs})
  --keep-alive-timeout MS  idle time before a kept-alive connection is closed (default ${SERVE_DEFAULTS.keepAliveTimeoutMs})
`;

/** The limits given as flags (unset ones keep serve()'s defaults). */
export function serveLimits(values: Partial<Record<keyof typeof SERVE_FLAGS, string>>): ServeOptions {
  const limits: ServeOptions = {};
  const maxConnections = parseInteger("--max-connections", values["max-connections"], 1, 1_000_000);
  if (maxConnections !== undefined) limits.maxConnections = maxConnections;
  const ms = (flag: keyof typeof SERVE_FLAGS) => parseInteger(`--${flag}`, values[flag], 0, 86_400_000);
  const headers = ms("headers-timeout");
  if (headers !== undefined) limits.headersTimeoutMs = headers;
  const request = ms("request-timeout");
  if (request !== undefined) limits.requestTimeoutMs = request;
  const keepAlive = ms("keep-alive-timeout");
  if (keepAlive !== undefined) limits.keepAliveTimeoutMs = keepAlive;
  return limits;
}
