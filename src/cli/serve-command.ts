// What `bedrock-edge proxy` and `bedrock-edge emulator` share: the listen flags (port, host and serve()'s
// connection limits), listening with errors that say what to do, the loopback check, and waiting for Ctrl-C.
import { SERVE_DEFAULTS, type ServeOptions, type Server, serve } from "../node/serve.ts";
import { parseInteger } from "./args.ts";
import { CliError, EXIT } from "./errors.ts";
import type { Io } from "./io.ts";

/** parseArgs options for the address and the limits. */
export const SERVE_FLAGS = {
  port: { type: "string" },
  host: { type: "string" },
  "max-connections": { type: "string" },
  "headers-timeout": { type: "string" },
  "request-timeout": { type: "string" },
  "keep-alive-timeout": { type: "string" },
} as const;

type ServeFlagValues = Partial<Record<keyof typeof SERVE_FLAGS, string>>;

export const SERVE_FLAGS_HELP = `  --max-connections N   connections open at once; more get 503 (default ${SERVE_DEFAULTS.maxConnections})
  --headers-timeout MS  time for a request's head to arrive; then 408 (default ${SERVE_DEFAULTS.headersTimeoutMs})
  --request-timeout MS  time for a whole request to arrive; then 408 (default ${SERVE_DEFAULTS.requestTimeoutMs})
  --keep-alive-timeout MS  idle time before a kept-alive connection is closed (default ${SERVE_DEFAULTS.keepAliveTimeoutMs})
`;

/** 127.x.x.x, ::1 and localhost: addresses other machines cannot reach. */
export const isLoopback = (host: string) => /^(127\.\d+\.\d+\.\d+|::1|localhost)$/.test(host);

/** Port, host and limits from the flags (unset limits keep serve()'s defaults). */
export function serveSettings(
  values: ServeFlagValues,
  defaultPort: number,
): ServeOptions & { port: number; host: string } {
  const port = parseInteger("--port", values.port, 0, 65535) ?? defaultPort;
  const host = values.host ?? "127.0.0.1";
  if (host.trim() === "") throw new CliError("--host: expected an address such as 127.0.0.1");
  const settings: ServeOptions & { port: number; host: string } = { port, host };
  const maxConnections = parseInteger("--max-connections", values["max-connections"], 1, 1_000_000);
  if (maxConnections !== undefined) settings.maxConnections = maxConnections;
  const ms = (flag: keyof typeof SERVE_FLAGS) => parseInteger(`--${flag}`, values[flag], 0, 86_400_000);
  const headers = ms("headers-timeout");
  if (headers !== undefined) settings.headersTimeoutMs = headers;
  const request = ms("request-timeout");
  if (request !== undefined) settings.requestTimeoutMs = request;
  const keepAlive = ms("keep-alive-timeout");
  if (keepAlive !== undefined) settings.keepAliveTimeoutMs = keepAlive;
  return settings;
}

/** serve() on the settings; a port in use, a port not allowed or an unknown address is a CliError saying so. */
export async function listen(
  handler: Parameters<typeof serve>[0],
  settings: ServeOptions & { port: number; host: string },
): Promise<Server> {
  try {
    return await serve(handler, settings);
  } catch (error) {
    throw listenError(error as NodeJS.ErrnoException, settings.host, settings.port);
  }
}

function listenError(error: NodeJS.ErrnoException, host: string, port: number): CliError {
  if (error.code === "EADDRINUSE") {
    return new CliError(
      `port ${port} on ${host} is already in use`,
      EXIT.failure,
      "pick another with --port, or --port 0 for a free one",
    );
  }
  if (error.code === "EACCES") {
    return new CliError(`no permission to listen on ${host}:${port}`, EXIT.failure, "use a port above 1023");
  }
  if (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND") {
    return new CliError(
      `cannot listen on ${host}: no such local address`,
      EXIT.usage,
      "use 127.0.0.1 (the default)",
    );
  }
  return new CliError(`cannot listen on ${host}:${port}: ${error.message}`, EXIT.failure);
}

/** Resolves on Ctrl-C / SIGTERM (the CLI aborts `io.signal`). */
export function untilStopped(io: Io): Promise<void> {
  return new Promise<void>((resolve) => {
    if (io.signal.aborted) resolve();
    else io.signal.addEventListener("abort", () => resolve(), { once: true });
  });
}
