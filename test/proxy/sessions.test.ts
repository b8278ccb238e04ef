import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { createBedrock } from "../../src/client/create";
import { BedrockError } from "../../src/errors";
import { createSessionToken } from "../../src/proxy";
import { loopback } from "../helpers/server";
import { closer, HAIKU, startProxy, startUpstream, TOKEN } from "./setup";

// Session tokens (JWTs) as caller credentials, signed and verified by jose for real: HS256 tokens minted by
// createSessionToken, and an identity provider's RS256 ID tokens checked against a JWKS served on loopback.

const servers = closer();
afterEach(() => servers.closeAll());

const SECRET = "session-secret-0123456789abcdef-0123456789abcdef";
const PATH = `/model/us-east-1.${HAIKU}/converse`;
const BODY = JSON.stringify({ messages: [{ role: "user", content: [{ text: "Hello" }] }] });

async function setup(options: Record<string, unknown>) {
  const upstream = servers.add(await startUpstream());
  const usage: { subject: string }[] = [];
  const proxy = servers.add(
    await startProxy(upstream, { tokens: undefined, onUsage: (r) => void usage.push(r), ...options }),
  );
  const post = (token: string) =>
    fetch(`${proxy.url}${PATH}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: BODY,
    });
  return { upstream, proxy, post, usage };
}

async function refused(response: Response, type: string, says: RegExp, token: string) {
  const text = await response.text();
  expect(response.status).toBe(401);
  expect(response.headers.get("x-amzn-errortype")).toBe(type);
  expect(JSON.parse(text).message).toMatch(says);
  // The token, or any part of it, is never echoed.
  for (const part of token.split(".")) if (part.length > 8) expect(text).not.toContain(part);
}

describe("sessions: { secret } (HS256 tokens from createSessionToken)", () => {
  it("admits a fresh token, and the caller's identity is its sub", async () => {
    const { post, usage, upstream } = await setup({ sessions: { secret: SECRET } });
    const token = await createSessionToken({ secret: SECRET, subject: "user-42", expiresInSeconds: 60 });
    const response = await post(token);
    expect(response.status).toBe(200);
    await response.text();
    await expect.poll(() => usage.length).toBe(1);
    expect(usage[0]).toMatchObject({ subject: "user-42", status: 200 });
    // The session token is the proxy's business: Bedrock sees the proxy's own credentials.
    expect(upstream.seen[0].headers.get("authorization")).not.toContain(token);
  });

  it("works through the client, and an expired token is a non-retried ExpiredTokenException", async () => {
    const { proxy, upstream } = await setup({ sessions: { secret: SECRET } });
    const fresh = await createSessionToken({ secret: SECRET, subject: "u1" });
    const client = (key: string) =>
      createBedrock({ url: `${proxy.url}/model/`, key, region: "us-east-1" }, { env: {} });
    const ok = await client(fresh).request([{ role: "user", content: "Hi" }], { model: HAIKU });
    expect(ok.outputText.length).toBeGreaterThan(0);

    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("u1")
      .setIssuedAt(now - 120)
      .setExpirationTime(now - 60)
      .sign(new TextEncoder().encode(SECRET));
    const calls = upstream.seen.length;
    const error = await client(expired)
      .request([{ role: "user", content: "Hi" }], { model: HAIKU })
      .catch((e) => e);
    expect(error).toBeInstanceOf(BedrockError);
    expect(error).toMatchObject({ name: "ExpiredTokenException", status: 401, retryable: false });
    expect(error.message).toMatch(/expired/);
    expect(error.message).not.toContain(expired);
    expect(upstream.seen.length).toBe(calls);
  });

  it("refuses a wrong key, alg none, a token too old, a missing sub and malformed tokens, saying which", async () => {
    const { post, upstream } = await setup({ sessions: { secret: SECRET, maxAgeSeconds: 300 } });
    const other = await createSessionToken({ secret: `${SECRET}-other`, subject: "u1" });
    await refused(await post(other), "UnauthorizedException", /signature does not verify/, other);

    const none = new UnsecuredJWT({}).setSubject("u1").setIssuedAt().setExpirationTime("5m").encode();
    await refused(await post(none), "UnauthorizedException", /algorithm is not accepted|malformed/, none);
    // A none token with a forged signature part still fails.
    await refused(await post(`${none}c2ln`), "UnauthorizedException", /algorithm|malformed/, `${none}c2ln`);

    const key = new TextEncoder().encode(SECRET);
    const now = Math.floor(Date.now() / 1000);
    const old = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("u1")
      .setIssuedAt(now - 3600)
      .setExpirationTime(now + 3600)
      .sign(key);
    await refused(await post(old), "ExpiredTokenException", /older than this proxy accepts/, old);

    const noSub = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(key);
    await refused(await post(noSub), "UnauthorizedException", /sub claim/, noSub);

    const hs384 = await new SignJWT({})
      .setProtectedHeader({ alg: "HS384" })
      .setSubject("u1")
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(key);
    await refused(await post(hs384), "UnauthorizedException", /algorithm is not accepted/, hs384);

    for (const bad of ["a.b.c", "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln", "not-a-jwt-at-all"])
      await refused(
        await post(bad),
        "UnauthorizedException",
        /malformed|does not verify|invalid bearer token/,
        bad,
      );
    expect(upstream.seen).toHaveLength(0);
  });

  it("a token's own limits apply but cannot loosen the proxy's", async () => {
    const { post } = await setup({ sessions: { secret: SECRET }, limits: { requestsPerMinute: 2 } });
    const strict = await createSessionToken({
      secret: SECRET,
      subject: "strict",
      limits: { requestsPerMinute: 1 },
    });
    const loose = await createSessionToken({
      secret: SECRET,
      subject: "loose",
      limits: { requestsPerMinute: 1000 },
    });
    expect((await post(strict)).status).toBe(200);
    expect((await post(strict)).status).toBe(429);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(loose)).status);
    expect(statuses).toEqual([200, 200, 429]);
  });

  it("static tokens work beside sessions, identified by a hash prefix that is not the token", async () => {
    const { post, usage } = await setup({ tokens: [TOKEN], sessions: { secret: SECRET } });
    expect((await post(TOKEN)).status).toBe(200);
    await expect.poll(() => usage.length).toBe(1);
    expect(usage[0].subject).toMatch(/^token:[0-9a-f]{16}$/);
    expect(TOKEN).not.toContain(usage[0].subject.slice(6));
    expect((await post("some-other-static-token")).status).toBe(401);
  });

  it("createSessionToken and the option refuse short secrets and bad lifetimes", async () => {
    await expect(createSessionToken({ secret: "short", subject: "u" })).rejects.toThrow(/at least 32 bytes/);
    await expect(createSessionToken({ secret: SECRET, subject: "u", expiresInSeconds: 0 })).rejects.toThrow(
      /expiresInSeconds/,
    );
    await expect(
      createSessionToken({ secret: SECRET, subject: "u", limits: { tokensPerDay: -1 } }),
    ).rejects.toThrow(/tokensPerDay must be a positive integer/);
    const upstream = servers.add(await startUpstream());
    await expect(startProxy(upstream, { tokens: undefined, sessions: { secret: "short" } })).rejects.toThrow(
      /sessions: secret must be at least 32 bytes/,
    );
  });
});

describe("sessions: { jwks, issuer, audience } (an identity provider's ID tokens)", () => {
  async function provider() {
    const { privateKey, publicKey } = await generateKeyPair("RS256");
    const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" };
    const jwks = servers.add(
      await loopback((_req, res) => {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ keys: [jwk] }));
      }),
    );
    const sign = (claims: { iss?: string; aud?: string; sub?: string }, key = privateKey, kid = "k1") => {
      const jwt = new SignJWT({})
        .setProtectedHeader({ alg: "RS256", kid })
        .setIssuedAt()
        .setExpirationTime("5m");
      if (claims.iss) jwt.setIssuer(claims.iss);
      if (claims.aud) jwt.setAudience(claims.aud);
      if (claims.sub) jwt.setSubject(claims.sub);
      return jwt.sign(key);
    };
    return { jwks, sign, jwk };
  }
  const ISS = "https://id.example.com/";
  const AUD = "app-client-id";

  it("admits the provider's token and refuses wrong issuer, audience, key, and an HS256 token made with the public key", async () => {
    const { jwks, sign, jwk } = await provider();
    const { post, usage, upstream } = await setup({
      sessions: { jwks: `${jwks.url}/.well-known/jwks.json`, issuer: ISS, audience: AUD },
    });
    const good = await sign({ iss: ISS, aud: AUD, sub: "auth0|abc" });
    expect((await post(good)).status).toBe(200);
    await expect.poll(() => usage.length).toBe(1);
    expect(usage[0].subject).toBe("auth0|abc");
    expect(jwks.received.length).toBeGreaterThan(0);

    const wrongIss = await sign({ iss: "https://evil.example.com/", aud: AUD, sub: "x" });
    await refused(await post(wrongIss), "UnauthorizedException", /iss claim does not match/, wrongIss);
    const wrongAud = await sign({ iss: ISS, aud: "another-app", sub: "x" });
    await refused(await post(wrongAud), "UnauthorizedException", /aud claim does not match/, wrongAud);
    const { privateKey: stranger } = await generateKeyPair("RS256");
    const forged = await sign({ iss: ISS, aud: AUD, sub: "x" }, stranger);
    await refused(await post(forged), "UnauthorizedException", /signature does not verify/, forged);
    // Algorithm confusion: HS256 keyed with the public key's bytes must not pass.
    const confused = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256", kid: "k1" })
      .setIssuer(ISS)
      .setAudience(AUD)
      .setSubject("x")
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode(JSON.stringify(jwk)));
    await refused(await post(confused), "UnauthorizedException", /algorithm is not accepted/, confused);
    expect(upstream.seen).toHaveLength(1);
  });

  it("requires issuer and audience with jwks", async () => {
    const upstream = servers.add(await startUpstream());
    await expect(
      startProxy(upstream, { tokens: undefined, sessions: { jwks: "https://id.example.com/jwks" } as never }),
    ).rejects.toThrow(/issuer is required/);
  });
});
