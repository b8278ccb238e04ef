// Errors a new user meets (issue 13): AbortSignal.timeout, a 200 that is not an event stream, the proxy's
// region refusal, and the "invalid model identifier" answer to the region the SDK itself put in front of the id.
import { afterEach, describe, expect, it } from "vitest";
import { createBedrock } from "../../src/client/create";
import { createEmulator } from "../../src/emulator";
import { BedrockError } from "../../src/errors";
import { serve } from "../../src/node";
import { loopback } from "../helpers/server";
import { closer, HAIKU, startProxy, startUpstream, TOKEN } from "../proxy/setup";

const servers = closer();
afterEach(() => servers.closeAll());
const hi = [{ role: "user" as const, content: "Hello" }];

async function failure(p: Promise<unknown> | AsyncIterable<unknown>): Promise<BedrockError> {
  let error: unknown;
  try {
    if (Symbol.asyncIterator in (p as object)) for await (const _ of p as AsyncIterable<unknown>);
    else await p;
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(BedrockError);
  return error as BedrockError;
}

describe("AbortSignal.timeout(ms) as the signal", () => {
  it("ends in a BedrockError named TimeoutError, as fetch's does (request and stream)", async () => {
    const server = servers.add(await loopback(() => new Promise(() => {})));
    const client = createBedrock(
      { url: `${server.url}/model/`, key: "k-12345", modelIdPrefix: "none" },
      { env: {} },
    );
    const viaRequest = await failure(client.request(hi, { model: HAIKU, signal: AbortSignal.timeout(100) }));
    expect(viaRequest.name).toBe("TimeoutError");
    expect(viaRequest.message).toMatch(/timed out/);
    const viaStream = await failure(client.stream(hi, { model: HAIKU, signal: AbortSignal.timeout(100) }));
    expect(viaStream.name).toBe("TimeoutError");
    // A plain abort is still an AbortError.
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    expect((await failure(client.request(hi, { model: HAIKU, signal: controller.signal }))).name).toBe(
      "AbortError",
    );
  });
});

describe("UnexpectedResponseError", () => {
  it("says what it got: an excerpt of the body, or that the body was empty", async () => {
    let body = "";
    const server = servers.add(
      await loopback((_, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(body);
      }),
    );
    const client = createBedrock(
      { url: `${server.url}/model/`, key: "k-12345", modelIdPrefix: "none" },
      { env: {} },
    );
    const empty = await failure(client.request(hi, { model: HAIKU }));
    expect(empty.name).toBe("UnexpectedResponseError");
    expect(empty.message).toMatch(/but got application\/json with an empty body/);
    body = JSON.stringify({ message: "x".repeat(5000) });
    const long = await failure(client.request(hi, { model: HAIKU }));
    expect(long.message).toContain('got application/json: "{\\"message\\":\\"xxx');
    expect(long.message.length).toBeLessThan(600);
  });
});

describe("the proxy's region refusal", () => {
  it("is an AccessDeniedException with no IAM hint", async () => {
    const upstream = servers.add(await startUpstream());
    const proxy = servers.add(await startProxy(upstream, { allowedRegions: ["us-east-1"] }));
    const client = createBedrock(
      { url: `${proxy.url}/model/`, key: TOKEN, region: "eu-west-1" },
      { env: {} },
    );
    const error = await failure(client.request(hi, { model: HAIKU }));
    expect(error.name).toBe("AccessDeniedException");
    expect(error.message).toMatch(/Region eu-west-1 is not allowed by this proxy/);
    expect(error.message).not.toMatch(/IAM|InvokeModel/);
    expect(error.hint ?? "").not.toMatch(/IAM/);
  });
});

describe("url pointed at a server that takes plain ids", () => {
  it('the "invalid model identifier" hint says the SDK added the region and names modelIdPrefix: "none"', async () => {
    const server = servers.add(await serve(createEmulator()));
    const client = createBedrock(
      { url: `${server.url}/model/`, key: "k-12345", region: "us-east-1" },
      { env: {} },
    );
    for (const call of [client.request(hi, { model: HAIKU }), client.stream(hi, { model: HAIKU })]) {
      const error = await failure(call);
      expect(error.name).toBe("ValidationException");
      expect(error.hint).toMatch(/because `url` is set.*modelIdPrefix: "none"/);
      expect(error.message).toContain('modelIdPrefix: "none"');
      expect(error.message).not.toMatch(/use the plain id/);
    }
    // Without the prefix the same call works.
    const plain = createBedrock(
      { url: `${server.url}/model/`, key: "k", modelIdPrefix: "none" },
      { env: {} },
    );
    expect((await plain.request(hi, { model: HAIKU })).outputText).not.toBe("");
  });

  it("a typo in a plain id keeps the original hint", async () => {
    const server = servers.add(await serve(createEmulator()));
    const client = createBedrock(
      { url: `${server.url}/model/`, key: "k-12345", modelIdPrefix: "none" },
      { env: {} },
    );
    const error = await failure(
      client.request(hi, { model: "us-east-1.anthropic.claude-3-haiku-20240307-v1:0" }),
    );
    expect(error.hint).toMatch(/a full region in front of the id/);
  });
});

describe("the emulator's fault.SPEC model ids", () => {
  it("go through the client to the emulator, which injects the fault", async () => {
    const server = servers.add(await serve(createEmulator()));
    const client = createBedrock(
      { url: `${server.url}/model/`, key: "k-12345", modelIdPrefix: "none" },
      { env: {} },
    );
    const error = await failure(client.request(hi, { model: "fault.throttle-frame;after=3", maxRetries: 0 }));
    expect(error.name).toBe("ThrottlingException");
    expect(error.partial?.eventsDelivered).toBe(3);
    const http = await failure(client.request(hi, { model: "fault.http;status=503", maxRetries: 0 }));
    expect(http.status).toBe(503);
  });
});
