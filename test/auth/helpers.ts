import { createHash, createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

// Test-side tools built on node:crypto, independent of the Web Crypto signer under test.

export const FIXTURES = join(__dirname, "..", "fixtures", "sigv4");
export const read = (...p: string[]) => readFileSync(join(FIXTURES, ...p), "utf8");

export const sha256 = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");

/** The SigV4 HMAC chain, computed with node:crypto. */
export function nodeSignature(
  secret: string,
  date: string,
  region: string,
  service: string,
  sts: string,
): string {
  let key: Buffer = createHmac("sha256", `AWS4${secret}`).update(date.slice(0, 8)).digest();
  for (const part of [region, service, "aws4_request"]) key = createHmac("sha256", key).update(part).digest();
  return createHmac("sha256", key).update(sts).digest("hex");
}

export interface RawRequest {
  method: string;
  /** Path exactly as written in the request line (may hold spaces or raw UTF-8). */
  path: string;
  query: string;
  /** In file order; a folded (multiline) value keeps its line breaks. */
  headers: [string, string][];
  body: string;
}

/** Parses the AWS test-suite raw HTTP request text (`.req`, `request.txt`, `*-signed-request.txt`). */
export function parseRawRequest(text: string): RawRequest {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  const first = lines[0];
  const method = first.slice(0, first.indexOf(" "));
  const target = first.slice(method.length + 1, first.lastIndexOf(" HTTP/"));
  const q = target.indexOf("?");
  const headers: [string, string][] = [];
  let i = 1;
  for (; i < lines.length && lines[i] !== ""; i++) {
    const line = lines[i];
    if (/^[ \t]/.test(line) && headers.length) {
      headers[headers.length - 1][1] += `\n${line}`;
    } else {
      const colon = line.indexOf(":");
      headers.push([line.slice(0, colon), line.slice(colon + 1)]);
    }
  }
  return {
    method,
    path: q < 0 ? target : target.slice(0, q),
    query: q < 0 ? "" : target.slice(q + 1),
    headers,
    body: lines.slice(i + 1).join("\n"),
  };
}

export const header = (raw: RawRequest, name: string) =>
  raw.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1].trim();

/** `Signature=...` and `SignedHeaders=...` out of an Authorization value. */
export function parseAuthorization(value: string) {
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      value,
    );
  if (!m) throw new Error(`not a SigV4 Authorization value: ${value.slice(0, 40)}`);
  return {
    accessKeyId: m[1],
    date: m[2],
    region: m[3],
    service: m[4],
    signedHeaders: m[5].split(";"),
    signature: m[6],
  };
}

const enc = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * What an AWS endpoint does with an incoming request: rebuild the canonical request from the wire path,
 * query and the headers named in SignedHeaders, and recompute the signature with the secret.
 */
export function verifyOnServer(input: {
  method: string;
  /** Path + query as received on the wire. */
  target: string;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
  secret: string;
}): { ok: boolean; expected: string; got: string; canonical: string } {
  const auth = parseAuthorization(String(input.headers.authorization));
  const [path, query = ""] = input.target.split("?");
  const segments: string[] = [];
  for (const s of path.split("/")) {
    if (s === "..") segments.pop();
    else if (s && s !== ".") segments.push(s);
  }
  const canonicalPath = `/${segments.map(enc).join("/")}${segments.length && path.endsWith("/") ? "/" : ""}`;
  const pairs = query
    .split("&")
    .filter(Boolean)
    .map((p) => p.split("=").map((x) => enc(decodeURIComponent(x ?? ""))))
    .map(([k, v = ""]) => `${k}=${v}`)
    .sort();
  const lines = auth.signedHeaders.map((name) => {
    const v = input.headers[name];
    const value = (Array.isArray(v) ? v.join(",") : (v ?? "")).trim().replace(/\s+/g, " ");
    return `${name}:${value}\n`;
  });
  // AWS hashes the body it received; a declared x-amz-content-sha256 must agree with it.
  const payload = sha256(input.body);
  const declared = input.headers["x-amz-content-sha256"];
  const canonical = [
    input.method,
    canonicalPath,
    pairs.join("&"),
    lines.join(""),
    auth.signedHeaders.join(";"),
    payload,
  ].join("\n");
  const amzDate = String(input.headers["x-amz-date"]);
  const sts = [
    "AWS4-HMAC-SHA256",
    amzDate,
    `${auth.date}/${auth.region}/${auth.service}/aws4_request`,
    sha256(canonical),
  ].join("\n");
  const expected = nodeSignature(input.secret, amzDate, auth.region, auth.service, sts);
  const ok = expected === auth.signature && (declared === undefined || declared === payload);
  return { ok, expected, got: auth.signature, canonical };
}

export const EXAMPLE = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
};
