// The proxy's routes (src/proxy/route.ts) as pure functions: the refusals a caller reads, and the upstream
// URL's last check. Written against the survivors of `npm run test:mutation -- src/proxy/route.ts`.
import { describe, expect, it } from "vitest";
import { parseRoute, type Route, upstreamUrl } from "../../src/proxy/route";

const M = "/bedrock";

describe("parseRoute refusals say what was wrong", () => {
  it("a path outside the mount", () => {
    expect(parseRoute("/other/us-east-1.m/converse", M)).toBe("the path must start with /bedrock/");
  });

  it("five segments that are not guardrail/{id}/version/{v}/apply are no guardrail route", () => {
    for (const path of [
      "/bedrock/foo/us-east-1.gr-1/version/1/apply",
      "/bedrock/guardrail/us-east-1.gr-1/versions/1/apply",
      "/bedrock/guardrail/us-east-1.gr-1/version/1/delete",
    ]) {
      const result = parseRoute(path, M);
      expect(typeof result, path).toBe("string");
      expect(result as string).toContain("/bedrock/{region}.{modelId}/converse");
      expect(result as string).toContain("/bedrock/guardrail/{region}.{guardrailId}/version/{version}/apply");
    }
  });

  it("a guardrail version must be DRAFT or a whole number, nothing around it", () => {
    for (const version of ["1x", "x1", "0", "DRAFTS"]) {
      expect(parseRoute(`/bedrock/guardrail/us-east-1.gr-1/version/${version}/apply`, M), version).toBe(
        "the guardrail version must be DRAFT or a number",
      );
    }
    expect(parseRoute("/bedrock/guardrail/us-east-1.gr-1/version/12/apply", M)).toMatchObject({
      guardrailVersion: "12",
      operation: "apply-guardrail",
    });
  });

  it("malformed percent-encoding, and ids that are not Bedrock model ids", () => {
    expect(parseRoute("/bedrock/us-east-1.m%E0%A4%A/converse", M)).toBe(
      "the model id has malformed percent-encoding",
    );
    expect(parseRoute("/bedrock/us-east-1..hidden/converse", M)).toBe(
      "the model id is not a valid Bedrock model identifier",
    );
  });

  it("an id without a dot never names a region, even when it starts like one", () => {
    expect(parseRoute("/bedrock/us-west-23/converse", M, "eu-west-1")).toMatchObject({
      region: "eu-west-1",
      modelId: "us-west-23",
      regionInPath: false,
    });
  });
});

describe("upstreamUrl: a route that would not map to exactly one Bedrock URL is refused", () => {
  const base: Route = { region: "us-east-1", modelId: "m", operation: "converse", regionInPath: true };
  it("whatever a region or a guardrail version held (host, case, query, fragment, dot segments)", () => {
    for (const route of [
      { ...base, region: "evil.example/x" },
      { ...base, region: "US-EAST-1" },
      { ...base, region: "us-east-1?x=1" },
      { ...base, region: "us-east-1#x" },
      { ...base, operation: "apply-guardrail" as const, guardrailVersion: "../../model/m/invoke" },
    ]) {
      expect(() => upstreamUrl(route), JSON.stringify(route)).toThrow(
        "upstreamUrl: the route does not map to a single Bedrock URL",
      );
    }
    expect(upstreamUrl(base).href).toBe("https://bedrock-runtime.us-east-1.amazonaws.com/model/m/converse");
  });
});
