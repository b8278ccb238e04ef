import { dirname, resolve } from "node:path";
import { createInterface } from "node:readline";
import { type BedrockClient, createBedrock, planCall } from "../client/create.ts";
import { BedrockError } from "../client/errors.ts";
import type { RequestOptions } from "../client/options.ts";
import { fileReader } from "../node/files.ts";
import type { InputMessage } from "../request/messages.ts";
import type { ChatEvent } from "../stream/events.ts";
import { COMMON_OPTIONS, parseCommand, parseInteger, parseLogLevel } from "./args.ts";
import { type ConfigDocument, documentOf, readConfigFile } from "./config-file.ts";
import { CliError, describeError, EXIT, exitCodeFor } from "./errors.ts";
import { formatUsage } from "./format.ts";
import { CHAT_HELP } from "./help.ts";
import { type Io, readAll } from "./io.ts";
import { EMULATOR_MODEL, type LocalEmulator, startLocalEmulator } from "./local-emulator.ts";

/** `bedrock-edge chat`: one prompt, the answer streamed to stdout; with --interactive, turns until EOF. */
export async function runChat(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand("chat", {
    args: argv,
    options: {
      ...COMMON_OPTIONS,
      config: { type: "string" },
      provider: { type: "string" },
      model: { type: "string" },
      system: { type: "string" },
      "max-tokens": { type: "string" },
      temperature: { type: "string" },
      interactive: { type: "boolean", short: "i" },
      "no-stream": { type: "boolean" },
      emulator: { type: "boolean" },
    },
    allowPositionals: true,
  });
  if (values.help) {
    io.stdout.write(CHAT_HELP);
    return EXIT.ok;
  }
  const logLevel = parseLogLevel(values["log-level"]);
  const maxTokens = parseInteger("--max-tokens", values["max-tokens"], 1, 1_000_000);
  const temperature = parseTemperature(values.temperature);
  const configPath = values.config ?? (io.env.BEDROCK_EDGE_CONFIG || undefined);
  const config = configPath
    ? await readConfigFile(configPath, values.provider)
    : documentOf({}, "config from the environment");
  let model = values.model;

  let emulator: LocalEmulator | undefined;
  try {
    if (values.emulator) {
      emulator = await startLocalEmulator();
      pointAtEmulator(config, emulator);
      if (model === undefined && Object.keys(modelsOf(config)).length === 0) model = EMULATOR_MODEL;
    } else if (config.block && config.block.region === undefined) {
      const region = io.env.AWS_REGION || io.env.AWS_DEFAULT_REGION;
      if (region) config.block.region = region;
    }
    // ${file:PATH} in a config file is relative to that file.
    const client = openClient(config, io, {
      provider: values.provider,
      baseDir: configPath ? dirname(resolve(configPath)) : undefined,
    });
    const options: RequestOptions = {
      model,
      system: values.system,
      maxTokens,
      temperature,
      // Unset unless --no-stream: the model's extraPayload may say stream: false.
      stream: values["no-stream"] ? false : undefined,
      signal: io.signal,
      logLevel,
    };
    // Check model and credentials before waiting on stdin: a typo should not cost the user their prompt.
    preflight(client, options);
    if (values.interactive) return await runTurns(client, options, positionals, io, logLevel !== "silent");
    const prompt = await readPrompt(positionals, io);
    const messages: InputMessage[] = [{ role: "user", content: prompt }];
    return (await printAnswer(client.stream(messages, options), io, logLevel !== "silent")).code;
  } finally {
    await emulator?.close();
  }
}

function parseTemperature(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0 || n > 2) {
    throw new CliError(`--temperature: expected a number from 0 to 2, got "${value}"`);
  }
  return n;
}

const interrupted = () => new CliError("interrupted", EXIT.interrupted);

/** Settles with `promise`, or rejects (interrupted) as soon as Ctrl-C aborts `signal`. */
function untilInterrupted<T>(promise: Promise<T>, io: Io): Promise<T> {
  const signal = io.signal;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      // Nothing more will be read: let the process end without waiting on the terminal or the pipe.
      (io.stdin as { destroy?: () => void }).destroy?.();
      reject(interrupted());
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/**
 * `--interactive`: each line of stdin is a user turn, answered in order, the history kept (the assistant's turns
 * exactly as received) until EOF. A failed turn is reported and dropped from the history; the session goes on.
 */
async function runTurns(
  client: BedrockClient,
  options: RequestOptions,
  positionals: string[],
  io: Io,
  showUsage: boolean,
): Promise<number> {
  const history: InputMessage[] = [];
  const lines = createInterface({ input: io.stdin, terminal: false })[Symbol.asyncIterator]();
  const tty = !!io.stdin.isTTY;
  if (tty) io.stderr.write(io.err.dim("One turn per line; Ctrl-D ends the session, Ctrl-C interrupts.\n"));
  let first = positionals.length > 0 ? positionals.join(" ") : undefined;
  let code: number = EXIT.ok;
  for (;;) {
    let line = first;
    first = undefined;
    if (line === undefined) {
      if (tty) io.stderr.write(io.err.bold("you: "));
      const next = await untilInterrupted(lines.next(), io);
      if (next.done) break;
      line = next.value;
    }
    if (line.trim() === "") continue;
    history.push({ role: "user", content: line });
    try {
      const { message } = await printAnswer(client.stream(history, options), io, showUsage);
      if (message) history.push(message as InputMessage);
    } catch (error) {
      if (io.signal.aborted) throw error;
      history.pop();
      io.stderr.write(`${describeError(error, io.err)}\n`);
      code = exitCodeFor(error);
    }
  }
  if (io.signal.aborted) throw interrupted();
  return code;
}

export function modelsOf(config: ConfigDocument): Record<string, unknown> {
  const models = config.block?.models;
  return typeof models === "object" && models !== null ? (models as Record<string, unknown>) : {};
}

/** The emulator replaces where requests go and how they authenticate; models and parameters stay. */
export function pointAtEmulator(config: ConfigDocument, emulator: LocalEmulator): void {
  // No provider block: a broken document, which validation reports next.
  if (!config.block) return;
  delete config.block.credentials;
  Object.assign(config.block, emulator.provider);
}

export function openClient(
  config: ConfigDocument,
  io: Io,
  choice: { provider?: string; baseDir?: string },
): BedrockClient {
  try {
    return createBedrock(config.document, {
      env: io.env,
      provider: choice.provider,
      readFile: fileReader(choice.baseDir),
    });
  } catch (error) {
    if (error instanceof BedrockError && error.name === "ConfigError") {
      throw new CliError(`${config.source}: ${error.message}`);
    }
    throw error;
  }
}

export function preflight(client: BedrockClient, options: RequestOptions): void {
  try {
    planCall(client.config, [{ role: "user", content: "." }], {
      model: options.model,
      stream: options.stream,
    });
  } catch (error) {
    if (!(error instanceof BedrockError) || error.name !== "ConfigError") throw error;
    const path = (error as BedrockError & { path?: string }).path;
    if (path === "key") {
      throw new CliError(
        error.message,
        EXIT.usage,
        "set AWS_BEARER_TOKEN_BEDROCK (an API key) or AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY, or `key` in the config file; `--emulator` needs none",
      );
    }
    if (path === "model") {
      throw new CliError(
        error.message.replace("pass options.model", "pass --model"),
        EXIT.usage,
        "--model takes an alias from the config's models, bedrock/ALIAS, or a Bedrock model id such as anthropic.claude-sonnet-4-20250514-v1:0",
      );
    }
    throw error;
  }
}

export async function readPrompt(positionals: string[], io: Io): Promise<string> {
  if (positionals.length > 0) {
    const prompt = positionals.join(" ");
    if (prompt.trim() === "") throw new CliError("the prompt is empty");
    return prompt;
  }
  if (io.stdin.isTTY) io.stderr.write(io.err.dim("Type your prompt, then Ctrl-D on a new line:\n"));
  const prompt = (await untilInterrupted(readAll(io.stdin), io)).replace(/\r?\n$/, "");
  if (prompt.trim() === "") {
    // Ctrl-C on a pipeline ends the writer too: its EOF can arrive just before our own SIGINT.
    await new Promise((r) => setTimeout(r, 50));
    if (io.signal.aborted) throw interrupted();
    throw new CliError(
      "no prompt: pass it as an argument or on stdin",
      EXIT.usage,
      'bedrock-edge chat "Hello"',
    );
  }
  return prompt;
}

/**
 * Answer text to stdout as it arrives; reasoning, tool calls and usage to stderr, so stdout is only the answer.
 * Resolves to the exit code and the assistant turn (for a history).
 */
async function printAnswer(
  events: AsyncIterable<ChatEvent>,
  io: Io,
  showUsage: boolean,
): Promise<{ code: number; message?: unknown }> {
  const e = io.err;
  let endsWithNewline = true;
  let message: unknown;
  try {
    for await (const event of events) {
      switch (event.type) {
        case "text":
          if (event.text) {
            io.stdout.write(event.text);
            endsWithNewline = event.text.endsWith("\n");
          }
          break;
        case "reasoning-start":
          io.stderr.write(e.dim("thinking: "));
          break;
        case "reasoning":
          if (event.text) io.stderr.write(e.dim(event.text));
          break;
        case "reasoning-end":
          io.stderr.write("\n");
          break;
        case "tool-call":
          io.stderr.write(
            `${e.magenta("tool call")}: ${event.name} ${event.argumentsText || "{}"} ${e.dim(`(id ${event.id})`)}\n`,
          );
          break;
        case "finish":
          message = event.message;
          if (!endsWithNewline) io.stdout.write("\n");
          endsWithNewline = true;
          if (showUsage)
            io.stderr.write(e.dim(`usage: ${formatUsage(event.usage)}, stop reason ${event.stopReason}\n`));
          break;
      }
    }
  } finally {
    // A failure mid-answer: end the partial line so the error starts on its own.
    if (!endsWithNewline) io.stdout.write("\n");
  }
  return { code: EXIT.ok, message };
}
