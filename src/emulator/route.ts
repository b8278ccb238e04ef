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

// A raw `/` inside the model id (an ARN not percent-encoded) makes the path match nothing, as on AWS.
const ROUTE =
  /^\/model\/([^/]+)\/(converse|converse-stream|count-tokens|invoke|invoke-with-response-stream)$/;

/** The operation a request path names, or undefined when Bedrock would answer UnknownOperationException. */
export function matchRoute(pathname: string): { operation: Operation; rawModelId: string } | undefined {
  const match = ROUTE.exec(pathname);
  if (!match) return undefined;
  return { operation: match[2] as Operation, rawModelId: match[1] };
}

/** Decodes the model id once; undefined when the percent-encoding is malformed. */
export function decodeModelId(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}
