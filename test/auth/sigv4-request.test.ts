import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSigV4Authorizer, presignUrl, signingKey, signRequest } from "../../src/auth/sigv4";
import type { AwsCredentials } from "../../src/auth/types";
import { EXAMPLE, sha256 } from "./helpers";
import { type AwsLikeServer, startAwsLikeServer } from "./server";

const SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const creds: AwsCredentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: SECRET };
const withToken: AwsCredentials = {
  ...creds,
  sessionToken: "IQoJb3JpZ2luX2VjEPT//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+token==",
};
let server: AwsLikeServer;

beforeAll(async () => {
  server = await startAwsLikeServer(SECRET);
});
afterAll(() => server.close());

const converse = (modelId: string, body: BodyInit | null, init: RequestInit = {}) =>
  new Request(`${server.url}/model/${encodeURIComponent(modelId)}/converse`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body,
    ...init,
  });

describe("signRequest against a loopback server that verifies SigV4 like AWS", () => {
  const body = JSON.stringify({
    messages: [{ role: "user", content: [{ text: 'Grüße 👋🏽 — 你好 \u2028 "q"' }] }],
  });

  for (const [label, modelId, credentials] of [
    ["model id with ':'", "anthropic.claude-3-haiku-20240307-v1:0", creds],
    [
      "ARN with '/' and ':'",
      "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-sonnet-20241022-v2:0",
      creds,
    ],
    ["session token", "us.amazon.nova-pro-v1:0", withToken],
  ] as const) {
    it(`accepted: ${label}`, async () => {
      const signed = await signRequest(converse(modelId, body), { credentials, region: "us-east-1" });
      const response = await fetch(signed);
      const seen = server.received.at(-1)!;
      expect(await response.json(), `server answered ${response.status}`).toEqual({
        ok: true,
        bytes: new TextEncoder().encode(body).length,
      });
      expect(new TextDecoder().decode(seen.body)).toBe(body);
      expect(seen.target).toBe(`/model/${encodeURIComponent(modelId)}/converse`);
      expect(seen.headers["x-amz-security-token"]).toBe(credentials.sessionToken);
      expect(String(seen.headers.authorization)).toContain("/us-east-1/bedrock/aws4_request");
      expect(String(seen.headers.authorization).includes(";x-amz-security-token")).toBe(
        !!credentials.sessionToken,
      );
    });
  }

  it("accepted: query string, extra headers, binary body of every byte value", async () => {
    const bytes = Uint8Array.from({ length: 512 }, (_, i) => i % 256);
    const request = new Request(`${server.url}/model/x.y-v1%3A0/converse?b=2&a=%E2%9C%93&a=1&empty=`, {
      method: "POST",
      headers: { "x-custom": "  spaced    out  value ", "user-agent": "test-agent/1" },
      body: bytes,
    });
    const signed = await signRequest(request, { credentials: withToken, region: "eu-central-1" });
    expect((await fetch(signed)).status).toBe(200);
    expect(server.received.at(-1)!.body).toEqual(bytes);
    expect(signed.headers.get("authorization")).toContain(
      "SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-custom,",
    );
  });

  it("accepted: a streamed body (ReadableStream) is read once, hashed, and still sent", async () => {
    const parts = ['{"messages":', "[]}"];
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (const p of parts) c.enqueue(new TextEncoder().encode(p));
        c.close();
      },
    });
    const request = new Request(`${server.url}/model/m/converse`, {
      method: "POST",
      body: stream,
      duplex: "half",
    } as RequestInit);
    const signed = await signRequest(request, { credentials: creds, region: "us-west-2" });
    expect((await fetch(signed)).status).toBe(200);
    expect(new TextDecoder().decode(server.received.at(-1)!.body)).toBe(parts.join(""));
    expect(request.bodyUsed).toBe(true);
  });

  it("accepted: GET and POST without a body sign the empty-body hash", async () => {
    for (const method of ["GET", "POST"]) {
      const signed = await signRequest(new Request(`${server.url}/foundation-models`, { method }), {
        credentials: creds,
        region: "us-east-1",
      });
      expect(signed.headers.get("x-amz-content-sha256")).toBe(sha256(""));
      expect((await fetch(signed)).status).toBe(200);
    }
  });

  it("rejected by the server when the body changes after signing (the check can fail)", async () => {
    const signed = await signRequest(converse("a.b-v1:0", body), { credentials: creds, region: "us-east-1" });
    const tampered = new Request(signed, { body: body.replace("Grüße", "Hallo") });
    const response = await fetch(tampered);
    expect(response.status).toBe(403);
    expect((await response.json()).message).toContain("does not match");
  });

  it("rejected by the server when signed with another secret", async () => {
    const signed = await signRequest(converse("a.b-v1:0", body), {
      credentials: { ...creds, secretAccessKey: `${SECRET}x` },
      region: "us-east-1",
    });
    expect((await fetch(signed)).status).toBe(403);
  });
});

describe("signRequest returns a new, complete Request", () => {
  const url = "https://bedrock-runtime.us-east-1.amazonaws.com/model/m%3A0/converse-stream";

  it("keeps method, URL, body bytes, other headers and the abort signal", async () => {
    const controller = new AbortController();
    const original = new Request(url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-amzn-bedrock-trace": "ENABLED" },
      body: '{"a":1}',
      signal: controller.signal,
    });
    const signed = await signRequest(original, {
      credentials: withToken,
      region: "us-east-1",
      now: new Date("2024-02-29T23:59:59Z"),
    });
    expect(signed).not.toBe(original);
    expect(signed.method).toBe("POST");
    expect(signed.url).toBe(url);
    expect(signed.headers.get("content-type")).toBe("application/json");
    expect(signed.headers.get("x-amzn-bedrock-trace")).toBe("ENABLED");
    expect(signed.headers.get("x-amz-date")).toBe("20240229T235959Z");
    expect(signed.headers.get("x-amz-security-token")).toBe(withToken.sessionToken);
    expect(signed.headers.get("x-amz-content-sha256")).toBe(sha256('{"a":1}'));
    expect(signed.headers.get("authorization")).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20240229\/us-east-1\/bedrock\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-amzn-bedrock-trace, Signature=[0-9a-f]{64}$/,
    );
    expect(signed.signal.aborted).toBe(false);
    controller.abort();
    expect(signed.signal.aborted).toBe(true);
    expect(await signed.text()).toBe('{"a":1}');
  });

  it("replaces stale auth headers and honours a caller's x-amz-content-sha256", async () => {
    const request = new Request(url, {
      method: "POST",
      headers: {
        authorization: "Bearer old",
        "x-amz-date": "19990101T000000Z",
        "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
      },
      body: "x",
    });
    const signed = await signRequest(request, {
      credentials: creds,
      region: "us-east-1",
      now: new Date("2025-01-01T00:00:00Z"),
    });
    expect(signed.headers.get("authorization")).toMatch(/^AWS4-HMAC-SHA256 /);
    expect(signed.headers.get("x-amz-date")).toBe("20250101T000000Z");
    expect(signed.headers.get("x-amz-content-sha256")).toBe("UNSIGNED-PAYLOAD");
    expect(signed.headers.get("x-amz-security-token")).toBeNull();
  });

  it("is deterministic for a fixed clock and changes with region, service, date and body", async () => {
    const sign = async (o: { region?: string; service?: string; now?: string; body?: string }) =>
      (
        await signRequest(new Request(url, { method: "POST", body: o.body ?? "{}" }), {
          credentials: creds,
          region: o.region ?? "us-east-1",
          service: o.service,
          now: new Date(o.now ?? "2025-01-01T00:00:00Z"),
        })
      ).headers.get("authorization");
    const base = await sign({});
    expect(await sign({})).toBe(base);
    expect(await sign({ service: "bedrock" })).toBe(base);
    const variants = await Promise.all([
      sign({ region: "us-west-2" }),
      sign({ service: "bedrock-runtime" }),
      sign({ now: "2025-01-01T00:00:01Z" }),
      sign({ body: "{ }" }),
    ]);
    expect(new Set([base, ...variants]).size).toBe(5);
  });

  it("refuses a request whose body was already read", async () => {
    const request = new Request(url, { method: "POST", body: "x" });
    await request.text();
    await expect(signRequest(request, { credentials: creds, region: "us-east-1" })).rejects.toThrow(
      /signRequest: the request body was already read/,
    );
  });

  it("rejects bad inputs with a TypeError that names the field and never shows the secret", async () => {
    const cases: [Partial<AwsCredentials> | undefined, string, Date | undefined, RegExp][] = [
      [
        { secretAccessKey: SECRET },
        "us-east-1",
        undefined,
        /credentials.accessKeyId must be a non-empty string/,
      ],
      [
        { accessKeyId: "AKID", secretAccessKey: "" },
        "us-east-1",
        undefined,
        /credentials.secretAccessKey must be/,
      ],
      [
        { ...creds, sessionToken: 42 as unknown as string },
        "us-east-1",
        undefined,
        /sessionToken must be a string/,
      ],
      [undefined, "us-east-1", undefined, /credentials are missing/],
      [{ ...creds, sessionToken: "tok\nen" }, "us-east-1", undefined, /sessionToken hold spaces, control/],
      [creds, "", undefined, /region must be a non-empty name/],
      [creds, "us east 1", undefined, /region must be/],
      [creds, "us-east-1", new Date("nope"), /now must be a valid Date/],
    ];
    for (const [credentials, region, now, message] of cases) {
      const error = await signRequest(new Request(url, { method: "POST", body: "x" }), {
        credentials: credentials as AwsCredentials,
        region,
        now,
      }).catch((e: unknown) => e as Error);
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain(SECRET);
      if (typeof credentials?.sessionToken === "string")
        expect((error as Error).message).not.toContain(credentials.sessionToken);
    }
  });
});

describe("signing key cache", () => {
  it("reuses the derived key per day/region/service/secret, and stays bounded", async () => {
    const a = signingKey(SECRET, "20250101", "us-east-1", "bedrock");
    expect(signingKey(SECRET, "20250101", "us-east-1", "bedrock")).toBe(a);
    expect(signingKey(SECRET, "20250102", "us-east-1", "bedrock")).not.toBe(a);
    expect(signingKey(`${SECRET}2`, "20250101", "us-east-1", "bedrock")).not.toBe(a);
    expect(await a).toBeInstanceOf(CryptoKey);
    for (let i = 0; i < 64; i++) signingKey(`other-${i}`, "20250101", "us-east-1", "bedrock");
    // Pushed out by newer entries: derived again (a new promise, the same signatures).
    expect(signingKey(SECRET, "20250101", "us-east-1", "bedrock")).not.toBe(a);
  });
});

describe("createSigV4Authorizer", () => {
  it("signs with static credentials and checks them up front", async () => {
    expect(() =>
      createSigV4Authorizer({ credentials: { accessKeyId: "", secretAccessKey: "s" }, region: "us-east-1" }),
    ).toThrow(/accessKeyId/);
    const authorize = createSigV4Authorizer({ credentials: creds, region: "us-east-1" });
    const response = await fetch(
      await authorize(new Request(`${server.url}/model/a%3Ab/converse`, { method: "POST", body: "{}" })),
    );
    expect(response.status).toBe(200);
  });

  it("calls a provider for every request (wrap it in cachedCredentials to cache)", async () => {
    let calls = 0;
    const authorize = createSigV4Authorizer({
      credentials: async () => {
        calls++;
        return { ...withToken, sessionToken: `token-${calls}` };
      },
      region: "us-east-1",
    });
    for (let i = 1; i <= 3; i++) {
      const signed = await authorize(new Request(`${server.url}/x`, { method: "POST", body: "{}" }));
      expect(signed.headers.get("x-amz-security-token")).toBe(`token-${i}`);
      expect((await fetch(signed)).status).toBe(200);
    }
  });
});

describe("presignUrl", () => {
  it("adds the X-Amz-* parameters, keeps existing ones, rejects a bad expiry", async () => {
    const url = await presignUrl("https://bedrock.amazonaws.com/?Action=CallWithBearerToken", {
      credentials: withToken,
      region: "us-west-2",
      now: new Date("2025-06-01T12:00:00Z"),
      expiresIn: 900,
    });
    const params = new URL(url).searchParams;
    expect(params.get("Action")).toBe("CallWithBearerToken");
    expect(params.get("X-Amz-Algorithm")).toBe("AWS4-HMAC-SHA256");
    expect(params.get("X-Amz-Credential")).toBe("AKIDEXAMPLE/20250601/us-west-2/bedrock/aws4_request");
    expect(params.get("X-Amz-Date")).toBe("20250601T120000Z");
    expect(params.get("X-Amz-Expires")).toBe("900");
    expect(params.get("X-Amz-SignedHeaders")).toBe("host");
    expect(params.get("X-Amz-Security-Token")).toBe(withToken.sessionToken);
    expect(params.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
    for (const expiresIn of [0, 604_801, 1.5]) {
      await expect(
        presignUrl("https://x.amazonaws.com/", { credentials: EXAMPLE, region: "us-east-1", expiresIn }),
      ).rejects.toThrow(RangeError);
    }
  });
});
