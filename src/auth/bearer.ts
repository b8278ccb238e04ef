import { ConfigError } from "../errors/index.ts";
import type { Authorizer } from "./types.ts";

// Header values must be visible ASCII; the runtime's own error for a bad one would repeat the whole key.
const TOKEN = /^[!-~]+$/;

/** `Authorization: Bearer <key>`: Bedrock API keys, and proxies that take a bearer token. */
export function bearerAuthorizer(key: string): Authorizer {
  if (typeof key !== "string" || !TOKEN.test(key)) {
    throw new ConfigError(
      "key",
      "the key must be a non-empty string of visible ASCII characters (no spaces or newlines)",
    );
  }
  return async (request) => {
    const headers = new Headers(request.headers);
    headers.set("authorization", `Bearer ${key}`);
    return new Request(request, { headers });
  };
}
