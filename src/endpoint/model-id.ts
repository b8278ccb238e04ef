import type { ModelIdPrefix } from "../config/schema.ts";
import { ConfigError } from "../errors/index.ts";

/** Prefixes of cross-region inference profiles: an id that has one is never prefixed again. */
const GEO_PREFIXES = ["us.", "eu.", "apac.", "jp.", "au.", "us-gov.", "global."];
const REGION_PREFIX = /^[a-z]{2}(-gov)?-[a-z]+-\d+\./;

/** The cross-region inference geography of a region: `us-east-1` -> `us`, `ap-south-1` -> `apac`. */
export function geographyOf(region: string): string {
  if (region.startsWith("us-gov-")) return "us-gov";
  if (region.startsWith("us-")) return "us";
  if (region.startsWith("eu-")) return "eu";
  if (region.startsWith("ap-")) return "apac";
  throw new ConfigError(
    "region",
    `no cross-region inference geography is known for ${region}: use modelIdPrefix "none" with an inference profile id`,
  );
}

/** True for ids that already name where they run: ARNs, geo profiles, region-prefixed ids. */
export function hasLocationPrefix(modelId: string): boolean {
  return (
    modelId.startsWith("arn:") ||
    GEO_PREFIXES.some((p) => modelId.startsWith(p)) ||
    REGION_PREFIX.test(modelId)
  );
}

/** Applies `modelIdPrefix` to a model id (see the README's "Model ids and prefixes"). */
export function prefixModelId(modelId: string, mode: ModelIdPrefix, region: string): string {
  if (mode === "none" || hasLocationPrefix(modelId)) return modelId;
  return mode === "region" ? `${region}.${modelId}` : `${geographyOf(region)}.${modelId}`;
}
