import { admit, capNativeOutput, capOutput, isRefusal, type Ticket } from "./admission.ts";
import { bearerToken, bearerTokenChecker } from "./auth.ts";
import { readLimitedBody } from "./body.ts";
import { addCorsHeaders, isAllowedOrigin, preflightResponse } from "./cors.ts";
import { type ProxyErrorType, proxyError } from "./errors.ts";
import { type CallerLimits, DEFAULT_MAX_TOKENS, meters, strictest } from "./limits.ts";
import { scrubbingLogger } from "./log.ts";
import { type Metered, meterBody, type TokenUsage } from "./meter.ts";
import { normalizeOptions, type ProxyOptions, type UsageRecord } from "./options.ts";
import { parseRoute, type Route, upstreamUrl } from "./route.ts";
import { looksLikeJwt } from "./sessions.ts";
import { createUpstream, UpstreamFailure } from "./upstream.ts";

/** A Worker's ExecutionContext (or anything with waitUntil): keeps the call alive until its usage is settled. */
export interface ProxyContext {
  waitUntil(promise: Promise<unknown>): void;
}

export interface BedrockProxy {
  /**
   * Handles one request: a Worker's `fetch` (pass its `ctx`, so settling a call's usage after the last byte
   * is not cut short), Deno.serve's handler, or `serve()` from bedrock-edge/node.
   */
  fetch(request: Request, context?: ProxyContext): Promise<Response>;
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

  async function handle(
    request: Request,
    started: number,
    keep: (p: Promise<unknown>) => void,
  ): Promise<Response> {
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
    const caller = await identify(request);
    if ("type" in caller) return reject(caller.type, caller.message);
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
    const limits = o.limits || caller.limits ? strictest(o.limits ?? {}, caller.limits) : undefined;
    // A token budget needs an output cap to reserve: the default when neither the proxy nor the token set one.
    if (limits && (limits.tokensPerDay || limits.tokensPerMinute) && !limits.maxTokensPerRequest)
      limits.maxTokensPerRequest = DEFAULT_MAX_TOKENS;
    if (!limits || !meters(limits)) {
      const ticket = { reserved: 0, settle: async () => {} };
      return forward(request, route, body.bytes, headers(), started, caller.subject, ticket, keep);
    }
    // The output cap: Converse's inferenceConfig.maxTokens, or the known fields of InvokeModel's native bodies.
    // CountTokens and ApplyGuardrail use no model tokens: they count against the request limits only.
    const op = route.operation as string;
    const free = op === "count-tokens" || op === "apply-guardrail";
    const capped = free
      ? { body: body.bytes, maxTokens: 0 }
      : op === "converse" || op === "converse-stream"
        ? capOutput(body.bytes, limits.maxTokensPerRequest, o.overMaxTokens)
        : capNativeOutput(body.bytes, limits.maxTokensPerRequest, o.overMaxTokens);
    if ("type" in capped) return reject(capped.type, capped.message);
    // Worst case: every byte of the request a token (a token is at least one byte of text) plus the output cap.
    const ticket = await admit(
      o,
      caller.subject,
      limits,
      free ? 0 : capped.body.byteLength + capped.maxTokens,
      (stage, error) =>
        log?.error(`proxy: the usage store failed (${stage})`, {
          subject: caller.subject,
          reason: error instanceof Error ? error.message : String(error),
          failOpen: o.failOpen,
        }),
    );
    if (isRefusal(ticket)) {
      const h = headers();
      if (ticket.retryAfterSeconds !== undefined) h.set("retry-after", String(ticket.retryAfterSeconds));
      const response = proxyError(ticket.type, ticket.message, h);
      log?.info(
        `proxy ${route.operation} ${route.region} ${route.modelId} -> ${response.status} ${ticket.type}`,
        {
          subject: caller.subject,
          reason: ticket.message,
          ms: Date.now() - started,
        },
      );
      return response;
    }
    return forward(request, route, capped.body, headers(), started, caller.subject, ticket, keep);
  }

  /** The caller's identity (and own limits), or why it is refused. */
  async function identify(
    request: Request,
  ): Promise<{ subject: string; limits?: CallerLimits } | { type: ProxyErrorType; message: string }> {
    const header = request.headers.get("authorization");
    const token = bearerToken(header);
    if (o.sessions && token !== undefined && looksLikeJwt(token)) {
      const session = await o.sessions(token);
      if ("subject" in session) return session;
      return session;
    }
    if (checkToken) {
      const subject = await checkToken(header);
      if (subject) return { subject };
    } else if (o.authorize) {
      const verdict = await o.authorize(request);
      if (verdict === true) return { subject: "authorized" };
      if (
        verdict &&
        typeof verdict === "object" &&
        typeof verdict.subject === "string" &&
        verdict.subject !== ""
      )
        return verdict;
    }
    return {
      type: "UnauthorizedException",
      message: o.sessions
        ? "Missing or invalid bearer token: send `Authorization: Bearer <session token>`."
        : "Missing or invalid bearer token: send `Authorization: Bearer <token>` with a token this proxy accepts.",
    };
  }

  async function forward(
    request: Request,
    route: Route,
    body: Uint8Array<ArrayBuffer>,
    headers: Headers,
    started: number,
    subject: string,
    ticket: Ticket,
    keep: (p: Promise<unknown>) => void,
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
    // Every call ends here once: the reservation settled to what was used, onUsage told, the usage logged.
    const ended = (status: number, metered: Metered, requestId?: string): Promise<void> => {
      const usage: TokenUsage = metered.usage ?? { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
      // No usage from an answer that started: Bedrock may have billed any of it, so the reservation stands.
      const charged = metered.usage ? usage.totalTokens : status >= 200 && status < 300 ? ticket.reserved : 0;
      const record: UsageRecord = {
        subject,
        ...where,
        usage,
        charged,
        status,
        end: metered.end,
        ms: Date.now() - started,
      };
      if (requestId) record.requestId = requestId;
      // One line per call: for an answer Bedrock gave, written when its body has ended, with the tokens.
      if (status < 300 || metered.usage) {
        log?.info(`proxy ${route.operation} ${route.region} ${route.modelId} -> ${status}`, {
          subject,
          requestId,
          ms: record.ms,
          end: metered.end,
          inputTokens: usage.inputTokens,
          outputTokens: usage.outputTokens,
          charged,
        });
      }
      const settled = ticket.settle(charged);
      if (!o.onUsage) return settled;
      return settled
        .then(() => o.onUsage!(record))
        .catch((error) =>
          log?.error("proxy: onUsage failed", {
            reason: error instanceof Error ? error.message : String(error),
          }),
        );
    };
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
      keep(ended(stage === "credentials" ? 500 : 502, { end: "error" }));
      return stage === "credentials"
        ? proxyError("InternalServerException", "The proxy could not get AWS credentials.", headers)
        : proxyError("BadGatewayException", `The proxy could not reach Bedrock in ${route.region}.`, headers);
    }
    if (upstream.type === "opaqueredirect" || (upstream.status >= 300 && upstream.status < 400)) {
      // Not followed (see createUpstream): the caller gets an error naming where it pointed, never that answer.
      await upstream.body?.cancel().catch(() => {});
      keep(ended(502, { end: "error" }));
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
    const requestId = upstream.headers.get("x-amzn-requestid") ?? undefined;
    if (upstream.status >= 300) {
      log?.info(`proxy ${route.operation} ${route.region} ${route.modelId} -> ${upstream.status}`, {
        subject,
        requestId,
        ms: Date.now() - started,
      });
    }
    // The body passes through the meter chunk by chunk: bytes reach the caller as Bedrock sends them (each
    // is handed on before the meter looks at it), and a caller that goes away cancels it, which aborts the
    // upstream request.
    const empty = upstream.status === 204 || upstream.status === 304 || !upstream.body;
    let passed: ReadableStream<Uint8Array> | null = null;
    if (empty) keep(ended(upstream.status, { end: "complete" }, requestId));
    else {
      const metered = meterBody(upstream);
      passed = metered.body;
      keep(metered.done.then((m) => ended(upstream.status, m, requestId)));
    }
    return new Response(passed, {
      status: upstream.status,
      statusText: upstream.statusText,
      headers,
    });
  }

  return {
    async fetch(request, context) {
      const started = Date.now();
      // Deno.serve and Bun.serve pass other things as the second argument: only a waitUntil is used.
      const keep = (promise: Promise<unknown>) => {
        if (typeof context?.waitUntil === "function") context.waitUntil(promise);
      };
      try {
        return await handle(request, started, keep);
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
