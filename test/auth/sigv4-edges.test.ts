// SigV4's edge cases, each written against a survivor of `npm run test:mutation -- src/auth/sigv4.ts`: the
// canonical forms AWS's SigV4 documentation specifies, input checks, and the boundaries of presign and clock skew.
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  canonicalRequest,
  clockSkewFrom,
  createSigV4Authorizer,
  presignUrl,
  signHeaders,
  signingKey,
  signRequest,
  uriEncode,
} from "../../src/auth/sigv4";
import type { AwsCredentials } from "../../src/auth/types";

const SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const creds: AwsCredentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: SECRET };
const NOW = new Date("2025-01-01T00:00:00Z");
const URL_ = "https://bedrock-runtime.us-east-1.amazonaws.com/model/m/converse";

/** The canonical request's path and query lines for a request with no headers. */
function canonical(path: string, query = "", normalizePath = true) {
  const lines = canonicalRequest(
    { method: "get", path, query, headers: [], payloadHash: "-" },
    normalizePath,
  ).text.split("\n");
  return { method: lines[0], path: lines[1], query: lines[2] };
}

const signedHeadersOf = (request: Request) =>
  /SignedHeaders=([^,]+)/.exec(request.headers.get("authorization") ?? "")?.[1];

describe("canonical request", () => {
  it("encodes the reserved characters encodeURIComponent leaves, in upper-case hex", () => {
    expect(uriEncode("a*b!c'd(e)f")).toBe("a%2Ab%21c%27d%28e%29f");
    expect(canonical("/model/a*b/converse").path).toBe("/model/a%2Ab/converse");
  });

  it("normalises the path but keeps a trailing slash; an empty path is /", () => {
    expect(canonical("/a/./b/../c/").path).toBe("/a/c/");
    expect(canonical("/a/b/").path).toBe("/a/b/");
    expect(canonical("/a/b").path).toBe("/a/b");
    expect(canonical("", "", false).path).toBe("/");
    expect(canonical("/..").path).toBe("/");
  });

  it("gives a parameter without a value an empty one, keeps an empty name, sorts by name then value", () => {
    expect(canonical("/", "b&a=1").query).toBe("a=1&b=");
    expect(canonical("/", "=x&a").query).toBe("=x&a=");
    expect(canonical("/", "a=3&a=1&a=2&A=0").query).toBe("A=0&a=1&a=2&a=3");
    expect(canonical("/", "k=v%3D1&k2=%zz").query).toBe("k=v%3D1&k2=%25zz");
  });

  it("upper-cases the method", () => expect(canonical("/").method).toBe("GET"));
});

describe("the signing key cache", () => {
  /** The signing key as the SigV4 documentation derives it, with node:crypto (independent of Web Crypto). */
  const derived = (secret: string, date: string, region: string, service: string) =>
    [date, region, service, "aws4_request"].reduce<Buffer | string>(
      (key, part) => createHmac("sha256", key).update(part).digest(),
      `AWS4${secret}`,
    ) as Buffer;
  const signWith = async (key: Promise<CryptoKey>) =>
    Buffer.from(await crypto.subtle.sign("HMAC", await key, new TextEncoder().encode("x"))).toString("hex");

  it("never mixes up two scopes whose parts run together the same (us-east-1 + bedrock, us-east-1b + edrock)", async () => {
    const a = signingKey(SECRET, "20250101", "us-east-1", "bedrock");
    const b = signingKey(SECRET, "20250101", "us-east-1b", "edrock");
    expect(await signWith(a)).toBe(
      createHmac("sha256", derived(SECRET, "20250101", "us-east-1", "bedrock"))
        .update("x")
        .digest("hex"),
    );
    expect(await signWith(b)).toBe(
      createHmac("sha256", derived(SECRET, "20250101", "us-east-1b", "edrock"))
        .update("x")
        .digest("hex"),
    );
  });
});

describe("the signing key cache's bound", () => {
  it("holds the 32 most recent keys: the oldest is derived again after 32 newer ones", () => {
    const key = (region: string) => signingKey(SECRET, "20250102", region, "bedrock");
    const first = key("r0");
    for (let i = 1; i < 32; i++) key(`r${i}`);
    expect(key("r0")).toBe(first);
    key("r32");
    expect(key("r0")).not.toBe(first);
  });
});

describe("input checks name the function and the field", () => {
  const failure = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(TypeError);
    return error!.message;
  };
  const sign = (credentials: unknown) =>
    signRequest(new Request(URL_, { method: "POST", body: "{}" }), {
      credentials: credentials as AwsCredentials,
      region: "us-east-1",
      now: NOW,
    });

  it("credentials that are not an object, or keys that are not non-empty strings", async () => {
    expect(await failure(sign(null))).toBe("signRequest: credentials are missing");
    expect(await failure(sign("AKIDEXAMPLE"))).toBe("signRequest: credentials are missing");
    expect(await failure(sign({ accessKeyId: 12345, secretAccessKey: SECRET }))).toBe(
      "signRequest: credentials.accessKeyId must be a non-empty string",
    );
    expect(await failure(sign({ accessKeyId: "AKID", secretAccessKey: 12345 }))).toBe(
      "signRequest: credentials.secretAccessKey must be a non-empty string",
    );
  });

  it("signHeaders, presignUrl, createSigV4Authorizer and setClockOffset say who refused", async () => {
    const parts = { method: "POST", path: "/", headers: [], payloadHash: "-" };
    const ctx = { credentials: creds, region: "us-east-1", service: "bedrock", now: new Date(Number.NaN) };
    expect(await failure(signHeaders(parts, ctx))).toBe("SigV4: now must be a valid Date");
    expect(
      await failure(
        presignUrl(URL_, { credentials: null as unknown as AwsCredentials, region: "us-east-1" }),
      ),
    ).toBe("SigV4 presign: credentials are missing");
    expect(() => createSigV4Authorizer({ credentials: creds, region: "" })).toThrow(
      'SigV4: region must be a non-empty name like "us-east-1"',
    );
    const authorize = createSigV4Authorizer({ credentials: creds, region: "us-east-1" });
    expect(() => authorize.setClockOffset(Number.NaN)).toThrow("setClockOffset: ms must be a finite number");
  });
});

describe("presignUrl", () => {
  const presign = (options: { expiresIn?: number; method?: string }) =>
    presignUrl(URL_, { credentials: creds, region: "us-east-1", now: NOW, ...options });

  it("accepts expiries from 1 second to 7 days (604800 s) and nothing else", async () => {
    for (const expiresIn of [1, 604_800])
      expect(new URL(await presign({ expiresIn })).searchParams.get("X-Amz-Expires")).toBe(String(expiresIn));
    for (const expiresIn of [0, 604_801, 1.5]) {
      await expect(presign({ expiresIn })).rejects.toThrow(
        new RangeError("SigV4 presign: expiresIn must be a whole number of seconds from 1 to 604800"),
      );
    }
  });

  it("signs for GET unless told otherwise", async () => {
    const signature = async (method?: string) =>
      new URL(await presign({ method })).searchParams.get("X-Amz-Signature");
    expect(await signature()).toBe(await signature("GET"));
    expect(await signature()).not.toBe(await signature("POST"));
  });
});

describe("signRequest's headers", () => {
  it("drops a stale session token and date when the new credentials have none", async () => {
    const request = new Request(URL_, {
      method: "POST",
      headers: { date: "Wed, 01 Jan 1999 00:00:00 GMT", "x-amz-security-token": "old-token" },
      body: "{}",
    });
    const signed = await signRequest(request, { credentials: creds, region: "us-east-1", now: NOW });
    expect(signed.headers.get("x-amz-security-token")).toBeNull();
    expect(signed.headers.get("date")).toBeNull();
    expect(signedHeadersOf(signed)).toBe("content-type;host;x-amz-content-sha256;x-amz-date");
  });

  it("signs the host once (the request's own host header when it has one), never the unsignable headers", async () => {
    const request = new Request(URL_, {
      method: "POST",
      headers: {
        host: "bedrock-runtime.us-east-1.amazonaws.com",
        "user-agent": "app/1",
        "x-amzn-trace-id": "Root=1",
        "cache-control": "no-cache",
        "content-type": "application/json",
      },
      body: "{}",
    });
    const signed = await signRequest(request, { credentials: creds, region: "us-east-1", now: NOW });
    expect(signedHeadersOf(signed)).toBe("content-type;host;x-amz-content-sha256;x-amz-date");
    // Signing it again from a Request without the host header gives the same signature: host was signed once.
    const plain = await signRequest(
      new Request(URL_, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }),
      { credentials: creds, region: "us-east-1", now: NOW },
    );
    expect(signed.headers.get("authorization")).toBe(plain.headers.get("authorization"));
  });
});

describe("clock skew boundaries", () => {
  const MIN = 60_000;
  const at = (ms: number) => new Date(ms).toUTCString();
  const t = NOW.getTime();
  const invalidSig = (skew: number) =>
    new Response(null, {
      status: 403,
      headers: { "x-amzn-errortype": "InvalidSignatureException", date: at(t + skew) },
    });

  it("a header-only InvalidSignatureException blames the clock from exactly 4 minutes off", () => {
    expect(clockSkewFrom(invalidSig(4 * MIN), undefined, t)).toBe(4 * MIN);
    expect(clockSkewFrom(invalidSig(-4 * MIN), undefined, t)).toBe(-4 * MIN);
    expect(clockSkewFrom(invalidSig(4 * MIN - 1000), undefined, t)).toBeUndefined();
  });

  it("the authorizer adopts a skew of one second or more, not less", () => {
    const skewed = (ms: number) =>
      new Response(null, {
        status: 403,
        headers: { "x-amzn-errortype": "RequestTimeTooSkewed", date: at(t + ms) },
      });
    const authorize = createSigV4Authorizer({ credentials: creds, region: "us-east-1", clock: () => t });
    expect(authorize.correctClock(skewed(999), "")).toBe(false);
    expect(authorize.getClockOffset()).toBe(0);
    expect(authorize.correctClock(skewed(1000), "")).toBe(true);
    expect(authorize.getClockOffset()).toBe(1000);
  });
});
