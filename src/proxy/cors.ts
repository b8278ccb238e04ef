// CORS for browser pages: an allow-list of origins, each answered with its own origin (never `*`, which
// browsers refuse together with credentials) and `Vary: Origin` so caches keep answers per origin.

export type OriginPolicy = readonly string[] | ((origin: string) => boolean);

/** Request headers a page may send: what the core client and the AWS SDKs put on a Converse call. */
const ALLOWED_HEADER = /^(authorization|content-type|accept|x-amz-[a-z0-9-]+|amz-sdk-[a-z0-9-]+)$/;
// InvokeModel reports its token counts in headers: a page reads them only if they are exposed.
const EXPOSED =
  "x-amzn-RequestId, x-amzn-ErrorType, retry-after, x-amzn-bedrock-input-token-count, x-amzn-bedrock-output-token-count";
const MAX_AGE_SECONDS = "600";

/** Checks the allow-list entries once: exact origins such as `https://app.example.com`, no `*`. */
export function normalizeOrigins(policy: OriginPolicy | undefined): OriginPolicy {
  if (policy === undefined) return [];
  if (typeof policy === "function") return policy;
  if (!Array.isArray(policy))
    throw new TypeError("createProxy: allowedOrigins must be an array of origins or a function");
  return policy.map((entry, i) => {
    const where = `createProxy: allowedOrigins[${i}]`;
    if (typeof entry !== "string" || entry === "*" || entry === "null") {
      throw new TypeError(
        `${where} must be an origin such as "https://app.example.com" ("*" and "null" are not allowed)`,
      );
    }
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw new TypeError(`${where} is not a URL: "${entry}"`);
    }
    const bare =
      url.pathname === "/" && !url.search && !url.hash && !entry.endsWith("#") && !entry.endsWith("?");
    if (!/^https?:$/.test(url.protocol) || !bare || url.username || url.password) {
      throw new TypeError(`${where} must be scheme://host[:port] only, got "${entry}"`);
    }
    return url.origin;
  });
}

export function isAllowedOrigin(policy: OriginPolicy, origin: string): boolean {
  if (origin === "null") return false;
  return typeof policy === "function" ? policy(origin) === true : policy.includes(origin);
}

/** Adds the CORS response headers for an allowed origin (and `Vary: Origin` always). */
export function addCorsHeaders(headers: Headers, origin: string | null): void {
  headers.append("vary", "Origin");
  if (origin === null) return;
  headers.set("access-control-allow-origin", origin);
  headers.set("access-control-expose-headers", EXPOSED);
}

/** The answer to a preflight from an allowed origin: POST with the headers the SDK sends. */
export function preflightResponse(request: Request, origin: string): Response {
  const headers = new Headers({ "cache-control": "no-store" });
  addCorsHeaders(headers, origin);
  headers.append("vary", "Access-Control-Request-Method, Access-Control-Request-Headers");
  const requested = (request.headers.get("access-control-request-headers") ?? "")
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter((name) => ALLOWED_HEADER.test(name));
  headers.set("access-control-allow-methods", "POST");
  headers.set(
    "access-control-allow-headers",
    [...new Set(["authorization", "content-type", "accept", ...requested])].join(", "),
  );
  headers.set("access-control-max-age", MAX_AGE_SECONDS);
  return new Response(null, { status: 204, headers });
}
