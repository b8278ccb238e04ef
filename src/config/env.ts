import { ConfigError } from "../client/errors";

export type EnvRecord = Record<string, string | undefined>;

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

const PATTERN = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}/g;

/** Replaces `${env:VAR}` and `${env:VAR:default}` in every string of `value`; `path` names where, for errors. */
export function interpolateEnv(value: unknown, env: EnvRecord, path = ""): unknown {
  if (typeof value === "string") {
    return value.replace(PATTERN, (_, name: string, fallback: string | undefined) => {
      const v = env[name];
      if (v !== undefined && v !== "") return v;
      if (fallback !== undefined) return fallback;
      throw new ConfigError(
        path,
        `environment variable ${name} is not set (write \${env:${name}:default} for a default)`,
      );
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateEnv(v, env, `${path}[${i}]`));
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolateEnv(v, env, path ? `${path}.${k}` : k);
    return out;
  }
  return value;
}
