// Which model identifiers Bedrock accepts in the path. Plain ids (`provider.model-name-v1:0`), geographic
// inference profiles (`us.` ...), and ARNs are valid; a full region in front (`us-east-1.anthropic...`) is not.

const GEO_PREFIXES = new Set(["us", "eu", "apac", "jp", "au", "ca", "us-gov", "global"]);
const SEGMENT = /^[a-z0-9-]{1,63}$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$/;
const ARN = /^arn:aws(-[a-z-]+)?:bedrock:[a-z0-9-]{1,20}:(\d{12})?:[a-z-]+\/[A-Za-z0-9._:/-]+$/;
// The model part: `provider.name`, optionally `:version` or more `.`-separated parts (`v1:0`, `v2:0:200k`).
const MODEL = /^[a-z0-9-]{1,63}\.[a-z0-9-]{1,63}([.:][a-z0-9-]{1,63})*$/;

export function isValidModelId(modelId: string): boolean {
  if (modelId.length === 0 || modelId.length > 2048) return false;
  if (modelId.startsWith("arn:")) return ARN.test(modelId);
  const first = modelId.split(".", 1)[0];
  if (REGION.test(first) || !SEGMENT.test(first)) return false;
  const rest = GEO_PREFIXES.has(first) ? modelId.slice(first.length + 1) : modelId;
  return MODEL.test(rest);
}
