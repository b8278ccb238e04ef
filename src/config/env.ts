// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:...} / ${file:...} are the config syntax these messages show
import { ConfigError } from "../errors/index.ts";

export type EnvRecord = Record<string, string | undefined>;

/** Reads a `${file:PATH}` placeholder's file as text (the Node side passes one; web runtimes have none). */
export type FileReader = (path: string) => string;

/** Where a guarded environment keeps the names the runtime refused to read (see `refusedEnvReads`). */
const REFUSED = Symbol.for("bedrock-edge.env-refused");

/**
 * The environment used when the caller passes none: the process environment where one exists (Node, Bun, Deno's
 * Node shim), else empty. Every read is guarded: where the runtime refuses it (Deno without `--allow-env` throws
 * NotCapable), the variable counts as unset and its name is kept for the debug log.
 */
export function ambientEnv(): EnvRecord {
  const source = (globalThis as any).process?.env as EnvRecord | undefined;
  if (!source) return {};
  const refused = new Set<string>();
  return new Proxy({} as EnvRecord, {
    get(_, name) {
      if (name === REFUSED) return refused;
      if (typeof name !== "string") return undefined;
      try {
        return source[name];
      } catch {
        refused.add(name);
        return undefined;
      }
    },
  });
}

/** The variables the runtime refused to read from an ambient environment, so far (none for a plain object). */
export function refusedEnvReads(env: EnvRecord): string[] {
  const refused = (env as Record<symbol, Set<string> | undefined>)[REFUSED];
  return refused ? [...refused] : [];
}

/**
 * Whether a config needs the ambient environment when the caller passed no `env`: only when it holds no
 * credentials of its own (so the SDK must look for them) or writes `${env:...}` itself. A config with a key
 * reads nothing, so code that passes its key never touches (or asks permission for) the environment.
 */
export function wantsAmbientEnv(block: Record<string, unknown>, explicitAuth: boolean): boolean {
  const hasKey = typeof block.key === "string" && block.key !== "";
  if ((hasKey || block.credentials !== undefined || explicitAuth) && !mentionsEnv(block)) return false;
  return true;
}

function mentionsEnv(value: unknown): boolean {
  if (typeof value === "string") return value.includes("${env:");
  if (Array.isArray(value)) return value.some(mentionsEnv);
  if (value && typeof value === "object") return Object.values(value).some(mentionsEnv);
  return false;
}

export interface InterpolateOptions {
  env: EnvRecord;
  readFile?: FileReader;
}

// `${` then a scheme ECA knows, in any spelling (`${ENV:X}`, `${ env:X}`), up to the next `}` if there is one:
// anything that is not exactly `${env:NAME}`, `${env:NAME:default}` or `${file:PATH}` is an error, never the
// literal text (a key of "${env: X}" would only fail later, at AWS, with a confusing message).
const TOKEN = /\$\{(\s*(env|file|cmd|netrc|classpath)\s*:[^}]*)(\}?)/gi;
const ENV = /^env:([A-Za-z_][A-Za-z0-9_.-]*)(?::([^}]*))?$/;
const FILE = /^file:(\S(?:.*\S)?)$/;

function expand(text: string, options: InterpolateOptions, path: string): string {
  return text.replace(TOKEN, (whole: string, inner: string, scheme: string, close: string) => {
    // At most the start of it: a placeholder left open may run into text that is not meant to be shown.
    const shown = whole.length > 40 ? `${whole.slice(0, 40)}...` : whole;
    const bad = (why: string) =>
      new ConfigError(path, `malformed placeholder ${JSON.stringify(shown)}: ${why}`);
    if (!close) throw bad("no closing }");
    const kind = scheme.toLowerCase();
    if (kind !== "env" && kind !== "file")
      throw new ConfigError(
        path,
        `\${${kind}:...} is not supported by bedrock-edge: put the value in an environment variable and write \${env:NAME}`,
      );
    if (!inner.startsWith(`${kind}:`) || scheme !== kind)
      throw bad(`write \${${kind}:${kind === "env" ? "NAME" : "PATH"}} (lower case, no spaces)`);
    if (kind === "file") {
      const file = FILE.exec(inner)?.[1];
      if (!file) throw bad("write ${file:PATH} with no spaces around the path");
      if (!options.readFile)
        throw new ConfigError(
          path,
          `\${file:${file}} needs a file system: pass readFile in the options (the CLI and bedrock-edge/node's fileReader do), or use \${env:NAME} on runtimes without files`,
        );
      let content: string;
      try {
        content = options.readFile(file);
      } catch (error) {
        throw new ConfigError(
          path,
          `\${file:${file}}: cannot read the file: ${(error as Error)?.message ?? error}`,
        );
      }
      // A file written by an editor or `echo` ends in a newline, which is not part of a key or URL.
      return content.replace(/\s+$/, "");
    }
    const m = ENV.exec(inner);
    if (!m) throw bad("write ${env:NAME} or ${env:NAME:default}, NAME a variable name with no spaces");
    const [, name, fallback] = m;
    const v = options.env[name];
    if (v !== undefined && v !== "") return v;
    if (fallback !== undefined) return fallback;
    throw new ConfigError(
      path,
      `environment variable ${name} is not set (write \${env:${name}:default} for a default)`,
    );
  });
}

/**
 * Replaces `${env:VAR}`, `${env:VAR:default}` and `${file:PATH}` in every string of `value`; `path` names where,
 * for errors. Accepts an env record (the older signature) or the options.
 */
export function interpolateEnv(value: unknown, env: EnvRecord | InterpolateOptions, path = ""): unknown {
  const options: InterpolateOptions =
    typeof (env as InterpolateOptions).env === "object" && (env as InterpolateOptions).env !== null
      ? (env as InterpolateOptions)
      : { env: env as EnvRecord };
  return interpolate(value, options, path);
}

function interpolate(value: unknown, options: InterpolateOptions, path: string): unknown {
  if (typeof value === "string") return value.includes("${") ? expand(value, options, path) : value;
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, options, `${path}[${i}]`));
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolate(v, options, path ? `${path}.${k}` : k);
    return out;
  }
  return value;
}
