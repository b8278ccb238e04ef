// The bedrock-edge signing CORS proxy as a Cloudflare Worker, safe to call from a public page: callers present
// short-lived session tokens (JWTs) instead of a shared secret, each caller has its own limits and daily token
// budget, and the budgets live in Durable Objects (one per caller) so every Worker instance enforces the same ones.
import {
  type BedrockProxy,
  type BudgetNamespace,
  createProxy,
  createSessionToken,
  durableObjectStore,
  ProxyBudget,
  proxyOptionsFromEnv,
} from "bedrock-edge/proxy";

// The Durable Object class named in wrangler.toml ([[durable_objects.bindings]] class_name = "ProxyBudget").
export { ProxyBudget };

/** Secrets (wrangler secret put) and vars (wrangler.toml); see README.md for the names. */
type Env = Record<string, unknown> & { BUDGETS?: BudgetNamespace };

let proxy: BedrockProxy | undefined;
let builtFor: Env | undefined;

function proxyFor(env: Env): BedrockProxy {
  // Built once per isolate (the env object is stable), so signing keys and token digests stay cached.
  if (!proxy || builtFor !== env) {
    const store = env.BUDGETS ? { store: durableObjectStore(env.BUDGETS) } : {};
    proxy = createProxy(proxyOptionsFromEnv(env, { logger: console, ...store }));
    builtFor = env;
  }
  return proxy;
}

/**
 * POST /session: a session token for an anonymous visitor, when ANONYMOUS_SESSION_SECONDS is set. The subject
 * is a hash of the visitor's IP address, so reloading the page does not give a fresh budget. A site with
 * logins should mint tokens in its own backend instead, with the user id as the subject.
 */
async function anonymousSession(request: Request, env: Env): Promise<Response> {
  const seconds = Number(env.ANONYMOUS_SESSION_SECONDS);
  const secret = env.BEDROCK_EDGE_PROXY_SESSION_SECRET;
  if (!seconds || typeof secret !== "string") return new Response("Not found", { status: 404 });
  const ip = request.headers.get("cf-connecting-ip") ?? "unknown";
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${secret}:${ip}`));
  const subject = `anon:${[...new Uint8Array(digest).slice(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
  const token = await createSessionToken({ secret, subject, expiresInSeconds: seconds });
  const origin = request.headers.get("origin");
  const allowed = String(env.BEDROCK_EDGE_PROXY_ORIGINS ?? "").split(/[\s,]+/);
  const headers: Record<string, string> = { "cache-control": "no-store", vary: "Origin" };
  if (origin && allowed.includes(origin)) headers["access-control-allow-origin"] = origin;
  return Response.json({ token, expiresInSeconds: seconds }, { headers });
}

export default {
  async fetch(
    request: Request,
    env: Env,
    ctx: { waitUntil(promise: Promise<unknown>): void },
  ): Promise<Response> {
    if (new URL(request.url).pathname === "/session" && request.method === "POST")
      return anonymousSession(request, env);
    let handler: BedrockProxy;
    try {
      handler = proxyFor(env);
    } catch (error) {
      // Names the missing setting in the Worker's logs; callers only learn that it is misconfigured.
      console.error(String(error));
      return Response.json(
        { message: "The proxy is not configured; see the Worker's logs." },
        { status: 500, headers: { "x-amzn-ErrorType": "InternalServerException" } },
      );
    }
    // ctx: the usage of a streamed answer is settled after its last byte, which waitUntil lets finish.
    return handler.fetch(request, ctx);
  },
};
