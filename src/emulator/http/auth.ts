import { EmulatorError } from "./errors.ts";

export interface AuthPolicy {
  /** Accepted bearer tokens (Bedrock API keys). Unset: any bearer token is accepted. */
  apiKeys?: readonly string[];
  /** Accepted SigV4 access key ids. Unset: any SigV4-looking Authorization is accepted. */
  accessKeyIds?: readonly string[];
}

const SIGV4 =
  /^AWS4-HMAC-SHA256 Credential=([A-Za-z0-9]+)\/\d{8}\/[a-z0-9-]+\/[a-z0-9-]+\/aws4_request, ?SignedHeaders=[a-z0-9;:._-]+, ?Signature=[0-9a-f]{64}$/;

/**
 * Throws AccessDeniedException unless the Authorization header is acceptable. Signatures are not
 * verified (the emulator knows no secrets); tokens are compared in constant time and never echoed.
 */
export async function checkAuthorization(header: string | null, policy: AuthPolicy): Promise<void> {
  if (header === null || header.trim() === "") {
    throw new EmulatorError(
      "AccessDeniedException",
      "Missing Authorization header: send a bearer token (Bedrock API key) or an AWS SigV4 signature.",
    );
  }
  const bearer = /^Bearer +(\S+)$/i.exec(header);
  if (bearer) {
    if (policy.apiKeys && !(await isOneOf(bearer[1], policy.apiKeys))) {
      throw new EmulatorError(
        "AccessDeniedException",
        "The bearer token (API key) is not valid for this emulator.",
      );
    }
    return;
  }
  const sigv4 = SIGV4.exec(header);
  if (sigv4) {
    if (policy.accessKeyIds && !(await isOneOf(sigv4[1], policy.accessKeyIds))) {
      throw new EmulatorError(
        "AccessDeniedException",
        "The security token included in the request is invalid.",
      );
    }
    return;
  }
  throw new EmulatorError(
    "AccessDeniedException",
    "Authorization header is neither 'Bearer <token>' nor an AWS4-HMAC-SHA256 signature.",
  );
}

// Comparing SHA-256 digests keeps time independent of where the strings differ and of their lengths.
async function isOneOf(candidate: string, accepted: readonly string[]): Promise<boolean> {
  const digest = await sha256(candidate);
  let found = false;
  for (const key of accepted) {
    if (equalBytes(digest, await sha256(key))) found = true;
  }
  return found;
}

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i % b.length];
  return diff === 0;
}
