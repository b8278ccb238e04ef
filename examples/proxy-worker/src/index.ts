// The bedrock-edge signing CORS proxy as a Cloudflare Worker. Browser pages call it with a proxy token;
// it signs with the Worker's AWS credentials (secrets) and streams Bedrock's answer back.
import { type BedrockProxy, createProxy, proxyOptionsFromEnv } from "bedrock-edge/proxy";

/** Secrets (wrangler secret put) and vars (wrangler.toml); see README.md for the names. */
type Env = Record<string, unknown>;

let proxy: BedrockProxy | undefined;
let builtFor: Env | undefined;

function proxyFor(env: Env): BedrockProxy {
  // Built once per isolate (the env object is stable), so signing keys and token digests stay cached.
  if (!proxy || builtFor !== env) {
    proxy = createProxy(proxyOptionsFromEnv(env, { logger: console }));
    builtFor = env;
  }
  return proxy;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
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
    return handler.fetch(request);
  },
};
