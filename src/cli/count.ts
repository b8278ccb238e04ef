import type { InputMessage } from "../request/messages.ts";
import { COMMON_OPTIONS, parseCommand, parseLogLevel } from "./args.ts";
import { readPrompt } from "./chat.ts";
import { EXIT } from "./errors.ts";
import { COUNT_HELP } from "./help.ts";
import type { Io } from "./io.ts";
import { EMULATOR_MODEL } from "./local-emulator.ts";
import { CLIENT_OPTIONS, withClient } from "./operation-command.ts";

/** `bedrock-edge count`: the input tokens a prompt would take (CountTokens), printed to stdout. */
export async function runCount(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand("count", {
    args: argv,
    options: { ...COMMON_OPTIONS, ...CLIENT_OPTIONS, system: { type: "string" } },
    allowPositionals: true,
  });
  if (values.help) {
    io.stdout.write(COUNT_HELP);
    return EXIT.ok;
  }
  const logLevel = parseLogLevel(values["log-level"]);
  return withClient(values, io, EMULATOR_MODEL, async (client, model) => {
    const prompt = await readPrompt(positionals, io);
    const messages: InputMessage[] = [{ role: "user", content: prompt }];
    const { inputTokens } = await client.countTokens(messages, {
      model,
      system: values.system,
      signal: io.signal,
      logLevel,
    });
    io.stdout.write(`${inputTokens}\n`);
    return EXIT.ok;
  });
}
