import { ConfigError } from "../client/errors";

export type EnvRecord = Record<string, string | undefined>;

/**
 * The environment used when the caller passes none: the process environment where one exists (Node, Bun), else empty.
 * Deno users pass `Deno.env.toObject()`, Workers users pass their `env` binding.
 */
export function ambientEnv(): EnvRecord {
  return ((globalThis as any).process?.env as EnvRecord | undefined) ?? {};
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
