/** The operations the emulator answers; a new operation adds its name here and its path to ROUTES. */
export type Operation =
  | "converse"
  | "converse-stream"
  | "count-tokens"
  | "invoke"
  | "invoke-with-response-stream"
  | "apply-guardrail";

export interface Route {
  operation: Operation;
  /** The model id percent-decoded once, as Bedrock does (`%3A` -> `:`, `%2F` -> `/`). */
  modelId: string;
}

/**
 * The routing table: one path pattern per operation, the model id in the first group. A raw `/`
 * inside the model id (an ARN not percent-encoded) makes the path match nothing, as on AWS.
 */
export const ROUTES: readonly { operation: Operation; path: RegExp }[] = [
  { operation: "converse", path: /^\/model\/([^/]+)\/converse$/ },
  { operation: "converse-stream", path: /^\/model\/([^/]+)\/converse-stream$/ },
  { operation: "count-tokens", path: /^\/model\/([^/]+)\/count-tokens$/ },
  { operation: "invoke", path: /^\/model\/([^/]+)\/invoke$/ },
  { operation: "invoke-with-response-stream", path: /^\/model\/([^/]+)\/invoke-with-response-stream$/ },
];

/** The operation a request path names, or undefined when Bedrock would answer UnknownOperationException. */
export function matchRoute(pathname: string): { operation: Operation; rawModelId: string } | undefined {
  for (const route of ROUTES) {
    const match = route.path.exec(pathname);
    if (match) return { operation: route.operation, rawModelId: match[1] };
  }
  return undefined;
}

/** Decodes the model id once; undefined when the percent-encoding is malformed. */
export function decodeModelId(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}
