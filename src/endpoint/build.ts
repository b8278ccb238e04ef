import type { ModelIdPrefix } from "../config/schema";
import { prefixModelId } from "./model-id";

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
  const id = prefixModelId(modelName, mode, region);
  const operation = stream ? "converse-stream" : "converse";
  const encoded = encodeURIComponent(id);
  if (config.url) {
    const base = config.url.endsWith("/") ? config.url : `${config.url}/`;
    return `${base}${documentedForm(encoded)}/${operation}`;
  }
  const path = mode === "region" ? documentedForm(encoded) : encoded;
  return `https://bedrock-runtime.${region}.amazonaws.com/model/${path}/${operation}`;
}

/** The documented `{region}.{modelName}` form keeps `:` literal; anything that would break the path stays encoded. */
function documentedForm(encodedId: string): string {
  return encodedId.replace(/%3A/gi, ":");
}
