import { describe, expect, it } from "vitest";
import { resolveConfig, resolveModel } from "../../src/config/resolve";
import { ConfigError } from "../../src/errors";
import { DOCUMENT } from "../helpers/eca-config";

const ECA = DOCUMENT;

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("resolveConfig", () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the config syntax under test
  it("accepts the whole ECA document and interpolates ${env:VAR} and ${env:VAR:default}", () => {
    const c = resolveConfig(ECA, { env: { BEDROCK_API_KEY: "k-123" } });
    expect(c.key).toBe("k-123");
    expect(c.region).toBe("us-east-1");
    expect(c.url).toBe("https://api.company.com/ai-gateway/1.0/model/");
    expect(c.models["claude-3-sonnet"].extraPayload).toEqual({ temperature: 0.7, top_k: 200, stream: false });
    const withRegion = resolveConfig(ECA, { env: { BEDROCK_API_KEY: "k", AWS_REGION: "eu-west-1" } });
    expect(withRegion.region).toBe("eu-west-1");
  });

  it("accepts the bare provider block", () => {
    const c = resolveConfig(ECA.providers.bedrock, { env: { BEDROCK_API_KEY: "k" } });
    expect(Object.keys(c.models)).toEqual(["claude-3-sonnet"]);
  });

  it("names an unset variable without default", () => {
    const e = configError(() => resolveConfig(ECA, { env: {} }));
    expect(e.message).toContain("BEDROCK_API_KEY");
    expect(e.path).toBe("providers.bedrock.key");
  });

  it("names the bad path, e.g. providers.bedrock.models.x.modelName: expected string", () => {
    const bad = { providers: { bedrock: { models: { x: { modelName: 5 } } } } };
    const e = configError(() => resolveConfig(bad, { env: {} }));
    expect(e.message).toMatch(/^providers\.bedrock\.models\.x\.modelName: expected string/);
  });

  it("rejects unknown keys and lists the allowed ones", () => {
    const e = configError(() => resolveConfig({ regoin: "us-east-1" }, { env: {} }));
    expect(e.message).toContain('unknown key "regoin"');
    expect(e.message).toContain("region");
    const m = configError(() =>
      resolveConfig({ models: { a: { modelName: "x.y", extra: 1 } } }, { env: {} }),
    );
    expect(m.message).toContain('unknown key "extra"');
    expect(m.message).toContain("extraPayload");
  });

  it("rejects a malformed region and url", () => {
    expect(configError(() => resolveConfig({ region: "useast1" }, { env: {} })).path).toBe("region");
    expect(configError(() => resolveConfig({ url: "not a url" }, { env: {} })).path).toBe("url");
  });

  it("without a region in the config, AWS_REGION then AWS_DEFAULT_REGION decide it, as in the AWS SDKs", async () => {
    expect(resolveConfig({}, { env: { AWS_DEFAULT_REGION: "ap-south-1" } }).region).toBe("ap-south-1");
    expect(
      resolveConfig({}, { env: { AWS_REGION: "eu-west-1", AWS_DEFAULT_REGION: "ap-south-1" } }).region,
    ).toBe("eu-west-1");
    expect(resolveConfig({ region: "us-west-2" }, { env: { AWS_REGION: "eu-west-1" } }).region).toBe(
      "us-west-2",
    );
    expect(resolveConfig({}, { env: {} }).region).toBeUndefined();
    const bad = configError(() => resolveConfig({}, { env: { AWS_REGION: "Europe" } }));
    expect(bad.path).toBe("env.AWS_REGION");
    expect(bad.message).toContain('"Europe" is not an AWS region');
    // The client then calls that region's endpoint.
    const seen: string[] = [];
    const { createBedrock } = await import("../../src/client/create");
    await createBedrock(
      { key: "region-test-key", maxRetries: 0 },
      {
        env: { AWS_REGION: "eu-central-1" },
        fetch: async (input) => {
          seen.push(new Request(input).url);
          return new Response("{}", { status: 404 });
        },
      },
    )
      .request([{ role: "user", content: "hi" }], { model: "anthropic.claude-3-haiku-20240307-v1:0" })
      .catch(() => {});
    expect(seen[0]).toMatch(/^https:\/\/bedrock-runtime\.eu-central-1\.amazonaws\.com\/model\//);
  });

  it("never puts a secret into an error message", () => {
    const e = configError(() => resolveConfig({ key: "sk-SECRET-VALUE", region: 5 }, { env: {} }));
    expect(e.message).not.toContain("sk-SECRET-VALUE");
  });
});

describe("resolveModel", () => {
  const c = resolveConfig(ECA, { env: { BEDROCK_API_KEY: "k" } });
  it("resolves an alias and bedrock/alias to its modelName with extraPayload", () => {
    for (const name of ["claude-3-sonnet", "bedrock/claude-3-sonnet"]) {
      const m = resolveModel(c, name);
      expect(m.modelName).toBe("anthropic.claude-3-sonnet-20240229-v1:0");
      expect(m.extraPayload.top_k).toBe(200);
    }
  });
  it("uses an unknown name that looks like a model id or ARN as is", () => {
    expect(resolveModel(c, "amazon.nova-lite-v1:0").modelName).toBe("amazon.nova-lite-v1:0");
    const arn =
      "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0";
    expect(resolveModel(c, arn).modelName).toBe(arn);
  });
  it("needs no name when the config has one model, and says which exist otherwise", () => {
    expect(resolveModel(c).alias).toBe("claude-3-sonnet");
    const two = resolveConfig({ models: { a: { modelName: "x.a" }, b: { modelName: "x.b" } } }, { env: {} });
    expect(() => resolveModel(two)).toThrow(/one of a, b/);
    expect(() => resolveModel(two, "nope")).toThrow(/unknown model "nope"/);
  });
});
