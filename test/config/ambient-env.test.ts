// When no `env` is passed, the process environment is read only if the config needs it: no key or credentials
// of its own, or a `${env:...}` it writes. (Deno's refusal of the read is tested on real Deno in
// test/runtimes/deno-env.test.ts.)
import { afterEach, describe, expect, it, vi } from "vitest";
import { createBedrock } from "../../src/client/create";
import { resolveConfig } from "../../src/config/resolve";

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("the ambient environment", () => {
  it("is not read when the config has its own key: AWS_REGION and the log level variable are ignored", () => {
    vi.stubEnv("AWS_REGION", "eu-west-1");
    vi.stubEnv("BEDROCK_EDGE_LOG_LEVEL", "debug");
    const config = resolveConfig({ key: "my-key" });
    expect(config.region).toBeUndefined();
    expect(config.env).toEqual({});
    expect(createBedrock({ key: "my-key" }).config.region).toBeUndefined();
  });

  it("is not read when credentials (or an auth) are given", () => {
    vi.stubEnv("AWS_REGION", "eu-west-1");
    const credentials = { accessKeyId: "AKID", secretAccessKey: "secret" };
    expect(resolveConfig({ credentials }).region).toBeUndefined();
    expect(resolveConfig({}, { auth: async (r) => r }).region).toBeUndefined();
  });

  it("is read when there is no key, so the key and region can come from it", () => {
    vi.stubEnv("AWS_REGION", "eu-west-1");
    vi.stubEnv("BEDROCK_API_KEY", "env-key");
    const config = resolveConfig({});
    expect(config.region).toBe("eu-west-1");
    expect(config.env.BEDROCK_API_KEY).toBe("env-key");
  });

  it("is read when the config writes an env template, even with a key", () => {
    vi.stubEnv("MY_REGION", "ap-south-1");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the config syntax under test
    expect(resolveConfig({ key: "my-key", region: "${env:MY_REGION}" }).region).toBe("ap-south-1");
  });

  it("an env passed explicitly is used as is", () => {
    vi.stubEnv("AWS_REGION", "eu-west-1");
    expect(resolveConfig({ key: "k" }, { env: { AWS_REGION: "us-west-2" } }).region).toBe("us-west-2");
  });
});
