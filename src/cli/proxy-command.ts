// `bedrock-edge proxy`: serves the signing CORS proxy (src/proxy) over node:http until SIGINT / SIGTERM.
// Settings come from the environment, then a config file, then flags (each overriding the one before).
import { LevelLogger, type Logger } from "../client/log.ts";
import { interpolateEnv } from "../config/env.ts";
import { ConfigError } from "../errors/index.ts";
import { createProxy, PROXY_ENV, type ProxyOptions, proxyOptionsFromEnv } from "../proxy/index.ts";
import { isObject } from "../types/json.ts";
import { COMMON_OPTIONS, parseCommand, parseInteger, parseLogLevel } from "./args.ts";
import { readJsonFile } from "./config-file.ts";
import { CliError, EXIT } from "./errors.ts";
import type { Io } from "./io.ts";
import {
  isLoopback,
  listen,
  SERVE_FLAGS,
  SERVE_FLAGS_HELP,
  serveSettings,
  untilStopped,
} from "./serve-command.ts";

export const DEFAULT_PROXY_PORT = 8787;

const FILE_KEYS = [
  "tokens",
  "credentials",
  "upstreamKey",
  "defaultRegion",
  "allowedOrigins",
  "allowedRegions",
  "allowedModels",
  "mount",
  "maxBodyBytes",
  "upstream",
  "sessions",
  "limits",
] as const;

export const PROXY_HELP = `Usage: bedrock-edge proxy [options]

Serves the signing CORS proxy: browser pages (or any client) call it with a proxy token, and it forwards
POST {mount}/{region}.{modelId}/converse and /converse-stream to https://bedrock-runtime.{region}.amazonaws.com,
signed with SigV4 (or with a Bedrock API key), streaming the answer back. Prints "listening on
http://HOST:PORT" as its first line on stdout, logs one line per request to stderr, stops on Ctrl-C / SIGTERM.

Options:
  --port N              port to listen on (default ${DEFAULT_PROXY_PORT}; 0 picks a free port)
  --host HOST           address to bind (default 127.0.0.1; put TLS in front before exposing it)
  --config FILE         JSON file with a "proxy" block (see below); \${env:VAR} is replaced from the environment
  --region REGION       region for paths without one (default: AWS_REGION / AWS_DEFAULT_REGION)
  --origin ORIGIN       allow browser pages from this origin, e.g. https://app.example.com (repeatable)
  --mount PATH          path prefix to serve (default /model)
  --max-body-bytes N    largest request body accepted (default 1048576)
  --upstream URL        TESTING ONLY: send calls to this origin (e.g. the emulator) instead of AWS
  --log-level LEVEL     info (default): a line per request; warn: failures only; silent: nothing
${SERVE_FLAGS_HELP}  -h, --help            show this help

Environment:
  ${PROXY_ENV.tokens}   caller tokens, comma-separated (required unless in the config file)
  AWS_BEARER_TOKEN_BEDROCK or BEDROCK_API_KEY   forward with this Bedrock API key, else
  AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN   sign with SigV4
  ${PROXY_ENV.origins}, ${PROXY_ENV.regions}, ${PROXY_ENV.models}   allow-lists (comma-separated)
  ${PROXY_ENV.mount}, ${PROXY_ENV.maxBodyBytes}

Config file:
  {"proxy": {"tokens": ["\${env:PROXY_TOKEN}"], "credentials": {"accessKeyId": "\${env:AWS_ACCESS_KEY_ID}",
   "secretAccessKey": "\${env:AWS_SECRET_ACCESS_KEY}"}, "defaultRegion": "us-east-1",
   "allowedOrigins": ["https://app.example.com"]}}
  Keys: ${FILE_KEYS.join(", ")}

Point a client at it:
  {"providers": {"bedrock": {"url": "http://127.0.0.1:${DEFAULT_PROXY_PORT}/model/", "key": "<a proxy token>",
   "region": "us-east-1"}}}
`;

/** `bedrock-edge proxy`: returns the exit code once stopped; throws CliError for bad settings. */
export async function runProxyCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseCommand("proxy", {
    args: argv,
    options: {
      ...COMMON_OPTIONS,
      config: { type: "string" },
      region: { type: "string" },
      origin: { type: "string", multiple: true },
      mount: { type: "string" },
      "max-body-bytes": { type: "string" },
      upstream: { type: "string" },
      ...SERVE_FLAGS,
    },
    allowPositionals: false,
  });
  if (values.help) {
    io.stdout.write(PROXY_HELP);
    return EXIT.ok;
  }
  const level = parseLogLevel(values["log-level"]) ?? "info";
  const settings = serveSettings(values, DEFAULT_PROXY_PORT);
  const fromFile = values.config ? await readProxyBlock(values.config, io.env) : {};
  const fromFlags: Partial<ProxyOptions> = {};
  if (values.region !== undefined) fromFlags.defaultRegion = values.region;
  if (values.origin !== undefined) fromFlags.allowedOrigins = values.origin;
  if (values.mount !== undefined) fromFlags.mount = values.mount;
  if (values.upstream !== undefined) fromFlags.upstream = values.upstream;
  const maxBodyBytes = parseInteger("--max-body-bytes", values["max-body-bytes"], 1, 100 * 1024 * 1024);
  if (maxBodyBytes !== undefined) fromFlags.maxBodyBytes = maxBodyBytes;

  const logger = new LevelLogger(level, stderrLogger(io));
  let options: ProxyOptions;
  let proxy: ReturnType<typeof createProxy>;
  try {
    options = proxyOptionsFromEnv(io.env, { ...fromFile, ...fromFlags });
    proxy = createProxy({ ...options, logger });
  } catch (error) {
    // Option errors name the setting, never its value.
    const message = (error as Error).message.replace(/^createProxy: /, "");
    throw new CliError(`proxy settings: ${message}`, EXIT.usage, "run `bedrock-edge proxy --help`");
  }

  const server = await listen(proxy, settings);
  io.stdout.write(`listening on ${server.url}\n`);
  if (level !== "silent") describe(io, server.url, options);

  await untilStopped(io);
  await server.close();
  if (level !== "silent") io.stderr.write("proxy stopped\n");
  return EXIT.ok;
}

/** The `proxy` block of a config file (or the whole document when it has none), `${env:...}` filled in. */
async function readProxyBlock(path: string, env: Io["env"]): Promise<Partial<ProxyOptions>> {
  const document = await readJsonFile(path);
  const block = isObject(document) && "proxy" in document ? document.proxy : document;
  if (!isObject(block)) throw new CliError(`config file ${path}: expected {"proxy": {...}}`);
  for (const key of Object.keys(block)) {
    if (!(FILE_KEYS as readonly string[]).includes(key)) {
      throw new CliError(
        `config file ${path}: proxy.${key} is not a setting (known: ${FILE_KEYS.join(", ")})`,
      );
    }
  }
  try {
    return interpolateEnv(block, env, "proxy") as Partial<ProxyOptions>;
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(`config file ${path}: ${error.message}`);
    throw error;
  }
}

function stderrLogger(io: Io): Logger {
  const write = (message: string, data?: unknown) => {
    const time = new Date().toISOString().slice(11, 23);
    const details =
      data && typeof data === "object"
        ? Object.entries(data)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => ` ${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
            .join("")
        : "";
    io.stderr.write(`${io.err.dim(time)} ${message}${details}\n`);
  };
  return { debug: write, info: write, warn: write, error: write };
}

function describe(io: Io, url: string, options: ProxyOptions): void {
  const e = io.err;
  const mount = (options.mount ?? "/model").replace(/\/$/, "");
  const log = (line: string) => io.stderr.write(`${line}\n`);
  log(e.dim(`bedrock-edge proxy: POST ${url}${mount}/{region}.{modelId}/converse and /converse-stream`));
  log(
    e.dim(
      `  upstream: ${options.upstream ? `${options.upstream} (TESTING ONLY)` : "https://bedrock-runtime.{region}.amazonaws.com"}, ${
        options.credentials ? "signed with SigV4" : "with a Bedrock API key"
      }`,
    ),
  );
  log(e.dim(`  default region: ${options.defaultRegion ?? "none (paths must name one)"}`));
  const origins = Array.isArray(options.allowedOrigins) ? options.allowedOrigins.join(", ") : "";
  log(e.dim(`  browser origins: ${origins || "none (set --origin to allow a page)"}`));
  const region = options.defaultRegion ?? "us-east-1";
  log(
    e.dim(
      `  client config: ${JSON.stringify({ providers: { bedrock: { url: `${url}${mount}/`, key: "<a proxy token>", region } } })}`,
    ),
  );
  if (!isLoopback(new URL(url).hostname.replace(/^\[|\]$/g, ""))) {
    log(e.yellow("  warning: plain HTTP on a non-loopback address: put TLS in front before exposing it"));
  }
  log(e.dim("  Ctrl-C to stop"));
}
