import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterEach, describe, expect, it } from "vitest";
import { createBedrock } from "../../src/client/create";
import type { ChatEvent } from "../../src/types/events";
import { closer, HAIKU, type Seen, startProxy, startUpstream, TOKEN } from "./setup";

// SigV4 mode: the proxy signs each call with its own AWS credentials. The emulator checks the Authorization
// shape and access key id; the signature itself is recomputed here with the AWS SDK's signer.

const servers = closer();
afterEach(() => servers.closeAll());

const CREDENTIALS = {
  accessKeyId: "AKIDPROXYTEST0000001",
  secretAccessKey: "proxy/test/secret/key/0123456789abcdefABCD",
  sessionToken: "session-token-for-the-proxy-test",
};
const SIGV4 =
  /^AWS4-HMAC-SHA256 Credential=(\w+)\/(\d{8})\/([a-z0-9-]+)\/bedrock\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

/** Signs what the upstream received with @smithy/signature-v4, at the same instant and over the same headers. */
async function smithyAuthorization(seen: Seen, region: string): Promise<string> {
  const [, , , , signedHeaders] = SIGV4.exec(seen.headers.get("authorization")!)!;
  const headers: Record<string, string> = {};
  for (const name of signedHeaders.split(";")) headers[name] = seen.headers.get(name)!;
  const amzDate = seen.headers.get("x-amz-date")!;
  const signingDate = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const signer = new SignatureV4({
    credentials: CREDENTIALS,
    region,
    service: "bedrock",
    sha256: Hash.bind(null, "sha256"),
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: "POST",
      protocol: seen.url.protocol,
      hostname: seen.url.hostname,
      port: Number(seen.url.port),
      path: seen.url.pathname,
      headers,
      body: seen.body,
    }),
    { signingDate },
  );
  return signed.headers.authorization;
}

describe("SigV4 upstream signing", () => {
  it("signs with the proxy's credentials for the path's region; the AWS SDK's signer agrees", async () => {
    const upstream = servers.add(await startUpstream({ accessKeyIds: [CREDENTIALS.accessKeyId] }));
    const proxy = servers.add(await startProxy(upstream, { credentials: CREDENTIALS }));
    const client = createBedrock(
      { url: `${proxy.url}/model/`, key: TOKEN, region: "eu-west-3" },
      { env: {} },
    );
    const events: ChatEvent[] = [];
    for await (const e of client.stream([{ role: "user", content: "Hello, signed world" }], {
      model: HAIKU,
    }) as unknown as AsyncIterable<ChatEvent>)
      events.push(e);
    expect(events.at(-1)).toMatchObject({ type: "finish", stopReason: "end_turn" });

    const seen = upstream.seen[0];
    const authorization = seen.headers.get("authorization")!;
    const [, keyId, day, region, signedHeaders] = SIGV4.exec(authorization) ?? [];
    expect(keyId).toBe(CREDENTIALS.accessKeyId);
    expect(region).toBe("eu-west-3");
    expect(day).toBe(seen.headers.get("x-amz-date")!.slice(0, 8));
    expect(signedHeaders.split(";")).toEqual(
      expect.arrayContaining([
        "host",
        "content-type",
        "x-amz-content-sha256",
        "x-amz-date",
        "x-amz-security-token",
      ]),
    );
    expect(seen.headers.get("x-amz-security-token")).toBe(CREDENTIALS.sessionToken);
    const bodyHash = Buffer.from(await crypto.subtle.digest("SHA-256", seen.body)).toString("hex");
    expect(seen.headers.get("x-amz-content-sha256")).toBe(bodyHash);
    // The id's ":" travels as %3A and is signed double-encoded (%253A), as Bedrock requires.
    expect(seen.url.pathname).toBe("/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream");
    expect(await smithyAuthorization(seen, "eu-west-3")).toBe(authorization);
  });

  it("signs ARN model ids (with %2F in the path) so that the AWS SDK's signer agrees", async () => {
    const upstream = servers.add(await startUpstream());
    const proxy = servers.add(await startProxy(upstream, { credentials: CREDENTIALS }));
    const arn =
      "arn:aws:bedrock:us-east-2:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0";
    const response = await fetch(`${proxy.url}/model/us-east-2.${encodeURIComponent(arn)}/converse`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: [{ text: "Hi" }] }] }),
    });
    expect(response.status).toBe(200);
    const seen = upstream.seen[0];
    expect(seen.url.pathname).toBe(`/model/${encodeURIComponent(arn)}/converse`);
    expect(await smithyAuthorization(seen, "us-east-2")).toBe(seen.headers.get("authorization"));
  });

  it("takes credentials from an async provider, calling it once for concurrent requests", async () => {
    const upstream = servers.add(await startUpstream());
    let calls = 0;
    const provider = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 20));
      return { ...CREDENTIALS, expiration: new Date(Date.now() + 3_600_000) };
    };
    const proxy = servers.add(await startProxy(upstream, { credentials: provider }));
    const client = createBedrock(
      { url: `${proxy.url}/model/`, key: TOKEN, region: "us-east-1" },
      { env: {} },
    );
    const results = await Promise.all(
      [1, 2, 3].map((n) => client.request([{ role: "user", content: `Hello ${n}` }], { model: HAIKU })),
    );
    expect(results.every((r) => r.stopReason === "end_turn")).toBe(true);
    expect(calls).toBe(1);
    for (const seen of upstream.seen) expect(seen.headers.get("authorization")).toMatch(SIGV4);
  });
});
