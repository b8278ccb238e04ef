import { readFile } from "node:fs/promises";
import { chooseProvider } from "../config/resolve.ts";
import { isObject } from "../types/json.ts";
import { CliError } from "./errors.ts";

/** A config document as read from disk, and the Bedrock provider block inside it (edited in place by callers). */
export interface ConfigDocument {
  /** Where it came from, for messages: the file path, or a description. */
  source: string;
  /** What goes to resolveConfig: the whole `{providers: {bedrock}}` document, or a bare provider block. */
  document: Record<string, unknown>;
  /** The provider block, when the document has one that is an object (else resolveConfig reports the problem). */
  block: Record<string, unknown> | undefined;
}

/**
 * A JSON file as read by every command (`--config` for chat and proxy): unreadable files and bad JSON are
 * usage errors naming the file, with the line and column of a syntax error; a leading BOM is skipped.
 */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (error as Error).message;
    throw new CliError(`config file ${path}: ${why}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    throw new CliError(`config file ${path}: not valid JSON: ${jsonErrorAt(text, error as Error)}`);
  }
  return parsed;
}

/** Reads and parses an ECA-style config file (through readJsonFile). */
export async function readConfigFile(path: string, provider?: string): Promise<ConfigDocument> {
  const parsed = await readJsonFile(path);
  if (!isObject(parsed)) {
    throw new CliError(
      `config file ${path}: expected a JSON object ({"providers": {"bedrock": {...}}} or a provider block)`,
    );
  }
  return documentOf(parsed, `config file ${path}`, provider);
}

/** The document and its Bedrock provider block: chosen as resolveConfig chooses it (`api: "bedrock"`, `provider`). */
export function documentOf(
  document: Record<string, unknown>,
  source: string,
  provider?: string,
): ConfigDocument {
  if (!("providers" in document)) return { source, document, block: document };
  let block: Record<string, unknown> | undefined;
  try {
    const chosen = (document.providers as Record<string, unknown>)[chooseProvider(document, provider)];
    if (isObject(chosen)) block = chosen;
  } catch {
    // no single Bedrock provider: resolveConfig reports it, naming the path
  }
  return { source, document, block };
}

/** V8's "... at position N" turned into line and column, which is what an editor shows. */
function jsonErrorAt(text: string, error: Error): string {
  const position = /position (\d+)/.exec(error.message);
  if (!position) return error.message;
  const offset = Number(position[1]);
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return `${error.message.replace(/ in JSON at position \d+.*$/, "")} at line ${line}, column ${column}`;
}
