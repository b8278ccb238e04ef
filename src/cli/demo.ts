import { createBedrock } from "../client/create.ts";
import type { InputMessage } from "../request/messages.ts";
import type { ChatEvent, TokenUsage, ToolCall } from "../types/events.ts";
import { COMMON_OPTIONS, parseCommand, parseInteger, parseLogLevel } from "./args.ts";
import { CliError, EXIT } from "./errors.ts";
import { addUsage, formatSeconds, formatUsage } from "./format.ts";
import { DEMO_HELP } from "./help.ts";
import type { Io } from "./io.ts";
import { EMULATOR_MODEL, startLocalEmulator } from "./local-emulator.ts";
import { getWeather, type ToolOutcome, WEATHER_TOOL } from "./weather-tool.ts";

const DEFAULT_PROMPT = "What's the weather in Lisbon right now?";
// On a terminal a short pause between events makes the streaming visible; piped output needs none.
const TTY_EVENT_DELAY_MS = 35;

/** `bedrock-edge demo`: a two-turn streamed chat with a tool call, against an in-process emulator. */
export async function runDemo(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand("demo", {
    args: argv,
    options: { ...COMMON_OPTIONS, delay: { type: "string" } },
    allowPositionals: true,
  });
  if (values.help) {
    io.stdout.write(DEMO_HELP);
    return EXIT.ok;
  }
  const logLevel = parseLogLevel(values["log-level"]);
  const delay =
    parseInteger("--delay", values.delay, 0, 10_000) ?? (io.stdout.isTTY ? TTY_EVENT_DELAY_MS : 0);
  const prompt = positionals.join(" ").trim() || DEFAULT_PROMPT;

  const started = performance.now();
  const emulator = await startLocalEmulator({ eventDelayMs: delay });
  try {
    const client = createBedrock(
      { ...emulator.provider, models: { demo: { modelName: EMULATOR_MODEL } } },
      // An empty env: the demo never picks up the user's real keys or settings.
      { env: {} },
    );
    const s = io.out;
    const say = (text: string) => io.stdout.write(text);
    say(
      `${s.bold("bedrock-edge demo")}: a streamed chat with a tool call, against the built-in Bedrock emulator\n`,
    );
    say(
      `  ${s.dim("emulator")}  ${emulator.url} ${s.dim("(in this process: no network, no AWS account)")}\n`,
    );
    say(`  ${s.dim("model   ")}  ${EMULATOR_MODEL}\n`);
    say(
      `  ${s.dim("tool    ")}  ${WEATHER_TOOL.name}(city: string) ${s.dim(`- ${WEATHER_TOOL.description}`)}\n\n`,
    );
    say(`${s.bold(s.green("you"))}: ${prompt}\n`);

    const history: InputMessage[] = [{ role: "user", content: prompt }];
    const options = { tools: [WEATHER_TOOL], signal: io.signal, logLevel };
    let total: TokenUsage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
    let requests = 0;
    for (let turn = 1; turn <= 2; turn++) {
      say(`\n${s.bold(s.cyan("assistant"))}: `);
      const result = await streamTurn(client.stream(history, options), io);
      requests++;
      total = addUsage(total, result.usage);
      say(
        `  ${s.dim("usage      ")} ${formatUsage(result.usage)} ${s.dim(`(stop reason ${result.stopReason})`)}\n`,
      );
      history.push(result.message as InputMessage);
      if (result.toolCalls.length === 0) {
        if (turn === 1) say(s.dim("  (no tool call: ask about the weather in a city to see one)\n"));
        break;
      }
      if (turn === 2) break; // the demo stops after two turns, whatever the model asks for
      const results = result.toolCalls.map((call) => runTool(call, io));
      history.push({ role: "user", content: results });
    }
    const elapsed = formatSeconds(performance.now() - started);
    say(
      `\n${s.bold("total")}: ${requests} ${requests === 1 ? "request" : "requests"}, ${formatUsage(total)}, ${elapsed}\n`,
    );
    say(
      s.dim(
        'next: `bedrock-edge chat --emulator "your prompt"`, or `bedrock-edge emulator` to serve it to your app\n',
      ),
    );
    return EXIT.ok;
  } finally {
    await emulator.close();
  }
}

interface TurnResult {
  toolCalls: ToolCall[];
  usage?: TokenUsage;
  stopReason: string;
  message: unknown;
}

/** Streams one assistant turn to stdout: text as it arrives, tool calls with their arguments as they stream. */
async function streamTurn(events: AsyncIterable<ChatEvent>, io: Io): Promise<TurnResult> {
  const s = io.out;
  const say = (text: string) => io.stdout.write(text);
  const toolCalls: ToolCall[] = [];
  let atLineStart = false;
  for await (const event of events) {
    switch (event.type) {
      case "text":
        say(event.text);
        atLineStart = event.text.endsWith("\n");
        break;
      case "tool-call-start":
        say(`${atLineStart ? "" : "\n"}  ${s.magenta("tool call  ")} ${s.bold(event.name)} `);
        break;
      case "tool-call-delta":
        say(event.argumentsText);
        break;
      case "tool-call":
        say(`  ${s.dim(`(id ${event.id})`)}\n`);
        atLineStart = true;
        toolCalls.push(event);
        break;
      case "finish":
        if (!atLineStart) say("\n");
        return { toolCalls, usage: event.usage, stopReason: event.stopReason, message: event.message };
    }
  }
  throw new CliError("the stream ended without a finish event", EXIT.failure);
}

/** Runs the demo's tool and shows its result; returns the toolResult block for the next turn. */
function runTool(call: ToolCall, io: Io): Record<string, unknown> {
  const s = io.out;
  io.stdout.write(
    `\n${s.bold(s.magenta("tool"))}: ${call.name}(${call.argumentsText}) ${s.dim("runs here, in the demo")}\n`,
  );
  const outcome: ToolOutcome =
    call.name === WEATHER_TOOL.name
      ? getWeather(call.arguments)
      : { status: "error", text: `unknown tool ${call.name}` };
  if (outcome.status === "error") {
    io.stdout.write(`  ${s.red("error      ")} ${outcome.text}\n`);
    return { toolResult: { toolUseId: call.id, status: "error", content: [{ text: outcome.text }] } };
  }
  io.stdout.write(`  ${s.magenta("result     ")} ${JSON.stringify(outcome.json)}\n`);
  return { toolResult: { toolUseId: call.id, status: "success", content: [{ json: outcome.json }] } };
}
