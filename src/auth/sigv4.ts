import type { AwsCredentials, CredentialsProvider, SigV4Authorizer } from "./types.ts";

// AWS Signature Version 4 on Web Crypto only, so it runs on every runtime.

const ALGORITHM = "AWS4-HMAC-SHA256";
const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const MAX_PRESIGN_SECONDS = 604_800;
// Made on first use: a TextEncoder built at import costs ~1.5 ms of cold start on Node.
let encoder: TextEncoder | undefined;
const utf8 = (text: string) => {
  encoder ??= new TextEncoder();
  return encoder.encode(text);
};

/** Headers proxies, browsers or fetch itself may add or rewrite: never signed (the AWS SDK's list). */
const UNSIGNABLE =
  /^(authorization|cache-control|connection|expect|from|keep-alive|max-forwards|pragma|referer|te|trailer|transfer-encoding|upgrade|user-agent|x-amzn-trace-id|proxy-.*|sec-.*)$/;
/** Headers the signer writes; stale copies on the input are dropped. */
const REPLACED = ["authorization", "date", "x-amz-date", "x-amz-security-token"];

export type HeaderList = Iterable<readonly [string, string]>;

/** One request as the signer sees it: what goes into the canonical request. */
export interface RequestParts {
  method: string;
  /** The path as sent (already percent-encoded); each segment is encoded again, as AWS wants for non-S3. */
  path: string;
  /** The query string as sent, without `?`; pairs are decoded, strictly re-encoded and sorted. */
  query?: string;
  /** The headers to sign (duplicates are joined with `,`). */
  headers: HeaderList;
  /** Hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`. */
  payloadHash: string;
}

export interface SigningContext {
  credentials: AwsCredentials;
  region: string;
  service: string;
  now: Date;
  /** Remove `.`/`..`/empty path segments before encoding (all services but S3). Default true. */
  normalizePath?: boolean;
}

export interface Signature {
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
  signedHeaders: string;
}

export interface SignOptions {
  credentials: AwsCredentials;
  region: string;
  /** Signing name; Bedrock runtime signs as `bedrock`. */
  service?: string;
  now?: Date;
}

/** RFC 3986 encoding: everything but `A-Z a-z 0-9 - _ . ~` becomes `%XX` (UTF-8). */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value; // a stray `%` is sent literally; encode it as such
  }
}

function canonicalPath(path: string, normalize: boolean): string {
  let segments = path.split("/");
  if (normalize) {
    const kept: string[] = [];
    for (const s of segments) {
      if (s === "..") kept.pop();
      else if (s !== "" && s !== ".") kept.push(s);
    }
    segments = kept.length ? ["", ...kept, ...(path.endsWith("/") ? [""] : [])] : ["", ""];
  }
  return segments.map(uriEncode).join("/") || "/";
}

function canonicalQuery(query: string): string {
  const pairs: [string, string][] = [];
  for (const part of query.split("&")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    const key = eq < 0 ? part : part.slice(0, eq);
    pairs.push([uriEncode(decode(key)), uriEncode(decode(eq < 0 ? "" : part.slice(eq + 1)))]);
  }
  pairs.sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  return pairs.map((p) => p.join("=")).join("&");
}

function canonicalHeaders(headers: HeaderList): { lines: string; signedHeaders: string } {
  const values = new Map<string, string>();
  for (const [name, raw] of headers) {
    const key = name.toLowerCase();
    const value = raw.replace(/[ \t\r\n]+/g, " ").replace(/^ | $/g, "");
    const prior = values.get(key);
    values.set(key, prior === undefined ? value : `${prior},${value}`);
  }
  const names = [...values.keys()].sort();
  return { lines: names.map((n) => `${n}:${values.get(n)}\n`).join(""), signedHeaders: names.join(";") };
}

/** The SigV4 canonical request text and its signed-header list. */
export function canonicalRequest(
  parts: RequestParts,
  normalizePath = true,
): { text: string; signedHeaders: string } {
  const { lines, signedHeaders } = canonicalHeaders(parts.headers);
  const text = [
    parts.method.toUpperCase(),
    canonicalPath(parts.path, normalizePath),
    canonicalQuery(parts.query ?? ""),
    lines,
    signedHeaders,
    parts.payloadHash,
  ].join("\n");
  return { text, signedHeaders };
}

export async function stringToSign(canonical: string, amzDate: string, scope: string): Promise<string> {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${await sha256Hex(canonical)}`;
}

const hex = (bytes: ArrayBuffer) =>
  Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");

export async function sha256Hex(data: string | ArrayBuffer | Uint8Array<ArrayBuffer>): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", typeof data === "string" ? utf8(data) : data));
}

const importHmac = (raw: ArrayBuffer | Uint8Array<ArrayBuffer>) =>
  crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
const hmac = (key: CryptoKey, data: string) => crypto.subtle.sign("HMAC", key, utf8(data));

// Deriving a key costs five HMACs; it only changes per day, region, service and secret.
const keyCache = new Map<string, Promise<CryptoKey>>();
const KEY_CACHE_SIZE = 32;

/** The derived signing key (cached per day/region/service/secret; the cache is small and bounded). */
export function signingKey(
  secret: string,
  shortDate: string,
  region: string,
  service: string,
): Promise<CryptoKey> {
  const id = [shortDate, region, service, secret].join("\n");
  let key = keyCache.get(id);
  if (!key) {
    key = (async () => {
      let k = await hmac(await importHmac(utf8(`AWS4${secret}`)), shortDate);
      for (const part of [region, service, "aws4_request"]) k = await hmac(await importHmac(k), part);
      return importHmac(k);
    })();
    key.catch(() => keyCache.delete(id));
    if (keyCache.size >= KEY_CACHE_SIZE) keyCache.delete(keyCache.keys().next().value!);
    keyCache.set(id, key);
  }
  return key;
}

/** `20150830T123600Z` */
export function amzDate(date: Date): string {
  return date.toISOString().replace(/[-:]|\.\d{3}/g, "");
}

function check(ctx: Omit<SigningContext, "service"> & { service?: string }, where: string): void {
  const c = ctx.credentials as Partial<AwsCredentials> | undefined;
  const fail = (what: string) => {
    throw new TypeError(`${where}: ${what}`);
  };
  if (!c || typeof c !== "object") fail("credentials are missing");
  if (typeof c!.accessKeyId !== "string" || !c!.accessKeyId)
    fail("credentials.accessKeyId must be a non-empty string");
  if (typeof c!.secretAccessKey !== "string" || !c!.secretAccessKey)
    fail("credentials.secretAccessKey must be a non-empty string");
  if (c!.sessionToken !== undefined && typeof c!.sessionToken !== "string")
    fail("credentials.sessionToken must be a string");
  // Both go into headers: a stray newline would make fetch throw with the value in its message.
  if (!/^[!-~]*$/.test(c!.accessKeyId + (c!.sessionToken ?? "")))
    fail("credentials.accessKeyId / sessionToken hold spaces, control or non-ASCII characters");
  for (const name of ["region", "service"] as const) {
    const v = ctx[name];
    if (typeof v !== "string" || !/^[\w.-]+$/.test(v))
      fail(`${name} must be a non-empty name like "us-east-1"`);
  }
  if (!(ctx.now instanceof Date) || Number.isNaN(ctx.now.getTime())) fail("now must be a valid Date");
}

async function finish(canonical: { text: string; signedHeaders: string }, ctx: SigningContext, date: string) {
  const scope = `${date.slice(0, 8)}/${ctx.region}/${ctx.service}/aws4_request`;
  const sts = await stringToSign(canonical.text, date, scope);
  const key = await signingKey(ctx.credentials.secretAccessKey, date.slice(0, 8), ctx.region, ctx.service);
  const result: Signature = {
    canonicalRequest: canonical.text,
    stringToSign: sts,
    signature: hex(await hmac(key, sts)),
    signedHeaders: canonical.signedHeaders,
  };
  return { ...result, credential: `${ctx.credentials.accessKeyId}/${scope}` };
}

/**
 * Header signing. Adds `x-amz-date` (and `x-amz-security-token`) to the signed headers; returns the headers
 * to set on the request, `authorization` included.
 */
export async function signHeaders(
  parts: RequestParts,
  ctx: SigningContext,
): Promise<Signature & { headers: [string, string][] }> {
  check(ctx, "SigV4");
  const date = amzDate(ctx.now);
  const added: [string, string][] = [["x-amz-date", date]];
  if (ctx.credentials.sessionToken) added.push(["x-amz-security-token", ctx.credentials.sessionToken]);
  const canonical = canonicalRequest({ ...parts, headers: [...parts.headers, ...added] }, ctx.normalizePath);
  const { credential, ...result } = await finish(canonical, ctx, date);
  const authorization = `${ALGORITHM} Credential=${credential}, SignedHeaders=${result.signedHeaders}, Signature=${result.signature}`;
  return { ...result, headers: [...added, ["authorization", authorization]] };
}

/** Query presigning. Returns the full query string (sorted, `X-Amz-Signature` included). */
export async function presignQuery(
  parts: RequestParts,
  ctx: SigningContext & { expiresIn: number },
): Promise<Signature & { query: string }> {
  check(ctx, "SigV4 presign");
  const { expiresIn } = ctx;
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_PRESIGN_SECONDS) {
    throw new RangeError(
      `SigV4 presign: expiresIn must be a whole number of seconds from 1 to ${MAX_PRESIGN_SECONDS}`,
    );
  }
  const date = amzDate(ctx.now);
  const scope = `${date.slice(0, 8)}/${ctx.region}/${ctx.service}/aws4_request`;
  const params: [string, string][] = [
    ["X-Amz-Algorithm", ALGORITHM],
    ["X-Amz-Credential", `${ctx.credentials.accessKeyId}/${scope}`],
    ["X-Amz-Date", date],
    ["X-Amz-Expires", String(expiresIn)],
    ["X-Amz-SignedHeaders", canonicalHeaders(parts.headers).signedHeaders],
  ];
  if (ctx.credentials.sessionToken) params.push(["X-Amz-Security-Token", ctx.credentials.sessionToken]);
  const query = [parts.query, ...params.map(([k, v]) => `${k}=${uriEncode(v)}`)].filter(Boolean).join("&");
  const { credential: _, ...result } = await finish(
    canonicalRequest({ ...parts, query }, ctx.normalizePath),
    ctx,
    date,
  );
  return { ...result, query: canonicalQuery(`${query}&X-Amz-Signature=${result.signature}`) };
}

/**
 * Signs a fetch Request: returns a new Request (same method, URL, body bytes, other headers, signal) with
 * `authorization`, `x-amz-date`, `x-amz-content-sha256` and, with a session token, `x-amz-security-token`.
 * Reads the input's body, so pass an unread Request.
 */
export async function signRequest(request: Request, options: SignOptions): Promise<Request> {
  const ctx = { ...options, service: options.service ?? "bedrock", now: options.now ?? new Date() };
  check(ctx, "signRequest");
  if (request.bodyUsed)
    throw new TypeError("signRequest: the request body was already read; sign an unread Request");
  const url = new URL(request.url);
  const headers = new Headers(request.headers);
  for (const name of REPLACED) headers.delete(name);
  const body = request.body ? await request.arrayBuffer() : null;
  let payloadHash = headers.get("x-amz-content-sha256");
  if (!payloadHash) {
    payloadHash = body ? await sha256Hex(body) : EMPTY_SHA256;
    headers.set("x-amz-content-sha256", payloadHash);
  }
  const signed: [string, string][] = [["host", headers.get("host") ?? url.host]];
  for (const [name, value] of headers)
    if (name !== "host" && !UNSIGNABLE.test(name)) signed.push([name, value]);
  const parts = {
    method: request.method,
    path: url.pathname,
    query: url.search.slice(1),
    headers: signed,
    payloadHash,
  };
  for (const [name, value] of (await signHeaders(parts, ctx)).headers) headers.set(name, value);
  return new Request(request, { headers, body });
}

export interface PresignOptions extends SignOptions {
  /** Seconds the URL stays valid (1 to 604800). Default 3600. */
  expiresIn?: number;
  /** The method the URL will be used with. Default GET. */
  method?: string;
  /** Extra headers the user of the URL must send; `host` is always signed. */
  headers?: HeaderList;
  /** Default: SHA-256 of an empty body. */
  payloadHash?: string;
  /** Default true; false keeps `//`, `.` and `..` segments as they are (S3 style). */
  normalizePath?: boolean;
}

/** SigV4 query presigning: returns `url` with the `X-Amz-*` parameters and signature added. */
export async function presignUrl(url: string | URL, options: PresignOptions): Promise<string> {
  const target = new URL(url);
  const { query } = await presignQuery(
    {
      method: options.method ?? "GET",
      path: target.pathname,
      query: target.search.slice(1),
      headers: [["host", target.host], ...(options.headers ?? [])],
      payloadHash: options.payloadHash ?? EMPTY_SHA256,
    },
    {
      ...options,
      service: options.service ?? "bedrock",
      now: options.now ?? new Date(),
      expiresIn: options.expiresIn ?? 3600,
    },
  );
  return `${target.origin}${target.pathname}?${query}`;
}

const SKEW_TYPE = /RequestTimeTooSkewed|RequestExpired|RequestInTheFuture/;
const SKEW_TEXT =
  /Signature expired|Signature not yet current|RequestTimeTooSkewed|RequestExpired|RequestInTheFuture/i;

/**
 * How far the server clock is ahead of `now` (ms), when `response` is a 403 that blames the clock:
 * `RequestTimeTooSkewed`/`RequestExpired`/`RequestInTheFuture`, or a body saying "Signature expired" /
 * "Signature not yet current". Without the body, an `InvalidSignatureException` counts only when the server's
 * `Date` is more than 4 minutes off. Server time: the `Date` header, else the time AWS puts in the message.
 */
export function clockSkewFrom(
  response: Response,
  body?: string,
  now: number = Date.now(),
): number | undefined {
  if (response.status !== 403) return undefined;
  const type = (response.headers.get("x-amzn-errortype") ?? "").split(":")[0];
  const text = body ?? "";
  let server = Date.parse(response.headers.get("date") ?? "");
  const quoted = /\((\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z/.exec(text);
  if (Number.isNaN(server) && quoted) {
    const [, y, mo, d, h, mi, s] = quoted.map(Number);
    server = Date.UTC(y, mo - 1, d, h, mi, s);
  }
  if (Number.isNaN(server)) return undefined;
  const skew = server - now;
  const blamed = SKEW_TYPE.test(type) || SKEW_TEXT.test(text);
  const likely = body === undefined && type === "InvalidSignatureException" && Math.abs(skew) >= 240_000;
  return blamed || likely ? skew : undefined;
}

export interface SigV4AuthorizerOptions {
  credentials: AwsCredentials | CredentialsProvider;
  region: string;
  service?: string;
  /** Local clock in epoch ms. Default Date.now. */
  clock?: () => number;
}

/**
 * An Authorizer that signs every request. A provider is called per request: wrap it in `cachedCredentials`.
 * On a clock-skew 403, `correctClock(response)` adopts the server's time (see SigV4Authorizer).
 */
export function createSigV4Authorizer(options: SigV4AuthorizerOptions): SigV4Authorizer {
  const { credentials, region, service = "bedrock", clock = Date.now } = options;
  if (typeof credentials !== "function") check({ credentials, region, service, now: new Date() }, "SigV4");
  let offset = 0;
  const now = () => new Date(clock() + offset);
  const authorize = async (request: Request) =>
    signRequest(request, {
      credentials: typeof credentials === "function" ? await credentials() : credentials,
      region,
      service,
      now: now(),
    });
  return Object.assign(authorize, {
    setClockOffset(ms: number) {
      if (!Number.isFinite(ms)) throw new TypeError("setClockOffset: ms must be a finite number");
      offset = ms;
    },
    getClockOffset: () => offset,
    correctClock(response: Response, body?: string) {
      const skew = clockSkewFrom(response, body, now().getTime());
      if (skew === undefined || Math.abs(skew) < 1000) return false;
      offset += skew;
      return true;
    },
  });
}
