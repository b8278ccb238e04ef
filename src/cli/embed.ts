import type { EmbedPurpose } from "../client/operations/embed.ts";
import { COMMON_OPTIONS, parseCommand, parseInteger, parseLogLevel } from "./args.ts";
import { readPrompt } from "./chat.ts";
import { CliError, EXIT } from "./errors.ts";
import { EMBED_HELP } from "./help.ts";
import type { Io } from "./io.ts";
import { CLIENT_OPTIONS, withClient } from "./operation-command.ts";

/** The embedding model `embed --emulator` uses when none is named. */
export const EMULATOR_EMBEDDING_MODEL = "amazon.titan-embed-text-v2:0";
const PURPOSES = ["document", "query", "classification", "clustering"];

/**
 * `bedrock-edge embed`: one vector per text, as a JSON array per line on stdout, in order. Texts are the
 * arguments (each one text) or, without arguments, the lines of stdin.
 */
export async function runEmbed(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand("embed", {
    args: argv,
    options: {
      ...COMMON_OPTIONS,
      ...CLIENT_OPTIONS,
      dimensions: { type: "string" },
      purpose: { type: "string" },
      normalize: { type: "boolean" },
    },
    allowPositionals: true,
  });
  if (values.help) {
    io.stdout.write(EMBED_HELP);
    return EXIT.ok;
  }
  const logLevel = parseLogLevel(values["log-level"]);
  const dimensions = parseInteger("--dimensions", values.dimensions, 1, 100_000);
  if (values.purpose !== undefined && !PURPOSES.includes(values.purpose))
    throw new CliError(`--purpose: expected one of ${PURPOSES.join(", ")}, got "${values.purpose}"`);
  return withClient(values, io, EMULATOR_EMBEDDING_MODEL, async (client, model) => {
    const texts =
      positionals.length > 0
        ? positionals
        : (await readPrompt([], io)).split(/\r?\n/).filter((line) => line.trim() !== "");
    const { embeddings, usage } = await client.embed(texts, {
      model,
      dimensions,
      purpose: values.purpose as EmbedPurpose | undefined,
      normalize: values.normalize,
      signal: io.signal,
      logLevel,
    });
    for (const vector of embeddings) io.stdout.write(`${JSON.stringify(vector)}\n`);
    if (usage && logLevel !== "silent")
      io.stderr.write(
        io.err.dim(
          `${embeddings.length} vectors of ${embeddings[0]?.length} dimensions, ${usage.inputTokens} input tokens\n`,
        ),
      );
    return EXIT.ok;
  });
}
