import { cachedCredentials } from "../auth/credentials.ts";
import { clockSkewFrom, signRequest } from "../auth/sigv4.ts";
import type { AwsCredentials } from "../auth/types.ts";
import type { NormalizedOptions } from "./options.ts";

/** The most of a 403 body read to look for a clock-skew message (AWS's is ~200 bytes); the rest is dropped. */
const MAX_403_BYTES = 65_536;

/** A body's text, up to `limit` bytes: the rest is cancelled, never buffered (an endless body cannot hold the proxy). */
async function firstBytes(response: Response, limit: number): Promise<string> {
  const reader = response.body?.getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    for (let size = 0; reader && size < limit; ) {
      const { done, value } = await reader.read();
      if (done) break;
      const part = value.subarray(0, limit - size);
      size += part.byteLength;
      text += decoder.decode(part, { stream: true });
    }
  } catch {
    // unreadable: what arrived is all there is
  } finally {
    reader?.cancel().catch(() => {});
  }
  return text + decoder.decode();
}

/** Why an upstream call produced no response: the credentials provider failed, or the fetch did. */
export class UpstreamFailure extends Error {
  constructor(
    readonly stage: "credentials" | "fetch",
    override readonly cause: unknown,
  ) {
    super(stage);
    this.name = "UpstreamFailure";
  }
}

export interface UpstreamCall {
  url: URL;
  region: string;
  headers: Headers;
  body: Uint8Array<ArrayBuffer>;
  signal: AbortSignal;
}

/**
 * Sends a call upstream with the proxy's own auth: SigV4 with `credentials`, or `upstreamKey` as a bearer key.
 * When AWS blames the clock (a 403 about an expired or not yet current signature), the signing clock adopts
 * the server's time and the call is signed and sent once more.
 */
export function createUpstream(
  options: NormalizedOptions,
  /** Told each set of AWS credentials used, so that the logs can be scrubbed of them. */
  onCredentials: (credentials: AwsCredentials) => void = () => {},
): (call: UpstreamCall) => Promise<Response> {
  const { credentials, upstreamKey, fetch } = options;
  const credentialsFor =
    typeof credentials === "function"
      ? cachedCredentials(credentials)
      : async () => credentials as AwsCredentials;
  let clockOffset = 0;

  const send = async (request: Request) => {
    try {
      return await fetch(request);
    } catch (error) {
      throw new UpstreamFailure("fetch", error);
    }
  };
  // A redirect is never followed: it would carry the signed headers (the session token) and the prompt to
  // another origin. It comes back as a 3xx and the proxy refuses it.
  const build = (call: UpstreamCall) =>
    new Request(call.url, {
      method: "POST",
      headers: call.headers,
      body: call.body,
      signal: call.signal,
      redirect: "manual",
    });

  return async (call) => {
    if (upstreamKey !== undefined) {
      call.headers.set("authorization", `Bearer ${upstreamKey}`);
      return send(build(call));
    }
    let resolved: AwsCredentials;
    try {
      resolved = await credentialsFor();
    } catch (error) {
      throw new UpstreamFailure("credentials", error);
    }
    onCredentials(resolved);
    const signed = () =>
      signRequest(build(call), {
        credentials: resolved,
        region: call.region,
        now: new Date(Date.now() + clockOffset),
      });
    const response = await send(await signed());
    if (response.status !== 403) return response;
    const text = await firstBytes(response, MAX_403_BYTES);
    const skew = clockSkewFrom(response, text, Date.now() + clockOffset);
    if (skew !== undefined && Math.abs(skew) >= 1000) {
      clockOffset += skew;
      return send(await signed());
    }
    return new Response(text, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}
