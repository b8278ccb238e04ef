// Session tokens: JSON Web Tokens checked with `jose` (web crypto, every runtime). `{ secret }` accepts HS256
// tokens the app's own backend mints with createSessionToken; `{ jwks, issuer, audience }` accepts the ID tokens
// a site's identity provider issues. The caller's identity is the token's `sub`.

import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
  SignJWT,
} from "jose";
import { type CallerLimits, checkLimits } from "./limits.ts";

export type SessionOptions =
  | {
      /** The shared secret (32+ bytes) the app's backend signs HS256 session tokens with (createSessionToken). */
      secret: string | Uint8Array;
      /** Tokens issued longer ago than this are refused, whatever their `exp`. Default 3600. */
      maxAgeSeconds?: number;
      issuer?: string;
      audience?: string;
    }
  | {
      /** The identity provider's JWKS URL (fetched and cached by jose), or the key set itself. */
      jwks: string | URL | JSONWebKeySet;
      /** Required: the `iss` the provider puts in its tokens. */
      issuer: string;
      /** Required: the `aud` (your app's client id). */
      audience: string | readonly string[];
      maxAgeSeconds?: number;
    };

/** Why a presented token was refused: the error type and message sent back (never the token). */
export interface SessionRefusal {
  type: "UnauthorizedException" | "ExpiredTokenException";
  message: string;
}

export interface Session {
  subject: string;
  limits?: CallerLimits;
}

const encoder = new TextEncoder();
const MIN_SECRET_BYTES = 32;

function secretBytes(secret: string | Uint8Array, where: string): Uint8Array {
  const bytes = typeof secret === "string" ? encoder.encode(secret) : secret;
  if (!(bytes instanceof Uint8Array) || bytes.byteLength < MIN_SECRET_BYTES)
    throw new TypeError(`${where}: secret must be at least ${MIN_SECRET_BYTES} bytes (a long random value)`);
  return bytes;
}

/** A verifier for session tokens, or throws a TypeError naming the option that is wrong. */
export function sessionVerifier(
  options: SessionOptions,
): (token: string) => Promise<Session | SessionRefusal> {
  const where = "createProxy: sessions";
  if (!options || typeof options !== "object") throw new TypeError(`${where} must be an object`);
  const maxAge = options.maxAgeSeconds ?? 3600;
  if (!Number.isInteger(maxAge) || maxAge < 1)
    throw new TypeError(`${where}.maxAgeSeconds must be a positive integer`);
  let key: Uint8Array | JWTVerifyGetKey;
  let algorithms: string[] | undefined;
  if ("secret" in options) {
    key = secretBytes(options.secret, where);
    algorithms = ["HS256"];
  } else if ("jwks" in options) {
    if (typeof options.issuer !== "string" || !options.issuer)
      throw new TypeError(`${where}.issuer is required with jwks`);
    if (options.audience === undefined) throw new TypeError(`${where}.audience is required with jwks`);
    const { jwks } = options;
    if (typeof jwks === "string" || jwks instanceof URL) {
      const url = new URL(jwks);
      if (url.protocol !== "https:" && url.hostname !== "127.0.0.1" && url.hostname !== "localhost")
        throw new TypeError(`${where}.jwks must be an https URL`);
      key = createRemoteJWKSet(url);
    } else key = createLocalJWKSet(jwks);
    // Asymmetric only: an HS256 token "signed" with the provider's public key must not pass.
    algorithms = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];
  } else throw new TypeError(`${where} needs { secret } or { jwks, issuer, audience }`);
  const verifyOptions = {
    algorithms,
    issuer: options.issuer,
    audience: options.audience as string | string[] | undefined,
    maxTokenAge: maxAge,
    requiredClaims: ["exp", "sub", "iat"],
  };

  return async (token) => {
    let payload: JWTPayload;
    try {
      payload = (
        typeof key === "function"
          ? await jwtVerify(token, key, verifyOptions)
          : await jwtVerify(token, key, verifyOptions)
      ).payload;
    } catch (error) {
      return refusal(error);
    }
    if (typeof payload.sub !== "string" || payload.sub === "" || payload.sub.length > 256)
      return {
        type: "UnauthorizedException",
        message: "The session token's sub claim is missing or invalid.",
      };
    const limits = payload.limits;
    if (limits === undefined) return { subject: payload.sub };
    try {
      return { subject: payload.sub, limits: checkLimits(limits, "the session token's limits claim") };
    } catch (error) {
      return { type: "UnauthorizedException", message: (error as Error).message };
    }
  };
}

function refusal(error: unknown): SessionRefusal {
  const unauthorized = (message: string): SessionRefusal => ({ type: "UnauthorizedException", message });
  if (error instanceof errors.JWTExpired) {
    // maxAgeSeconds: jose reports a token issued too long ago as expired, naming the iat claim.
    const message =
      error.claim === "iat"
        ? "The session token is older than this proxy accepts (maxAgeSeconds): get a new one."
        : "The session token has expired: get a new one.";
    return { type: "ExpiredTokenException", message };
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    const claim = error.claim;
    if (claim === "iat")
      return unauthorized("The session token is older than this proxy accepts: get a new one.");
    if (claim === "iss" || claim === "aud")
      return unauthorized(`The session token's ${claim} claim does not match what this proxy accepts.`);
    return unauthorized(`The session token's ${claim} claim is missing or invalid.`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported)
    return unauthorized("The session token's signing algorithm is not accepted by this proxy.");
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return unauthorized("The session token's signature does not verify.");
  if (error instanceof errors.JWKSNoMatchingKey)
    return unauthorized("The session token is signed with a key this proxy does not know.");
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid)
    return unauthorized("The identity provider's keys could not be fetched: try again.");
  return unauthorized("The session token is malformed.");
}

export interface SessionTokenOptions {
  /** The secret the proxy's `sessions.secret` holds (32+ bytes). */
  secret: string | Uint8Array;
  /** The caller's identity: budgets and limits are kept per subject. */
  subject: string;
  /** How long the token is valid. Default 600 (ten minutes); at most 86,400. */
  expiresInSeconds?: number;
  /** Limits for this caller; the proxy applies the stricter of these and its own. */
  limits?: CallerLimits;
  issuer?: string;
  audience?: string;
}

/** Mints a short-lived HS256 session token for one caller (run it on your backend, never in the page). */
export async function createSessionToken(options: SessionTokenOptions): Promise<string> {
  const where = "createSessionToken";
  const key = secretBytes(options.secret, where);
  const { subject } = options;
  if (typeof subject !== "string" || subject === "" || subject.length > 256)
    throw new TypeError(`${where}: subject must be a non-empty string of at most 256 characters`);
  const seconds = options.expiresInSeconds ?? 600;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 86_400)
    throw new TypeError(`${where}: expiresInSeconds must be an integer from 1 to 86400`);
  const claims: JWTPayload = {};
  if (options.limits !== undefined) claims.limits = checkLimits(options.limits, `${where}: limits`);
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime(`${seconds}s`);
  if (options.issuer) jwt.setIssuer(options.issuer);
  if (options.audience) jwt.setAudience(options.audience);
  return jwt.sign(key);
}

/** Three base64url parts: the shape of a JWS compact token. */
export const looksLikeJwt = (token: string) => /^[\w-]+\.[\w-]+\.[\w-]*$/.test(token);
