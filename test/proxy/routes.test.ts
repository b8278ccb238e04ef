import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createProxy, parseRoute } from "../../src/proxy";
import { TOKEN, UPSTREAM_KEY } from "./setup";

// What URL does a path turn into? The proxy's `fetch` option receives the upstream Request, so these tests
// see exactly where the proxy would connect (no network is used). Anything that is not a Converse route
// answers 404 UnknownOperationException; nothing in the request can change the host.

function capturing(options = {}) {
  const sent: Request[] = [];
  const proxy = createProxy({
    tokens: [TOKEN],
    upstreamKey: UPSTREAM_KEY,
    defaultRegion: "us-east-1",
    fetch: async (request) => {
      sent.push(request);
      return new Response("{}", {
        headers: { "content-type": "application/json", "x-amzn-RequestId": "r-1" },
      });
    },
    ...options,
  });
  const call = (path: string, init: RequestInit = {}) =>
    proxy.fetch(
      new Request(`http://proxy.test${path}`, {
        method: "POST",
        body: "{}",
        ...init,
        headers: { authorization: `Bearer ${TOKEN}`, ...(init.headers as Record<string, string>) },
      }),
    );
  return { sent, call };
}

async function expect404(response: Response) {
  expect(response.status).toBe(404);
  expect(response.headers.get("x-amzn-errortype")).toBe("UnknownOperationException");
  expect(response.headers.get("content-type")).toBe("application/json");
  const body = await response.json();
  expect(typeof body.message).toBe("string");
}

describe("routes", () => {
  it.each([
    [
      "/model/us-east-1.anthropic.claude-3-haiku-20240307-v1:0/converse",
      "us-east-1",
      "anthropic.claude-3-haiku-20240307-v1%3A0",
      "converse",
    ],
    [
      "/model/us-west-2.anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream",
      "us-west-2",
      "anthropic.claude-3-haiku-20240307-v1%3A0",
      "converse-stream",
    ],
    [
      "/model/eu-central-1.eu.anthropic.claude-3-7-sonnet-20250219-v1:0/converse",
      "eu-central-1",
      "eu.anthropic.claude-3-7-sonnet-20250219-v1%3A0",
      "converse",
    ],
    [
      "/model/anthropic.claude-3-haiku-20240307-v1:0/converse",
      "us-east-1",
      "anthropic.claude-3-haiku-20240307-v1%3A0",
      "converse",
    ],
    [
      "/model/us.amazon.nova-pro-v1:0/converse-stream",
      "us-east-1",
      "us.amazon.nova-pro-v1%3A0",
      "converse-stream",
    ],
    [
      "/model/us-gov-west-1.anthropic.claude-3-haiku-20240307-v1:0/converse",
      "us-gov-west-1",
      "anthropic.claude-3-haiku-20240307-v1%3A0",
      "converse",
    ],
    [
      "/model/ap-northeast-1.arn%3Aaws%3Abedrock%3Aap-northeast-1%3A123456789012%3Aapplication-inference-profile%2Fa1b2c3/converse",
      "ap-northeast-1",
      "arn%3Aaws%3Abedrock%3Aap-northeast-1%3A123456789012%3Aapplication-inference-profile%2Fa1b2c3",
      "converse",
    ],
  ])("%s -> bedrock-runtime.%s.amazonaws.com/model/%s/%s", async (path, region, id, op) => {
    const { sent, call } = capturing();
    const response = await call(path);
    expect(response.status).toBe(200);
    expect(sent).toHaveLength(1);
    expect(sent[0].url).toBe(`https://bedrock-runtime.${region}.amazonaws.com/model/${id}/${op}`);
    expect(sent[0].method).toBe("POST");
  });

  it("honours a custom mount, including the root", async () => {
    const under = capturing({ mount: "/bedrock/v1/" });
    expect((await under.call("/bedrock/v1/us-east-1.a.b/converse")).status).toBe(200);
    await expect404(await under.call("/model/us-east-1.a.b/converse"));
    const root = capturing({ mount: "/" });
    expect((await root.call("/us-east-1.a.b/converse")).status).toBe(200);
    expect(root.sent[0].url).toBe("https://bedrock-runtime.us-east-1.amazonaws.com/model/a.b/converse");
  });

  it("answers 404 for a region-less path when no defaultRegion is configured", async () => {
    const { sent, call } = capturing({ defaultRegion: undefined });
    const response = await call("/model/anthropic.claude-v2/converse");
    await expect404(response.clone());
    expect((await response.json()).message).toContain("defaultRegion");
    expect((await call("/model/us-east-1.anthropic.claude-v2/converse")).status).toBe(200);
    expect(sent).toHaveLength(1);
  });

  it.each([
    "/",
    "/model",
    "/model/",
    "/model//converse",
    "/model/us-east-1.anthropic.claude-v2",
    "/model/us-east-1.anthropic.claude-v2/invoke-async",
    "/model/guardrail/us-east-1.gr-1/version/latest/apply",
    "/model/guardrail/us-east-1.gr-1/version/1",
    "/model/us-east-1.anthropic.claude-v2/converse/",
    "/model/us-east-1.anthropic.claude-v2/converse/extra",
    "/model/arn:aws:bedrock:us-east-1:123456789012:inference-profile/x/converse",
    "/modelx/us-east-1.anthropic.claude-v2/converse",
    "/other/model/us-east-1.anthropic.claude-v2/converse",
    "/model/evil.com#/converse",
    "/model/@evil.com/converse",
    "/model/%40evil.com/converse",
    "/model/..%2F..%2Fevil/converse",
    "/model/%2e%2e/converse",
    "/model/us-east-1..evil/converse",
    "/model/us-east-1.%2Fevil/converse",
    "/model/us-east-1.a%20b/converse",
    "/model/us-east-1.%E0%A4%A/converse",
    "/model/us-east-1.%E3%83%A2%E3%83%87%E3%83%AB/converse",
    "/model/us-east-1.a%00b/converse",
    `/model/us-east-1.${"a".repeat(2049)}/converse`,
    "/model/us-east-1.a\\evil\\converse",
  ])("404 for %s", async (path) => {
    const { sent, call } = capturing();
    await expect404(await call(path));
    expect(sent).toHaveLength(0);
  });

  it("404 for other methods on a valid route", async () => {
    const { sent, call } = capturing();
    for (const method of ["GET", "PUT", "DELETE", "PATCH"]) {
      await expect404(
        await call("/model/us-east-1.a.b/converse", { method, body: method === "GET" ? null : "{}" }),
      );
    }
    expect(sent).toHaveLength(0);
  });

  it.each([
    ["/model/us-east-1.evil.com/converse", "us-east-1", "evil.com"],
    ["/model/us-east-1.evil.com%23/converse", "us-east-1", "evil.com%23"],
    ["/model/us-east-1.evil.com%3A443%2F..%2F..%2Fx/converse", "us-east-1", "evil.com%3A443%2F..%2F..%2Fx"],
    ["/model/us-east-1.a%40evil.com/converse", "us-east-1", "a%40evil.com"],
    ["/model/us-east-1.a%3F%26x%3D1/converse", "us-east-1", "a%3F%26x%3D1"],
    ["/model/us-east-1%2Eevil.com.model/converse", "us-east-1", "evil.com.model"],
    ["/model/us-east-1%2Fevil.com.x/converse", "us-east-1", "us-east-1%2Fevil.com.x"],
    ["/model/evil.com%2Fus-east-1.x/converse", "us-east-1", "evil.com%2Fus-east-1.x"],
    ["/model/US-WEST-2.model/converse", "us-east-1", "US-WEST-2.model"],
    ["/model/us-west-2x.model/converse", "us-east-1", "us-west-2x.model"],
    ["/model/evil-com-1.model/converse", "us-east-1", "evil-com-1.model"],
    ["/model/xx-evil-1%3A8080.model/converse", "us-east-1", "xx-evil-1%3A8080.model"],
  ])("hostile %s stays on bedrock-runtime.%s.amazonaws.com", async (path, region, encodedId) => {
    const { sent, call } = capturing();
    const response = await call(path, { headers: { host: "evil.com", "x-forwarded-host": "evil.com" } });
    expect(response.status).toBe(200);
    expect(sent[0].url).toBe(`https://bedrock-runtime.${region}.amazonaws.com/model/${encodedId}/converse`);
  });

  it("a region-shaped prefix that is not an AWS region name never becomes the host", async () => {
    // evil-com-1 matches the shape but would be bedrock-runtime.evil-com-1.amazonaws.com: still AWS's domain.
    // The guarantee under test: whatever the path, the host is bedrock-runtime.<[a-z0-9-]>.amazonaws.com.
    const { sent, call } = capturing();
    await call("/model/zz-evil-9.model/converse");
    expect(new URL(sent[0].url).hostname).toBe("bedrock-runtime.zz-evil-9.amazonaws.com");
  });

  it("property: any path either gets 404 or goes to bedrock-runtime.{region}.amazonaws.com/model/{one segment}/...", async () => {
    const { sent, call } = capturing();
    const piece = fc.oneof(
      fc.constantFrom(
        "us-east-1",
        "eu-west-3",
        ".",
        "..",
        "/",
        "%2F",
        "%2f",
        "%2E",
        "#",
        "?",
        "@",
        ":",
        "%3A",
        "%",
        "%25",
        "\\",
        "evil.com",
        "a",
      ),
      fc.string({ unit: "grapheme", maxLength: 6 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(piece, { maxLength: 8 }),
        fc.constantFrom("converse", "converse-stream"),
        async (parts, op) => {
          const before = sent.length;
          let response: Response;
          try {
            response = await call(`/model/${parts.join("")}/${op}`);
          } catch {
            return; // not a URL the Request constructor accepts: nothing was sent
          }
          if (response.status === 404) {
            expect(sent.length).toBe(before);
            return;
          }
          expect(response.status).toBe(200);
          const url = new URL(sent[before].url);
          expect(url.protocol).toBe("https:");
          expect(url.hostname).toMatch(/^bedrock-runtime\.[a-z]{2}(-gov)?-[a-z]+-\d{1,2}\.amazonaws\.com$/);
          expect(url.port).toBe("");
          expect(url.username + url.password + url.search + url.hash).toBe("");
          expect(url.pathname).toMatch(/^\/model\/[^/]+\/converse(-stream)?$/);
          expect(url.pathname.split("/")[2]).not.toMatch(/^\.\.?$/);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("parseRoute decodes the id once and splits off the region", () => {
    expect(parseRoute("/model/us-east-1.a.b%253A0/converse", "/model")).toEqual({
      region: "us-east-1",
      modelId: "a.b%3A0",
      operation: "converse",
      regionInPath: true,
    });
    expect(parseRoute("/model/a.b/converse", "/model")).toMatch(/defaultRegion/);
  });
});

describe("routes of the operations beyond Converse", () => {
  it.each([
    ["/model/us-east-1.anthropic.claude-v2/count-tokens", "/model/anthropic.claude-v2/count-tokens"],
    ["/model/eu-west-1.amazon.titan-embed-text-v2:0/invoke", "/model/amazon.titan-embed-text-v2%3A0/invoke"],
    [
      "/model/us-east-1.anthropic.claude-v2/invoke-with-response-stream",
      "/model/anthropic.claude-v2/invoke-with-response-stream",
    ],
    ["/model/guardrail/us-west-2.gr-abc123/version/DRAFT/apply", "/guardrail/gr-abc123/version/DRAFT/apply"],
    ["/model/guardrail/gr-abc123/version/12/apply", "/guardrail/gr-abc123/version/12/apply"],
    [
      "/model/guardrail/us-east-1.arn:aws:bedrock:us-east-1:123456789012:guardrail%2Fgr-1/version/1/apply",
      "/guardrail/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aguardrail%2Fgr-1/version/1/apply",
    ],
  ])("%s -> %s", async (path, upstreamPath) => {
    const { sent, call } = capturing();
    const response = await call(path);
    expect(response.status).toBe(200);
    expect(sent).toHaveLength(1);
    const url = new URL(sent[0].url);
    expect(url.pathname).toBe(upstreamPath);
    expect(url.host).toMatch(/^bedrock-runtime\.[a-z0-9-]+\.amazonaws\.com$/);
  });

  it.each([
    "/model/guardrail/us-east-1.gr-1/version/../apply",
    "/model/guardrail/us-east-1.gr-1/version/0/apply",
    "/model/guardrail/us-east-1.gr-1/version/1/apply/extra",
    "/model/guardrail/us-east-1.evil.com%2F..%2F/version/1",
  ])("404 for %s", async (path) => {
    const { sent, call } = capturing();
    const response = await call(path);
    expect(response.status).toBe(404);
    expect(sent).toHaveLength(0);
  });

  it("a guardrail route is not a model: parseRoute names its version", () => {
    expect(parseRoute("/model/guardrail/us-west-2.gr-1/version/3/apply", "/model")).toEqual({
      region: "us-west-2",
      modelId: "gr-1",
      operation: "apply-guardrail",
      regionInPath: true,
      guardrailVersion: "3",
    });
  });
});
