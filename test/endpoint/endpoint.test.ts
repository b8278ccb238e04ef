import { describe, expect, it } from "vitest";
import { buildEndpoint } from "../../src/endpoint/build";
import { geographyOf, prefixModelId } from "../../src/endpoint/model-id";

describe("buildEndpoint", () => {
  it("the documented proxy example, literally", () => {
    expect(
      buildEndpoint(
        { url: "https://proxy.example.com/model/", region: "us-east-1" },
        "anthropic.claude-3-sonnet-20240229-v1:0",
        false,
      ),
    ).toBe("https://proxy.example.com/model/us-east-1.anthropic.claude-3-sonnet-20240229-v1:0/converse");
  });

  it("the documented modelIdPrefix region example, literally", () => {
    expect(
      buildEndpoint({ region: "eu-west-1", modelIdPrefix: "region" }, "cohere.command-r-v1:0", true),
    ).toBe(
      "https://bedrock-runtime.eu-west-1.amazonaws.com/model/eu-west-1.cohere.command-r-v1:0/converse-stream",
    );
  });

  it("adds a missing trailing slash to url and streams by default", () => {
    expect(
      buildEndpoint({ url: "https://p.example.com/model", region: "us-west-2" }, "amazon.nova-pro-v1:0"),
    ).toBe("https://p.example.com/model/us-west-2.amazon.nova-pro-v1:0/converse-stream");
  });

  it("talks to AWS directly without a region prefix, percent-encoding the id as the AWS SDKs do", () => {
    expect(buildEndpoint({ region: "us-east-1" }, "anthropic.claude-3-haiku-20240307-v1:0", true)).toBe(
      "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream",
    );
    const arn =
      "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0";
    expect(buildEndpoint({}, arn, false)).toBe(
      `https://bedrock-runtime.us-east-1.amazonaws.com/model/${"arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-3-7-sonnet-20250219-v1%3A0"}/converse`,
    );
  });

  it("geo prefixes the inference geography of the region", () => {
    expect(
      buildEndpoint(
        { region: "us-east-1", modelIdPrefix: "geo" },
        "anthropic.claude-3-haiku-20240307-v1:0",
        false,
      ),
    ).toBe(
      "https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-3-haiku-20240307-v1%3A0/converse",
    );
    expect(geographyOf("eu-west-1")).toBe("eu");
    expect(geographyOf("ap-northeast-1")).toBe("apac");
    expect(geographyOf("us-gov-west-1")).toBe("us-gov");
    expect(() => geographyOf("sa-east-1")).toThrow(/no cross-region inference geography/);
  });

  it("never prefixes an id that already has a geography, a region, or is an ARN", () => {
    for (const id of [
      "us.a.b",
      "eu.a.b",
      "apac.a.b",
      "jp.a.b",
      "au.a.b",
      "us-gov.a.b",
      "global.a.b",
      "us-east-1.a.b",
      "arn:aws:bedrock:x",
    ]) {
      expect(prefixModelId(id, "region", "eu-west-1")).toBe(id);
      expect(prefixModelId(id, "geo", "eu-west-1")).toBe(id);
    }
    expect(prefixModelId("a.b", "none", "eu-west-1")).toBe("a.b");
  });

  it("region mode with url, none without, and us-east-1 when no region is set", () => {
    expect(buildEndpoint({ url: "http://127.0.0.1:1/model/" }, "a.b")).toBe(
      "http://127.0.0.1:1/model/us-east-1.a.b/converse-stream",
    );
    expect(buildEndpoint({ url: "http://127.0.0.1:1/model/", modelIdPrefix: "none" }, "a.b:0")).toBe(
      "http://127.0.0.1:1/model/a.b:0/converse-stream",
    );
  });
});
