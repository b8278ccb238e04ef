import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { presignUrl, signRequest } from "../../src/auth/sigv4";
import type { AwsCredentials } from "../../src/auth/types";

// Differential test: the AWS SDK's own signer (@smithy/signature-v4 with node's SHA-256) and ours must produce
// the same Authorization (hence the same canonical request) for random Converse requests.

const REGIONS = ["us-east-1", "us-west-2", "eu-central-1", "ap-northeast-1", "us-gov-west-1", "cn-north-1"];
const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/);
const modelId = fc.oneof(
  fc.tuple(word, word, fc.nat(9), fc.nat(9)).map(([v, m, a, b]) => `${v}.${m}-v${a}:${b}`),
  fc
    .tuple(fc.constantFrom("us", "eu", "apac", "global"), word, word)
    .map(([g, v, m]) => `${g}.${v}.${m}-v1:0`),
  fc
    .tuple(fc.constantFrom(...REGIONS), word, word)
    .map(([r, v, m]) => `arn:aws:bedrock:${r}::foundation-model/${v}.${m}-v2:0`),
  fc
    .tuple(fc.constantFrom(...REGIONS), fc.stringMatching(/^\d{12}$/), word)
    .map(([r, acct, p]) => `arn:aws:bedrock:${r}:${acct}:application-inference-profile/${p}`),
);
const unicodeText = fc.string({ unit: "grapheme", maxLength: 40 });
const body = fc
  .record({
    messages: fc.array(
      fc.record({
        role: fc.constantFrom("user", "assistant"),
        content: fc.array(fc.record({ text: unicodeText }), { minLength: 1, maxLength: 3 }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    system: fc.option(fc.array(fc.record({ text: unicodeText }), { maxLength: 2 }), { nil: undefined }),
    inferenceConfig: fc.option(
      fc.record({
        maxTokens: fc.integer({ min: 1, max: 8192 }),
        temperature: fc.double({ min: 0, max: 1, noNaN: true }),
      }),
      { nil: undefined },
    ),
  })
  .map((b) => JSON.stringify(b));
// Printable values with inner runs of spaces and tabs (canonicalisation collapses them).
const headerValue = fc.stringMatching(/^[!-~]([!-~ \t]{0,30}[!-~])?$/);
const headers = fc.dictionary(
  fc.oneof(
    fc.stringMatching(/^x-[a-z0-9-]{1,16}$/),
    fc.constantFrom(
      "accept",
      "x-amz-user-agent",
      "amz-sdk-invocation-id",
      "amz-sdk-request",
      "x-amzn-bedrock-trace",
      "x-amzn-bedrock-guardrailidentifier",
      // never signed, by either signer
      "user-agent",
      "x-amzn-trace-id",
      "cache-control",
      "sec-fetch-mode",
      "proxy-authorization",
      "referer",
    ),
  ),
  headerValue,
  { maxKeys: 6 },
);
const query = fc.array(
  fc.tuple(
    fc.string({ unit: "grapheme", minLength: 1, maxLength: 8 }),
    fc.string({ unit: "grapheme", maxLength: 8 }),
  ),
  {
    maxLength: 3,
  },
);
const credentials: fc.Arbitrary<AwsCredentials> = fc.record(
  {
    accessKeyId: fc.stringMatching(/^A(KI|SI)A[A-Z2-7]{16}$/),
    secretAccessKey: fc.stringMatching(/^[A-Za-z0-9/+]{40}$/),
    sessionToken: fc.stringMatching(/^[A-Za-z0-9/+=]{16,300}$/),
  },
  { requiredKeys: ["accessKeyId", "secretAccessKey"] },
);
const date = fc.date({
  min: new Date("2000-01-01T00:00:00Z"),
  max: new Date("2099-12-31T23:59:59Z"),
  noInvalidDate: true,
});

const smithySigner = (c: AwsCredentials, region: string) =>
  new SignatureV4({ credentials: c, region, service: "bedrock", sha256: Hash.bind(null, "sha256") });

/** The SDK's HttpRequest query shape: decoded values, repeated keys as arrays. */
function smithyQuery(pairs: [string, string][]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [k, v] of pairs) {
    const prior = out[k];
    out[k] = prior === undefined ? v : Array.isArray(prior) ? [...prior, v] : [prior, v];
  }
  return out;
}

describe("differential: signRequest vs @smithy/signature-v4", () => {
  it("same Authorization and headers for 300 random Converse requests", async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          modelId,
          stream: fc.boolean(),
          region: fc.constantFrom(...REGIONS),
          body,
          headers,
          query,
          credentials,
          now: date,
        }),
        async (c) => {
          const host = `bedrock-runtime.${c.region}.amazonaws.com`;
          const path = `/model/${encodeURIComponent(c.modelId)}/${c.stream ? "converse-stream" : "converse"}`;
          const search = c.query
            .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
            .join("&");
          const allHeaders = { ...c.headers, "content-type": "application/json" };
          const request = new Request(`https://${host}${path}${search ? `?${search}` : ""}`, {
            method: "POST",
            headers: allHeaders,
            body: new TextEncoder().encode(c.body),
          });
          const ours = await signRequest(request, {
            credentials: c.credentials,
            region: c.region,
            now: c.now,
          });

          const theirs = await smithySigner(c.credentials, c.region).sign(
            new HttpRequest({
              method: "POST",
              protocol: "https:",
              hostname: host,
              path,
              query: smithyQuery(c.query),
              headers: { host, ...allHeaders },
              body: c.body,
            }),
            { signingDate: c.now },
          );
          const expected = theirs.headers as Record<string, string>;
          expect(ours.headers.get("authorization")).toBe(expected.authorization);
          for (const name of ["x-amz-date", "x-amz-content-sha256", "x-amz-security-token"]) {
            expect(ours.headers.get(name)).toBe(expected[name] ?? null);
          }
          expect(await ours.text()).toBe(c.body);
          runs++;
        },
      ),
      { numRuns: 300 },
    );
    expect(runs).toBe(300);
  });

  it("presignUrl matches the SDK's presign for 100 random requests", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          region: fc.constantFrom(...REGIONS),
          query,
          credentials,
          now: date,
          expiresIn: fc.integer({ min: 1, max: 604_800 }),
          method: fc.constantFrom("GET", "POST"),
        }),
        async (c) => {
          const host = `bedrock.${c.region}.amazonaws.com`;
          const search = c.query
            .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
            .join("&");
          const url = await presignUrl(`https://${host}/${search ? `?${search}` : ""}`, {
            credentials: c.credentials,
            region: c.region,
            now: c.now,
            expiresIn: c.expiresIn,
            method: c.method,
          });
          const theirs = await smithySigner(c.credentials, c.region).presign(
            new HttpRequest({
              method: c.method,
              protocol: "https:",
              hostname: host,
              path: "/",
              query: smithyQuery(c.query),
              headers: { host },
            }),
            { signingDate: c.now, expiresIn: c.expiresIn },
          );
          const params = new URL(url).searchParams;
          expect(params.get("X-Amz-Signature")).toBe(theirs.query!["X-Amz-Signature"]);
          expect(params.get("X-Amz-Security-Token")).toBe(theirs.query!["X-Amz-Security-Token"] ?? null);
        },
      ),
      { numRuns: 100 },
    );
  });
});
