import { uriEncode } from "../auth/sigv4.ts";

// Which Bedrock call a path names, and the one URL it may be forwarded to. Nothing in the path can pick
// the host: the region must match REGION and the model id is percent-encoded into a single path segment.

export type Operation =
  | "converse"
  | "converse-stream"
  | "count-tokens"
  | "invoke"
  | "invoke-with-response-stream"
  | "apply-guardrail";

/** The operations on a model: `{mount}/{region}.{modelId}/{operation}`. */
const MODEL_OPERATIONS = [
  "converse",
  "converse-stream",
  "count-tokens",
  "invoke",
  "invoke-with-response-stream",
];

export interface Route {
  region: string;
  /** The model id decoded once, as Bedrock reads it (`%3A` -> `:`, `%2F` -> `/`); for apply-guardrail, the guardrail id. */
  modelId: string;
  /** apply-guardrail only: `{mount}/guardrail/{region}.{guardrailId}/version/{version}/apply`. */
  guardrailVersion?: string;
  operation: Operation;
  /** True when the path carried the region (`{region}.{modelId}`), false when defaultRegion was used. */
  regionInPath: boolean;
}

/** AWS commercial and GovCloud region names: `us-east-1`, `ap-southeast-2`, `us-gov-west-1`. */
export const REGION = /^[a-z]{2}(?:-gov)?-[a-z]+-\d{1,2}$/;
// Printable ASCII without spaces, starting with a letter or digit (so never `.` or `..`), at most 2048.
const MODEL_ID = /^[A-Za-z0-9][!-~]{0,2047}$/;

/** The route for a path under `mount`, or a message saying why there is none. */
export function parseRoute(pathname: string, mount: string, defaultRegion?: string): Route | string {
  if (!pathname.startsWith(`${mount}/`)) return `the path must start with ${mount}/`;
  let parts = pathname.slice(mount.length + 1).split("/");
  let guardrailVersion: string | undefined;
  if (parts.length === 5 && parts[0] === "guardrail" && parts[2] === "version" && parts[4] === "apply") {
    guardrailVersion = parts[3];
    if (!/^(DRAFT|[1-9]\d{0,7})$/.test(guardrailVersion))
      return "the guardrail version must be DRAFT or a number";
    parts = [parts[1], "apply-guardrail"];
  } else if (parts.length !== 2 || !MODEL_OPERATIONS.includes(parts[1])) {
    return `expected ${mount}/{region}.{modelId}/converse, /converse-stream, /count-tokens, /invoke or /invoke-with-response-stream, or ${mount}/guardrail/{region}.{guardrailId}/version/{version}/apply (an ARN's "/" must be sent as %2F)`;
  }
  let id: string;
  try {
    id = decodeURIComponent(parts[0]);
  } catch {
    return "the model id has malformed percent-encoding";
  }
  const dot = id.indexOf(".");
  const head = dot > 0 ? id.slice(0, dot) : "";
  const regionInPath = REGION.test(head);
  const region = regionInPath ? head : defaultRegion;
  const modelId = regionInPath ? id.slice(dot + 1) : id;
  if (!region) return "no region in the path ({region}.{modelId}) and no defaultRegion configured";
  if (!MODEL_ID.test(modelId)) return "the model id is not a valid Bedrock model identifier";
  return {
    region,
    modelId,
    operation: parts[1] as Operation,
    regionInPath,
    ...(guardrailVersion && { guardrailVersion }),
  };
}

/**
 * The upstream URL: always `https://bedrock-runtime.{region}.amazonaws.com`, unless the test-only `upstream`
 * base replaces the origin. The id is encoded as the AWS SDKs do (`:` -> `%3A`, `/` -> `%2F`).
 */
export function upstreamUrl(route: Route, upstream?: string): URL {
  const origin = upstream ?? `https://bedrock-runtime.${route.region}.amazonaws.com`;
  const path = route.guardrailVersion
    ? `/guardrail/${uriEncode(route.modelId)}/version/${route.guardrailVersion}/apply`
    : `/model/${uriEncode(route.modelId)}/${route.operation}`;
  const url = new URL(`${origin}${path}`);
  // Belt and braces: the URL must be exactly what the route says, whatever the id held.
  const host = upstream ? new URL(upstream).host : `bedrock-runtime.${route.region}.amazonaws.com`;
  if (url.host !== host || url.pathname !== path || url.search || url.hash) {
    throw new Error("upstreamUrl: the route does not map to a single Bedrock URL");
  }
  return url;
}
