import { createEmulator } from "../emulator/index.ts";
import type { Emulator, RequestInfo } from "../emulator/types.ts";
import { COMMON_OPTIONS, parseCommand, parseInteger, parseLogLevel } from "./args.ts";
import { CliError, EXIT } from "./errors.ts";
import { DEFAULT_EMULATOR_PORT, EMULATOR_HELP } from "./help.ts";
import type { Io } from "./io.ts";
import { providerBlockFor } from "./local-emulator.ts";
import { isLoopback, listen, SERVE_FLAGS, serveSettings, untilStopped } from "./serve-command.ts";

/** `bedrock-edge emulator`: serves the emulator until SIGINT / SIGTERM, then exits 0. */
export async function runEmulator(argv: string[], io: Io): Promise<number> {
  const { values } = parseCommand("emulator", {
    args: argv,
    options: {
      ...COMMON_OPTIONS,
      "api-key": { type: "string", multiple: true },
      model: { type: "string", multiple: true },
      fault: { type: "string", multiple: true },
      "event-delay": { type: "string" },
      "chunk-size": { type: "string" },
      ...SERVE_FLAGS,
    },
    allowPositionals: false,
  });
  if (values.help) {
    io.stdout.write(EMULATOR_HELP);
    return EXIT.ok;
  }
  const level = parseLogLevel(values["log-level"]) ?? "info";
  const settings = serveSettings(values, DEFAULT_EMULATOR_PORT);
  const log = (line: string) => io.stderr.write(`${line}\n`);

  const stop = new AbortController();
  let emulator: Emulator;
  try {
    emulator = createEmulator({
      apiKeys: values["api-key"],
      models: values.model,
      faults: values.fault?.join(","),
      eventDelayMs: parseInteger("--event-delay", values["event-delay"], 0, 600_000),
      chunkSize: parseInteger("--chunk-size", values["chunk-size"], 1, 1 << 20),
      onRequest:
        level === "info" || level === "debug"
          ? (info) => log(requestLine(info, io, level === "debug"))
          : undefined,
      signal: stop.signal,
    });
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`--fault: ${(error as Error).message}`);
  }

  const server = await listen(emulator, settings);
  io.stdout.write(`listening on ${server.url}\n`);
  if (level !== "silent") {
    const e = io.err;
    log(e.dim(`bedrock-edge emulator: POST ${server.url}/model/{modelId}/converse and /converse-stream`));
    log(
      e.dim(
        `  bedrock-edge config: ${JSON.stringify({ providers: { bedrock: providerBlockFor(server.url) } })}`,
      ),
    );
    log(
      e.dim(`  AWS SDK: new BedrockRuntimeClient({ endpoint: "${server.url}", region: "us-east-1", ... })`),
    );
    log(e.dim(values["api-key"] ? "  accepts only the keys given with --api-key" : "  accepts any key"));
    if (!isLoopback(settings.host)) {
      log(
        e.yellow(`  warning: listening on ${settings.host} makes the emulator reachable from other machines`),
      );
    }
    log(e.dim("  Ctrl-C to stop"));
  }

  await untilStopped(io);
  stop.abort();
  await server.close();
  if (level !== "silent") log("emulator stopped");
  return EXIT.ok;
}

function requestLine(info: RequestInfo, io: Io, withBody: boolean): string {
  const e = io.err;
  const time = new Date().toISOString().slice(11, 23);
  const status = info.status < 400 ? e.green(String(info.status)) : e.red(String(info.status));
  const error = info.errorCode ? ` ${info.errorCode}` : "";
  const faults = info.faults.length ? e.yellow(` faults=${info.faults.map((f) => f.kind).join(",")}`) : "";
  const replay = info.replay ? ` replay=${info.replay}` : "";
  const line = `${e.dim(time)} ${info.method} ${info.path} ${status}${error}${faults}${replay} ${e.dim(info.requestId)}`;
  return withBody && info.body ? `${line}\n${JSON.stringify(info.body)}` : line;
}
