import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { presignQuery, presignUrl, signHeaders, signRequest } from "../../src/auth/sigv4";
import type { AwsCredentials } from "../../src/auth/types";
import {
  EXAMPLE,
  FIXTURES,
  header,
  nodeSignature,
  parseRawRequest,
  type RawRequest,
  read,
  sha256,
} from "./helpers";

// The AWS SigV4 test suite (botocore and aws-c-auth copies) and Bedrock vectors generated with botocore.
// Every case runs through the low-level signHeaders / presignQuery, which take the raw path, query and header
// list, so requests a fetch Request cannot express (folded or duplicate headers, spaces or dot segments in
// the path) are covered too. Cases that a real fetch Request/URL can express also run through signRequest /
// presignUrl.

const NOW = new Date("2015-08-30T12:36:00Z");
const text = (...p: string[]) => read(...p).replace(/\n$/, "");
const counts = { botocore: 0, awsCHeader: 0, awsCQuery: 0, viaPresignUrl: 0, viaSignRequest: 0, bedrock: 0 };
const notViaUrl: string[] = [];

afterAll(() => {
  console.log(
    `SigV4 suite: botocore ${counts.botocore} cases, aws-c-auth ${counts.awsCHeader} header + ${counts.awsCQuery} query cases ` +
      `(all through the low-level functions; excluded: none), of which ${counts.viaPresignUrl} also through presignUrl and ` +
      `${counts.viaSignRequest} through signRequest; Bedrock vectors ${counts.bedrock}. ` +
      `Not expressible as a fetch URL/Request: ${notViaUrl.length} (${notViaUrl.join(", ")})`,
  );
});

function botocoreCases(): { name: string; dir: string }[] {
  const out: { name: string; dir: string }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(FIXTURES, dir), { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const sub = join(dir, entry.name);
      if (existsSync(join(FIXTURES, sub, `${entry.name}.req`))) out.push({ name: entry.name, dir: sub });
      else walk(sub);
    }
  };
  walk("botocore");
  return out.sort((a, b) => a.dir.localeCompare(b.dir));
}

describe("botocore aws4_testsuite (header signing)", () => {
  const cases = botocoreCases();
  it("has the full suite", () => expect(cases.length).toBe(34));

  for (const { name, dir } of cases) {
    it(dir.replace("botocore/", ""), async () => {
      const file = (ext: string) => text(dir, `${name}.${ext}`);
      const raw = parseRawRequest(file("req"));
      const signed = parseRawRequest(file("sreq"));
      const creq = file("creq");
      const signsToken = creq.split("\n").at(-2)!.split(";").includes("x-amz-security-token");
      const token = header(signed, "X-Amz-Security-Token");
      // The .req already carries X-Amz-Date (and sometimes the token); the signer adds those itself.
      expect(header(raw, "X-Amz-Date")).toBe("20150830T123600Z");
      const headers = raw.headers.filter(([n]) => !/^x-amz-(date|security-token)$/i.test(n));
      // post-sts-header-after: the token is added after signing, so it is not given to the signer.
      const credentials: AwsCredentials = signsToken ? { ...EXAMPLE, sessionToken: token } : EXAMPLE;
      const result = await signHeaders(
        { method: raw.method, path: raw.path, query: raw.query, headers, payloadHash: sha256(raw.body) },
        { credentials, region: "us-east-1", service: "service", now: NOW },
      );
      expect(result.canonicalRequest).toBe(creq);
      expect(result.stringToSign).toBe(file("sts"));
      const authorization = Object.fromEntries(result.headers).authorization;
      expect(authorization).toBe(file("authz"));
      // Upstream slip: this one .sreq carries a made-up signature (its .authz, checked above, is right).
      if (name !== "get-vanilla-with-session-token")
        expect(header(signed, "Authorization")).toBe(authorization);
      counts.botocore++;
    });
  }
});

interface CContext {
  credentials: { access_key_id: string; secret_access_key: string; token?: string };
  expiration_in_seconds: number;
  normalize: boolean;
  region: string;
  service: string;
  sign_body: boolean;
  timestamp: string;
  omit_session_token?: boolean;
}

const BASE = "https://example.amazonaws.com";
const targetOf = (raw: RawRequest) => `${raw.path}${raw.query ? `?${raw.query}` : ""}`;

/**
 * True when a fetch URL/Request signs the same thing: the URL keeps the path (or, with normalisation on, only
 * resolves dot segments the signer would drop anyway), the query means the same, headers are single-line and
 * unique. Paths with spaces or raw UTF-8 get percent-encoded by the URL and then encoded again by the
 * Bedrock-style double encoding, so the suite's single-encoded answer does not apply to them.
 */
function expressibleAsFetch(raw: RawRequest, ctx: CContext): boolean {
  const url = new URL(`${BASE}${targetOf(raw)}`);
  const names = raw.headers.map(([n]) => n.toLowerCase());
  const plainPath = /^[\x21-\x7e]*$/.test(raw.path) && !raw.path.includes("%");
  return (
    (url.pathname === raw.path || (ctx.normalize && plainPath)) &&
    decodeURIComponent(url.search.slice(1)) === decodeURIComponent(raw.query) &&
    new Set(names).size === names.length &&
    raw.headers.every(([, v]) => !v.includes("\n"))
  );
}

describe("aws-c-auth signing test suite v4", () => {
  const root = join(FIXTURES, "aws-c-auth");
  const cases = readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  it("has the full suite", () => expect(cases.length).toBe(38));

  for (const name of cases) {
    const file = (f: string) => text("aws-c-auth", name, f);
    const load = () => {
      const ctx = JSON.parse(file("context.json")) as CContext;
      const raw = parseRawRequest(file("request.txt"));
      const c = ctx.credentials;
      const credentials: AwsCredentials = {
        accessKeyId: c.access_key_id,
        secretAccessKey: c.secret_access_key,
        ...(c.token && !ctx.omit_session_token ? { sessionToken: c.token } : {}),
      };
      const signing = {
        credentials,
        region: ctx.region,
        service: ctx.service,
        now: new Date(ctx.timestamp),
        normalizePath: ctx.normalize,
      };
      const headers = raw.headers.filter(([n]) => n.toLowerCase() !== "x-amz-date");
      const parts = {
        method: raw.method,
        path: raw.path,
        query: raw.query,
        headers,
        payloadHash: sha256(raw.body),
      };
      return { ctx, raw, credentials, signing, parts };
    };

    it(`${name} (header)`, async () => {
      const { ctx, raw, credentials, signing, parts } = load();
      const headers = ctx.sign_body
        ? [...parts.headers, ["x-amz-content-sha256", parts.payloadHash] as const]
        : parts.headers;
      const result = await signHeaders({ ...parts, headers }, signing);
      expect(result.canonicalRequest).toBe(file("header-canonical-request.txt"));
      expect(result.stringToSign).toBe(file("header-string-to-sign.txt"));
      expect(result.signature).toBe(file("header-signature.txt"));
      const expected = parseRawRequest(file("header-signed-request.txt"));
      expect(Object.fromEntries(result.headers).authorization).toBe(header(expected, "Authorization"));
      counts.awsCHeader++;

      // signRequest always signs x-amz-content-sha256, so it reproduces the sign_body cases.
      if (ctx.sign_body && expressibleAsFetch(raw, ctx)) {
        const request = new Request(`${BASE}${targetOf(raw)}`, {
          method: raw.method,
          headers: raw.headers.filter(([n]) => n.toLowerCase() !== "host"),
          body: raw.body,
        });
        const out = await signRequest(request, {
          credentials,
          region: ctx.region,
          service: ctx.service,
          now: signing.now,
        });
        expect(out.headers.get("authorization")).toBe(header(expected, "Authorization"));
        expect(await out.text()).toBe(raw.body);
        counts.viaSignRequest++;
      }
    });

    it(`${name} (query presign)`, async () => {
      const { ctx, raw, credentials, signing, parts } = load();
      const result = await presignQuery(parts, { ...signing, expiresIn: ctx.expiration_in_seconds });
      expect(result.canonicalRequest).toBe(file("query-canonical-request.txt"));
      expect(result.stringToSign).toBe(file("query-string-to-sign.txt"));
      expect(result.signature).toBe(file("query-signature.txt"));
      // Same parameters as the signed request (order on the wire does not matter), token appended when omitted.
      const expected = parseRawRequest(file("query-signed-request.txt"));
      const ours = result.query.split("&");
      if (ctx.omit_session_token)
        ours.push(`X-Amz-Security-Token=${encodeURIComponent(ctx.credentials.token!)}`);
      const decoded = (pairs: string[]) => pairs.map(decodeURIComponent).sort();
      expect(decoded(ours)).toEqual(decoded(expected.query.split("&")));
      counts.awsCQuery++;

      if (expressibleAsFetch(raw, ctx)) {
        const url = await presignUrl(`${BASE}${targetOf(raw)}`, {
          method: raw.method,
          credentials,
          region: ctx.region,
          service: ctx.service,
          now: signing.now,
          expiresIn: ctx.expiration_in_seconds,
          headers: raw.headers.filter(([n]) => n.toLowerCase() !== "host"),
          payloadHash: parts.payloadHash,
          normalizePath: ctx.normalize,
        });
        expect(new URL(url).searchParams.get("X-Amz-Signature")).toBe(file("query-signature.txt"));
        expect(new URL(url).pathname).toBe(new URL(`${BASE}${targetOf(raw)}`).pathname);
        counts.viaPresignUrl++;
      } else if (!notViaUrl.includes(name)) {
        notViaUrl.push(name);
      }
    });
  }
});

interface BedrockVector {
  name: string;
  region: string;
  signing_name: string;
  credentials: { access_key_id: string; secret_access_key: string; session_token: string | null };
  url: string;
  body: string;
  body_sha256: string;
  signed_headers_in: Record<string, string>;
  canonical_request: string;
  string_to_sign: string;
  authorization: string;
}

describe("Bedrock Converse vectors (botocore, double-encoded model ids)", () => {
  const { cases } = JSON.parse(read("bedrock-generated", "bedrock-converse-sigv4.json")) as {
    cases: BedrockVector[];
  };
  const credentialsOf = (v: BedrockVector): AwsCredentials => ({
    accessKeyId: v.credentials.access_key_id,
    secretAccessKey: v.credentials.secret_access_key,
    ...(v.credentials.session_token ? { sessionToken: v.credentials.session_token } : {}),
  });
  it("has all four vectors", () => expect(cases.length).toBe(4));

  for (const v of cases) {
    it(`${v.name}: same canonical request, string to sign and Authorization as botocore`, async () => {
      const url = new URL(v.url);
      const result = await signHeaders(
        {
          method: "POST",
          path: url.pathname,
          headers: [...Object.entries(v.signed_headers_in), ["host", url.host]],
          payloadHash: await sha256(v.body),
        },
        { credentials: credentialsOf(v), region: v.region, service: v.signing_name, now: NOW },
      );
      expect(result.canonicalRequest).toBe(v.canonical_request);
      expect(result.stringToSign).toBe(v.string_to_sign);
      expect(Object.fromEntries(result.headers).authorization).toBe(v.authorization);
      counts.bedrock++;
    });

    it(`${v.name}: signRequest on a real Request signs the same URI, plus x-amz-content-sha256`, async () => {
      const request = new Request(v.url, { method: "POST", headers: v.signed_headers_in, body: v.body });
      const out = await signRequest(request, { credentials: credentialsOf(v), region: v.region, now: NOW });
      // botocore's canonical request with the x-amz-content-sha256 header the JS SDK (and we) also sign.
      const lines = v.canonical_request.split("\n");
      const at = lines.findIndex((l) => l.startsWith("x-amz-date:"));
      lines.splice(at, 0, `x-amz-content-sha256:${v.body_sha256}`);
      lines[lines.length - 2] = lines[lines.length - 2].replace("host;", "host;x-amz-content-sha256;");
      const canonical = lines.join("\n");
      expect(canonical).toContain("%253A");
      const sts = [
        "AWS4-HMAC-SHA256",
        "20150830T123600Z",
        `20150830/${v.region}/bedrock/aws4_request`,
        sha256(canonical),
      ].join("\n");
      const signature = nodeSignature(v.credentials.secret_access_key, "20150830", v.region, "bedrock", sts);
      expect(out.headers.get("authorization")).toBe(
        v.authorization
          .replace("host;", "host;x-amz-content-sha256;")
          .replace(/Signature=\w+$/, `Signature=${signature}`),
      );
      expect(out.headers.get("x-amz-content-sha256")).toBe(v.body_sha256);
      expect(out.headers.get("x-amz-security-token")).toBe(v.credentials.session_token);
      expect(out.url).toBe(v.url);
      expect(await out.text()).toBe(v.body);
    });
  }
});
