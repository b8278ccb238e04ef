import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clockSkewFrom, createSigV4Authorizer } from "../../src/auth/sigv4";
import { EXAMPLE } from "./helpers";
import { type AwsLikeServer, startAwsLikeServer } from "./server";

const MIN = 60_000;
let server: AwsLikeServer;
beforeAll(async () => {
  server = await startAwsLikeServer(EXAMPLE.secretAccessKey);
});
afterAll(() => server.close());

const request = () =>
  new Request(`${server.url}/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: '{"messages":[]}',
  });

/** What the client does: send; on a skew 403, let the authorizer correct its clock and re-sign once. */
async function sendWithSkewRetry(authorize: ReturnType<typeof createSigV4Authorizer>, readBody: boolean) {
  const first = await fetch(await authorize(request()));
  if (first.ok) return { first, final: first, retried: false };
  const body = readBody ? await first.text() : undefined;
  if (!readBody) await first.body?.cancel();
  if (!authorize.correctClock(first, body)) return { first, final: first, retried: false };
  return { first, final: await fetch(await authorize(request())), retried: true };
}

describe("clock-skew correction against a server that enforces the 5-minute window", () => {
  for (const [label, skewMs, message] of [
    ["local clock 20 min behind", -20 * MIN, "Signature expired"],
    ["local clock 3 h ahead", 3 * 60 * MIN, "Signature not yet current"],
  ] as const) {
    for (const readBody of [true, false]) {
      it(`${label}: 403 ${message}, then one re-signed retry succeeds (${readBody ? "with" : "without"} the body)`, async () => {
        const authorize = createSigV4Authorizer({
          credentials: EXAMPLE,
          region: "us-east-1",
          clock: () => Date.now() + skewMs,
        });
        const { first, final, retried } = await sendWithSkewRetry(authorize, readBody);
        expect(first.status).toBe(403);
        expect(retried).toBe(true);
        expect(final.status).toBe(200);
        // The offset undoes the local error to within the Date header's one-second resolution plus latency.
        expect(Math.abs(authorize.getClockOffset() + skewMs)).toBeLessThan(2_500);
        // Later requests are signed with the corrected clock straight away.
        expect((await fetch(await authorize(request()))).status).toBe(200);
      });
    }
  }

  it("a genuine signature mismatch is not mistaken for skew: no retry", async () => {
    const authorize = createSigV4Authorizer({
      credentials: { ...EXAMPLE, secretAccessKey: "not-the-secret" },
      region: "us-east-1",
    });
    for (const readBody of [true, false]) {
      const { first, retried } = await sendWithSkewRetry(authorize, readBody);
      expect(first.status).toBe(403);
      expect(retried).toBe(false);
    }
    expect(authorize.getClockOffset()).toBe(0);
  });

  it("does not ask for a second retry once the clock is already right", async () => {
    const authorize = createSigV4Authorizer({ credentials: EXAMPLE, region: "us-east-1" });
    authorize.setClockOffset(0);
    const expired = new Response(
      JSON.stringify({ message: "Signature expired: ... (20250101T000000Z - 5 min.)" }),
      {
        status: 403,
        headers: { date: new Date().toUTCString() },
      },
    );
    expect(authorize.correctClock(expired, await expired.clone().text())).toBe(false);
    expect(() => authorize.setClockOffset(Number.NaN)).toThrow(TypeError);
  });
});

describe("clockSkewFrom", () => {
  const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
  const at = (ms: number) => new Date(ms).toUTCString();
  const error = (status: number, headers: Record<string, string>) => new Response(null, { status, headers });
  const invalidSig = "InvalidSignatureException:http://internal.amazon.com/coral/com.amazon.coral.service/";

  it("reads the offset from the Date header when the error blames the clock", () => {
    expect(
      clockSkewFrom(
        error(403, { "x-amzn-errortype": "RequestTimeTooSkewed", date: at(NOW + 15 * MIN) }),
        undefined,
        NOW,
      ),
    ).toBe(15 * MIN);
    expect(
      clockSkewFrom(
        error(403, { "x-amzn-errortype": "RequestExpired", date: at(NOW - 7 * MIN) }),
        undefined,
        NOW,
      ),
    ).toBe(-7 * MIN);
    const body = JSON.stringify({
      message: "Signature not yet current: 20250101T121000Z is still later than ...",
    });
    expect(
      clockSkewFrom(error(403, { "x-amzn-errortype": invalidSig, date: at(NOW - 10 * MIN) }), body, NOW),
    ).toBe(-10 * MIN);
  });

  it("falls back to the server time AWS writes in the message", () => {
    const body =
      '{"message":"Signature expired: 20250101T115000Z is now earlier than 20250101T121500Z (20250101T122000Z - 5 min.)"}';
    expect(clockSkewFrom(error(403, { "x-amzn-errortype": invalidSig }), body, NOW)).toBe(20 * MIN);
  });

  it("header-only InvalidSignatureException counts only with a large Date difference", () => {
    const r = (skew: number) => error(403, { "x-amzn-errortype": invalidSig, date: at(NOW + skew) });
    expect(clockSkewFrom(r(6 * MIN), undefined, NOW)).toBe(6 * MIN);
    expect(clockSkewFrom(r(30_000), undefined, NOW)).toBeUndefined();
  });

  it("ignores other errors and responses without a server time", () => {
    const mismatch =
      '{"message":"The request signature we calculated does not match the signature you provided."}';
    expect(
      clockSkewFrom(error(403, { "x-amzn-errortype": invalidSig, date: at(NOW + 20 * MIN) }), mismatch, NOW),
    ).toBeUndefined();
    expect(
      clockSkewFrom(
        error(400, { "x-amzn-errortype": "RequestTimeTooSkewed", date: at(NOW + 20 * MIN) }),
        undefined,
        NOW,
      ),
    ).toBeUndefined();
    expect(
      clockSkewFrom(
        error(403, { "x-amzn-errortype": "AccessDeniedException", date: at(NOW + 20 * MIN) }),
        undefined,
        NOW,
      ),
    ).toBeUndefined();
    expect(
      clockSkewFrom(error(403, { "x-amzn-errortype": "RequestTimeTooSkewed" }), undefined, NOW),
    ).toBeUndefined();
    expect(
      clockSkewFrom(
        error(403, { "x-amzn-errortype": "RequestTimeTooSkewed", date: "garbage" }),
        undefined,
        NOW,
      ),
    ).toBeUndefined();
  });
});
