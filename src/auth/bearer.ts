import type { Authorizer } from "./types";

/** `Authorization: Bearer <key>`: Bedrock API keys, and proxies that take a bearer token. */
export function bearerAuthorizer(key: string): Authorizer {
  return async (request) => {
    const headers = new Headers(request.headers);
    headers.set("authorization", `Bearer ${key}`);
    return new Request(request, { headers });
  };
}
