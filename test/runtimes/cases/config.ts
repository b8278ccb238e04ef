// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:...} / ${file:...} placeholders are the config syntax under test
import { ConfigError, createBedrock, resolveConfig, resolveModel } from "bedrock-edge";
import { DOCUMENT } from "../../helpers/eca-config.ts";
import { deepEqual, equal, match, ok, test, throws } from "./harness.ts";

test("config: a providers document with ${env:VAR} and ${env:VAR:default} resolves from an explicit env", () => {
  const c = resolveConfig(DOCUMENT, { env: { BEDROCK_API_KEY: "k-123" } });
  equal(c.key, "k-123", "key");
  equal(c.region, "us-east-1", "region default");
  equal(c.url, "https://api.company.com/ai-gateway/1.0/model/", "url");
  deepEqual(c.models["claude-3-sonnet"].extraPayload, { temperature: 0.7, top_k: 200, stream: false });
  equal(
    resolveConfig(DOCUMENT, { env: { BEDROCK_API_KEY: "k", AWS_REGION: "eu-west-1" } }).region,
    "eu-west-1",
  );
});

test("config: an unset variable is a ConfigError naming the variable and the path", () => {
  const e = throws(() => resolveConfig(DOCUMENT, { env: {} }), {
    instance: ConfigError,
    name: "ConfigError",
  });
  match(e.message, /BEDROCK_API_KEY/);
  equal(e.path, "providers.bedrock.key", "path");
  equal(e.phase, "config", "phase");
});

test("config: a wrong type names its path; an unknown key lists the allowed ones", () => {
  const bad = { providers: { bedrock: { models: { x: { modelName: 5 } } } } };
  const e = throws(() => resolveConfig(bad, { env: {} }), { instance: ConfigError });
  match(e.message, /^providers\.bedrock\.models\.x\.modelName: expected string/);
  const typo = throws(() => resolveConfig({ regoin: "us-east-1" }, { env: {} }), { instance: ConfigError });
  match(typo.message, /unknown key "regoin"/);
  match(typo.message, /region/);
  equal(
    throws(() => resolveConfig({ region: "useast1" }, { env: {} }), {}).path,
    "region",
    "bad region path",
  );
});

test("config: a secret never appears in a config error", () => {
  const e = throws(() => resolveConfig({ key: "sk-SECRET-VALUE", region: 5 }, { env: {} }), {
    instance: ConfigError,
  });
  ok(!e.message.includes("sk-SECRET-VALUE"), `the key leaked into: ${e.message}`);
});

test("config: models resolve by alias, bedrock/alias, or a raw model id", () => {
  const c = resolveConfig(DOCUMENT, { env: { BEDROCK_API_KEY: "k" } });
  for (const name of ["claude-3-sonnet", "bedrock/claude-3-sonnet"]) {
    equal(resolveModel(c, name).modelName, "anthropic.claude-3-sonnet-20240229-v1:0", name);
  }
  equal(resolveModel(c, "amazon.nova-lite-v1:0").modelName, "amazon.nova-lite-v1:0", "raw id");
  equal(resolveModel(c).alias, "claude-3-sonnet", "single model needs no name");
  throws(() => resolveModel(c, "nope"), { message: /unknown model "nope"/ });
});

test("config: createBedrock takes env explicitly (no process.env needed) and exposes the resolved config", () => {
  const client = createBedrock(
    { key: "${env:MY_KEY}", region: "ap-northeast-1" },
    { env: { MY_KEY: "abc" } },
  );
  equal(client.config.key, "abc", "key from env");
  equal(client.config.region, "ap-northeast-1", "region");
  equal(typeof client.stream, "function", "stream");
});

test("config: an ECA document's provider by api, defaultModel; ${file:} without a file reader is a ConfigError", () => {
  const doc = {
    defaultModel: "corp/nova",
    providers: {
      openai: { api: "openai-chat" },
      corp: { api: "bedrock", models: { nova: { modelName: "amazon.nova-lite-v1:0" }, other: {} } },
    },
  };
  const c = resolveConfig(doc, { env: { CORP_API_KEY: "k-from-env" } });
  equal(c.key, "k-from-env", "<PROVIDER>_API_KEY fallback");
  equal(resolveModel(c).modelName, "amazon.nova-lite-v1:0", "defaultModel");
  const e = throws(() => resolveConfig({ key: "${file:/run/secrets/key}" }, { env: {} }), {
    instance: ConfigError,
  });
  match(e.message, /needs a file system/);
  match(
    throws(() => resolveConfig({ key: "${env: K}" }, { env: { K: "v" } }), {}).message,
    /malformed placeholder/,
  );
});
