import type { ModelIdPrefix } from "../config/schema.ts";
import { prefixModelId } from "./model-id.ts";

export const DEFAULT_REGION = "us-east-1";

export interface EndpointConfig {
  url?: string;
  region?: string;
  modelIdPrefix?: ModelIdPrefix;
}

/**
 * The Converse URL for a model. `stream` (default true) picks `/converse-stream`, else `/converse`.
 * - with `url` (a proxy): `url + region + "." + modelName + "/converse[-stream]"`, the documented form;
 * - without: `https://bedrock-runtime.{region}.amazonaws.com/model/{modelId}/converse[-stream]`, the id
 *   percent-encoded as the AWS SDKs do (`:` -> `%3A`, `/` in ARNs -> `%2F`) and not region-prefixed, because a
 *   full region in front of an id is not a valid Bedrock model id. `modelIdPrefix: "region"` asks for the
 *   documented `{region}.{modelName}` form (literal `:`) here too.
 */
export function buildEndpoint(config: EndpointConfig, modelName: string, stream = true): string {
  const region = config.region || DEFAULT_REGION;
  const mode = config.modelIdPrefix ?? (config.url ? "region" : "none");
  return endpointUrl(
    config,
    prefixModelId(modelName, mode, region),
    stream,
    !!config.url || mode === "region",
  );
}

/**
 * The Converse URL for a model id sent as it is (the core client's: no prefixing). The id is percent-encoded as
 * the AWS SDKs do it; `literalColons` keeps `:` as is, the documented `{region}.{modelName}` form (a proxy URL's
 * default).
 */
export function endpointUrl(
  config: { url?: string; region?: string },
  modelId: string,
  stream: boolean,
  literalColons = !!config.url,
): string {
  const operation = stream ? "converse-stream" : "converse";
  const encoded = encodeURIComponent(modelId);
  const path = literalColons ? encoded.replace(/%3A/gi, ":") : encoded;
  if (config.url) return `${config.url.endsWith("/") ? config.url : `${config.url}/`}${path}/${operation}`;
  return `https://bedrock-runtime.${config.region || DEFAULT_REGION}.amazonaws.com/model/${path}/${operation}`;
}
