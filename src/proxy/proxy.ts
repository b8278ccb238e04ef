import { bearerTokenChecker } from "./auth.ts";
import { readLimitedBody } from "./body.ts";
import { addCorsHeaders, isAllowedOrigin, preflightResponse } from "./cors.ts";
import { proxyError } from "./errors.ts";
import { scrubbingLogger } from "./log.ts";
import { normalizeOptions, type ProxyOptions } from "./options.ts";
import { parseRoute, type Route, upstreamUrl } from "./route.ts";
import { createUpstream, UpstreamFailure } from "./upstream.ts";

export interface BedrockProxy {
  /** Handles one request: a Worker's `fetch`, Deno.serve's handler, or `serve()` from bedrock-edge/node. */
  fetch(request: Request): Promise<Response>;
}

/** InvokeModel's request headers, forwarded upstream; no other caller header is. */
const BEDROCK_REQUEST_HEADER =
  /^x-amzn-bedrock-(accept|trace|guardrailidentifier|guardrailversion|performanceconfig-latency|service-tier|request-metadata)$/;
/** Response headers passed through from Bedrock; everything else (content-length, encodings, cookies) is not. */
const PASSED = /^(content-type|x-amzn-requestid|x-amzn-errortype|retry-after|x-amzn-bedrock-[a-z0-9-]+)$/;

/**
 * The signing CORS proxy: authenticates callers by bearer token, then forwards `POST {mount}/{region}.{modelId}/
 * converse[-stream]` to `https://bedrock-runtime.{region}.amazonaws.com`, signed with SigV4 (or with an upstream
 * API key), and streams the answer back as it arrives. Browser pages hold a proxy token, never an AWS secret.
 */
export function createProxy(options: ProxyOptions): BedrockProxy {
  const o = normalizeOptions(options);
  const checkToken = o.tokens && bearerTokenChecker(o.tokens);
  // Secrets the log must never show: the static ones, and the AWS credentials last used.
  const fixed = [...(o.tokens ?? []), o.upstreamKey ?? ""];
  let current: string[] = [];
  if (o.credentials && typeof o.credentials === "object") {
    const { secretAccessKey, sessionToken } = o.credentials;
    fixed.push(secretAccessKey, sessionToken ?? "");
  }
  const callUpstream = createUpstream(o, (c) => {
    current = [c.secretAccessKey, c.sessionToken ?? ""];
  });
  const log = o.logger && scrubbingLogger(o.logger, () => [...fixed, ...current]);

  async function handle(request: Request, started: number): Promise<Response> {
    const origin = request.headers.get("origin");
    const allowed = origin !== null && isAllowedOrigin(o.origins, origin) ? origin : null;
    const headers = () => {
      const h = new Headers();
      addCorsHeaders(h, allowed);
      return h;
    };
    const reject = (type: Parameters<typeof proxyError>[0], message: string) => {
      const response = proxyError(type, message, headers());
      log?.info(`proxy ${request.method} -> ${response.status} ${type}`, {
        reason: message,
        ms: Date.now() - started,
      });
      return response;
    };

    if (origin !== null && allowed === null) {
      return reject("AccessDeniedException", `Origin ${origin.slice(0, 200)} is not allowed by this proxy.`);
    }
    if (request.method === "OPTIONS") {
      if (allowed && request.headers.has("access-control-request-method"))
        return preflightResponse(request, allowed);
      return reject("UnknownOperationException", "OPTIONS is only answered as a CORS preflight.");
    }
    const authorized = checkToken
      ? await checkToken(request.headers.get("authorization"))
      : (await o.authorize!(request)) === true;
    if (!authorized) {
      return reject(
        "UnauthorizedException",
        "Missing or invalid bearer token: send `Authorization: Bearer <token>` with a token this proxy accepts.",
      );
    }
    const route =
      request.method === "POST" ? parseRoute(new URL(request.url).pathname, o.mount, o.defaultRegion) : "";
    if (typeof route === "string") {
      return reject("UnknownOperationException", `Unknown operation: ${route || "only POST is served"}.`);
    }
    if (o.allowedRegions && !o.allowedRegions.has(route.region)) {
      return reject("AccessDeniedException", `Region ${route.region} is not allowed by this proxy.`);
    }
    if (o.allowedModels && !route.guardrailVersion && !o.allowedModels.has(route.modelId)) {
      return reject("AccessDeniedException", `Model ${route.modelId} is not allowed by this proxy.`);
    }
    const body = await readLimitedBody(request, o.maxBodyBytes);
    if (!body.ok) {
      return body.reason === "too-large"
        ? reject("RequestTooLargeException", `The request body is larger than ${o.maxBodyBytes} bytes.`)
        : reject("ValidationException", "The request body could not be read.");
    }
    return forward(request, route, body.bytes, headers(), started);
  }

  async function forward(
    request: Request,
    route: Route,
    body: Uint8Array<ArrayBuffer>,
    headers: Headers,
    started: number,
  ): Promise<Response> {
    const sent = new Headers({
      "content-type": request.headers.get("content-type") ?? "application/json",
      accept:
        request.headers.get("accept") ??
        (route.operation.endsWith("stream") ? "application/vnd.amazon.eventstream" : "application/json"),
    });
    // InvokeModel's own request headers (trace, guardrail, latency, tier, metadata) are signed and passed on.
    request.headers.forEach((value, name) => {
      if (BEDROCK_REQUEST_HEADER.test(name)) sent.set(name, value);
    });
    const where = { region: route.region, modelId: route.modelId, operation: route.operation };
    let upstream: Response;
    try {
      upstream = await callUpstream({
        url: upstreamUrl(route, o.upstream),
        region: route.region,
        headers: sent,
        body,
        signal: request.signal,
      });
    } catch (error) {
      const stage = error instanceof UpstreamFailure ? error.stage : "fetch";
      const cause = error instanceof UpstreamFailure ? error.cause : error;
      const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
      if (request.signal.aborted) {
        log?.debug("proxy: the caller went away before Bedrock answered", where);
      } else {
        log?.warn(
          `proxy: ${stage === "credentials" ? "credentials provider failed" : "upstream fetch failed"}`,
          {
            ...where,
            reason,
          },
        );
      }
      return stage === "credentials"
        ? proxyError("InternalServerException", "The proxy could not get AWS credentials.", headers)
        : proxyError("BadGatewayException", `The proxy could not reach Bedrock in ${route.region}.`, headers);
    }
    if (upstream.type === "opaqueredirect" || (upstream.status >= 300 && upstream.status < 400)) {
      // Not followed (see createUpstream): the caller gets an error naming where it pointed, never that answer.
      await upstream.body?.cancel().catch(() => {});
      const to = redirectOrigin(upstream.headers.get("location"), route.region);
      log?.warn("proxy: Bedrock answered with a redirect; not followed", {
        ...where,
        status: upstream.status,
        to,
      });
      return proxyError(
        "BadGatewayException",
        `Bedrock in ${route.region} answered with a redirect (HTTP ${upstream.status}) to ${to}; the proxy does not follow redirects.`,
        headers,
      );
    }
    upstream.headers.forEach((value, name) => {
      if (PASSED.test(name)) headers.set(name, value);
    });
    headers.set("cache-control", "no-store");
    log?.info(`proxy ${route.operation} ${route.region} ${route.modelId} -> ${upstream.status}`, {
      requestId: upstream.headers.get("x-amzn-requestid") ?? undefined,
      ms: Date.now() - started,
    });
    // The body stream is handed over as is: bytes reach the caller as Bedrock sends them, and a caller that
    // goes away cancels it, which aborts the upstream request.
    const empty = upstream.status === 204 || upstream.status === 304;
    return new Response(empty ? null : upstream.body, {
      status: upstream.status,
      statusText: upstream.statusText,
      headers,
    });
  }

  return {
    async fetch(request) {
      const started = Date.now();
      try {
        return await handle(request, started);
      } catch (error) {
        log?.error("proxy: unexpected failure", {
          reason: error instanceof Error ? error.message : String(error),
        });
        return proxyError("InternalServerException", "The proxy failed to handle the request.");
      }
    },
  };
}

/** The origin a redirect pointed to (never its path or query, which could carry anything), for the message. */
function redirectOrigin(location: string | null, region: string): string {
  if (!location) return "no location";
  try {
    return new URL(location, `https://bedrock-runtime.${region}.amazonaws.com`).origin;
  } catch {
    return "an unparsable location";
  }
}
