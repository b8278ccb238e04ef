import { type BedrockClient, createBedrock, planCall } from "../client/create";
import { BedrockError } from "../client/errors";
import type { InputMessage } from "../request/messages";
import type { ChatEvent } from "../stream/events";
import { COMMON_OPTIONS, parseCommand, parseLogLevel } from "./args";
import { type ConfigDocument, documentOf, readConfigFile } from "./config-file";
import { CliError, EXIT } from "./errors";
import { formatUsage } from "./format";
import { CHAT_HELP } from "./help";
import { type Io, readAll } from "./io";
import { EMULATOR_MODEL, type LocalEmulator, startLocalEmulator } from "./local-emulator";

/** `bedrock-edge chat`: one prompt, the answer streamed to stdout. */
export async function runChat(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand("chat", {
    args: argv,
    options: {
      ...COMMON_OPTIONS,
      config: { type: "string" },
      model: { type: "string" },
      system: { type: "string" },
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
  const configPath = values.config ?? (io.env.BEDROCK_EDGE_CONFIG || undefined);
  const config = configPath
    ? await readConfigFile(configPath)
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
    const client = openClient(config, io);
    const options = {
      model,
      system: values.system,
      stream: !values["no-stream"],
      signal: io.signal,
      logLevel,
    };
    // Check model and credentials before waiting on stdin: a typo should not cost the user their prompt.
    preflight(client, options);
    const prompt = await readPrompt(positionals, io);
    const messages: InputMessage[] = [{ role: "user", content: prompt }];
    return await printAnswer(client.stream(messages, options), io, logLevel !== "silent");
  } finally {
    await emulator?.close();
  }
}

function modelsOf(config: ConfigDocument): Record<string, unknown> {
  const models = config.block?.models;
  return typeof models === "object" && models !== null ? (models as Record<string, unknown>) : {};
}

/** The emulator replaces where requests go and how they authenticate; models and parameters stay. */
function pointAtEmulator(config: ConfigDocument, emulator: LocalEmulator): void {
  // No provider block: a broken document, which validation reports next.
  if (!config.block) return;
  delete config.block.credentials;
  Object.assign(config.block, emulator.provider);
}

function openClient(config: ConfigDocument, io: Io): BedrockClient {
  try {
    return createBedrock(config.document, { env: io.env });
  } catch (error) {
    if (error instanceof BedrockError && error.name === "ConfigError") {
      throw new CliError(`${config.source}: ${error.message}`);
    }
    throw error;
  }
}

function preflight(client: BedrockClient, options: { model?: string; stream: boolean }): void {
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

async function readPrompt(positionals: string[], io: Io): Promise<string> {
  if (positionals.length > 0) {
    const prompt = positionals.join(" ");
    if (prompt.trim() === "") throw new CliError("the prompt is empty");
    return prompt;
  }
  if (io.stdin.isTTY) io.stderr.write(io.err.dim("Type your prompt, then Ctrl-D on a new line:\n"));
  const prompt = (await readAll(io.stdin)).replace(/\r?\n$/, "");
  if (prompt.trim() === "") {
    throw new CliError(
      "no prompt: pass it as an argument or on stdin",
      EXIT.usage,
      'bedrock-edge chat "Hello"',
    );
  }
  return prompt;
}

/** Answer text to stdout as it arrives; reasoning, tool calls and usage to stderr, so stdout is only the answer. */
async function printAnswer(events: AsyncIterable<ChatEvent>, io: Io, showUsage: boolean): Promise<number> {
  const e = io.err;
  let endsWithNewline = true;
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
  return EXIT.ok;
}
