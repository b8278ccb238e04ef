// The `bedrock-edge` command: dispatches to a subcommand and turns what it returns or throws into an exit code.
import { readFileSync } from "node:fs";
import { runChat } from "./chat.ts";
import { runCount } from "./count.ts";
import { runDemo } from "./demo.ts";
import { runEmbed } from "./embed.ts";
import { runEmulator } from "./emulator-command.ts";
import { CliError, describeError, EXIT, exitCodeFor } from "./errors.ts";
import { MAIN_HELP, PROXY_LINE } from "./help.ts";
import { type Io, processIo } from "./io.ts";
import { runProxyCommand } from "./proxy-command.ts";

type Command = (argv: string[], io: Io) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  demo: runDemo,
  chat: runChat,
  count: runCount,
  embed: runEmbed,
  emulator: runEmulator,
  proxy: runProxyCommand,
};

function mainHelp(): string {
  return MAIN_HELP.replace("%PROXY%", PROXY_LINE);
}

function version(): string {
  // dist/cli/main.js (and src/cli/main.ts) sit two levels below the package root.
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
  return String(pkg.version);
}

/** `--log-level X` given before the command applies to the command. */
function splitGlobal(argv: string[]): { command: string | undefined; rest: string[] } {
  const leading: string[] = [];
  let i = 0;
  while (i < argv.length && argv[i].startsWith("--log-level")) {
    const takesNext = argv[i] === "--log-level";
    leading.push(...argv.slice(i, i + (takesNext ? 2 : 1)));
    i += takesNext ? 2 : 1;
  }
  return { command: argv[i], rest: [...argv.slice(i + 1), ...leading] };
}

export async function main(argv: string[], io: Io): Promise<number> {
  const { command, rest } = splitGlobal(argv);
  if (command === undefined || command === "--help" || command === "-h") {
    io.stdout.write(mainHelp());
    return EXIT.ok;
  }
  if (command === "--version" || command === "-v") {
    io.stdout.write(`${version()}\n`);
    return EXIT.ok;
  }
  if (command === "help") {
    const target = rest[0];
    if (target === undefined) {
      io.stdout.write(mainHelp());
      return EXIT.ok;
    }
    return dispatch(target, ["--help"], io);
  }
  return dispatch(command, rest, io);
}

function dispatch(command: string, argv: string[], io: Io): Promise<number> {
  const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!run) {
    const what = command.startsWith("-") ? `unknown option "${command}"` : `unknown command "${command}"`;
    throw new CliError(
      `${what} (commands: ${Object.keys(COMMANDS).join(", ")})`,
      EXIT.usage,
      "run `bedrock-edge --help`",
    );
  }
  return run(argv, io);
}

async function runProcess(): Promise<void> {
  const interrupt = new AbortController();
  const onSignal = () => {
    // A second Ctrl-C while shutting down means "now".
    if (interrupt.signal.aborted) process.exit(EXIT.interrupted);
    interrupt.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  // The reader went away (`bedrock-edge chat ... | head`): stop quietly, as other command-line tools do.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(EXIT.ok);
    throw error;
  });
  process.stderr.on("error", () => {});
  const io = processIo(interrupt.signal);
  let code: number;
  try {
    code = await main(process.argv.slice(2), io);
  } catch (error) {
    code = exitCodeFor(error);
    if (code === EXIT.interrupted) io.stderr.write("interrupted\n");
    else io.stderr.write(`${describeError(error, io.err)}\n`);
  }
  process.exitCode = code;
  // Output is flushed by now; do not let a lingering handle (a keep-alive socket) hold the exit.
  setTimeout(() => process.exit(code), 2000).unref();
}

void runProcess();
