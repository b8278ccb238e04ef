// The proxy's CORS rules (src/proxy/cors.ts), on their own: written against the survivors of
// `npm run test:mutation -- src/proxy/cors.ts`.
import { describe, expect, it } from "vitest";
import { isAllowedOrigin, normalizeOrigins, preflightResponse } from "../../src/proxy/cors";

describe("allowedOrigins: exact origins only", () => {
  it("allows no origin when none is given", () => {
    expect(normalizeOrigins(undefined)).toEqual([]);
  });

  it("refuses a policy that is neither an array nor a function", () => {
    expect(() => normalizeOrigins("https://app.example.com" as never)).toThrow(
      "createProxy: allowedOrigins must be an array of origins or a function",
    );
  });

  it('refuses "*", "null" and entries that are not strings, naming the entry', () => {
    for (const [entry, i] of [
      ["*", 0],
      ["null", 0],
      [42, 0],
    ] as const) {
      expect(() => normalizeOrigins([entry as string])).toThrow(
        `createProxy: allowedOrigins[${i}] must be an origin such as "https://app.example.com" ("*" and "null" are not allowed)`,
      );
    }
    expect(() => normalizeOrigins(["https://ok.example", "*"])).toThrow(/allowedOrigins\[1\]/);
  });

  it("refuses anything beyond scheme://host[:port], and schemes other than http and https", () => {
    for (const entry of [
      "https://app.example.com#",
      "https://app.example.com?",
      "https://app.example.com/path",
      "httpsx://app.example.com/",
      "web+https://app.example.com/",
      "ftp://app.example.com",
    ]) {
      expect(() => normalizeOrigins([entry]), entry).toThrow(/must be scheme:\/\/host\[:port\] only/);
    }
    expect(normalizeOrigins(["https://app.example.com/", "http://localhost:5173"])).toEqual([
      "https://app.example.com",
      "http://localhost:5173",
    ]);
  });

  it('never allows the "null" origin (sandboxed frames, file: pages), even to a policy function that says yes', () => {
    expect(isAllowedOrigin(() => true, "null")).toBe(false);
    expect(isAllowedOrigin(() => true, "https://any.example")).toBe(true);
  });
});

describe("preflight", () => {
  const request = (headers: Record<string, string>) =>
    new Request("https://proxy.test/model/x/converse", { method: "OPTIONS", headers });

  it("answers 204, uncached, varying on the request's method and headers, POST only, for 10 minutes", () => {
    const response = preflightResponse(
      request({ "access-control-request-method": "POST" }),
      "https://app.example",
    );
    expect(response.status).toBe(204);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("vary")).toBe(
      "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
    );
    expect(response.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(response.headers.get("access-control-allow-methods")).toBe("POST");
    expect(response.headers.get("access-control-max-age")).toBe("600");
    // Without Access-Control-Request-Headers: the SDK's own three.
    expect(response.headers.get("access-control-allow-headers")).toBe("authorization, content-type, accept");
  });

  it("allows the AWS headers a page asks for in any case and spacing, and no others", () => {
    const response = preflightResponse(
      request({ "access-control-request-headers": " X-Amz-Date ,Content-Type, X-Custom, amz-sdk-request" }),
      "https://app.example",
    );
    expect(response.headers.get("access-control-allow-headers")).toBe(
      "authorization, content-type, accept, x-amz-date, amz-sdk-request",
    );
  });
});
