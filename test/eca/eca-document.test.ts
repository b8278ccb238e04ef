// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:...} and ${file:...} are the config syntax under test
// ECA documents as ECA writes them (issue 13): providers named freely and marked by `api`, `defaultModel`,
// per-model `extraHeaders`, `${file:PATH}`, the <PROVIDER>_API_KEY / _API_URL fallbacks, strict placeholders.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createBedrock } from "../../src/client/create";
import { envNameOf, resolveConfig, resolveModel } from "../../src/config/resolve";
import { ConfigError } from "../../src/errors";
import { fileReader } from "../../src/node";
import { capture } from "../helpers/fixtures";
import { EVENT_STREAM, loopback } from "../helpers/server";

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

const HAIKU = "anthropic.claude-3-haiku-20240307-v1:0";
const NOVA = "amazon.nova-lite-v1:0";

const corp = (extra: Record<string, unknown> = {}) => ({
  providers: {
    openai: { api: "openai-responses", key: "${env:OPENAI_API_KEY}", models: { "gpt-5": {} } },
    "corp-bedrock": {
      api: "bedrock",
      key: "corp-key-123456",
      region: "eu-west-1",
      models: { haiku: { modelName: HAIKU }, nova: { modelName: NOVA } },
    },
  },
  ...extra,
});

let server: Awaited<ReturnType<typeof loopback>> | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("choosing the Bedrock provider of an ECA document", () => {
  it("takes the provider marked api: bedrock, whatever its name, and ignores the others", () => {
    const c = resolveConfig(corp(), { env: {} });
    expect(c.region).toBe("eu-west-1");
    expect(c.key).toBe("corp-key-123456");
    expect(Object.keys(c.models)).toEqual(["haiku", "nova"]);
    // corp-bedrock/haiku names a model of this provider, as ECA writes it.
    expect(resolveModel(c, "corp-bedrock/haiku").modelName).toBe(HAIKU);
  });

  it("with several Bedrock providers: the provider option chooses; without it the error lists them", () => {
    const doc = corp();
    (doc.providers as any).bedrock2 = { api: "bedrock", region: "us-west-2", key: "k2-abcdef" };
    const e = configError(() => resolveConfig(doc, { env: {} }));
    expect(e.message).toMatch(/several Bedrock providers \(corp-bedrock, bedrock2\).*provider option/);
    expect(resolveConfig(doc, { env: {}, provider: "bedrock2" }).region).toBe("us-west-2");
    const notBedrock = configError(() => resolveConfig(doc, { env: {}, provider: "openai" }));
    expect(notBedrock.path).toBe("providers.openai.api");
    expect(configError(() => resolveConfig(doc, { env: {}, provider: "nope" })).message).toMatch(
      /no provider "nope"/,
    );
  });

  it("no Bedrock provider at all is an error naming what the document has", () => {
    const e = configError(() =>
      resolveConfig({ providers: { openai: { api: "openai-chat" } } }, { env: {} }),
    );
    expect(e.message).toMatch(/no Bedrock provider: mark one with "api": "bedrock".*openai/);
  });

  it("defaultModel (provider/model) is the model when a call names none", () => {
    const c = resolveConfig(corp({ defaultModel: "corp-bedrock/nova" }), { env: {} });
    expect(resolveModel(c).modelName).toBe(NOVA);
    expect(resolveModel(c, "haiku").modelName).toBe(HAIKU);
    // defaultModel also decides between two Bedrock providers.
    const doc = corp({ defaultModel: "corp-bedrock/haiku" });
    (doc.providers as any).other = { api: "bedrock", key: "k-other-123" };
    expect(resolveConfig(doc, { env: {} }).key).toBe("corp-key-123456");
  });

  it("a model entry without modelName uses its alias as the id, as in ECA", () => {
    const c = resolveConfig(
      { providers: { b: { api: "bedrock", key: "kkkk", models: { [NOVA]: {} } } } },
      { env: {} },
    );
    expect(resolveModel(c).modelName).toBe(NOVA);
  });

  it("falls back to <PROVIDER>_API_KEY and <PROVIDER>_API_URL (upper case, - to _)", () => {
    expect(envNameOf("corp-bedrock", "API_KEY")).toBe("CORP_BEDROCK_API_KEY");
    expect(envNameOf("myCompany", "API_URL")).toBe("MY_COMPANY_API_URL");
    const doc = { providers: { "corp-bedrock": { api: "bedrock", models: { h: { modelName: HAIKU } } } } };
    const c = resolveConfig(doc, {
      env: { CORP_BEDROCK_API_KEY: "env-key-999", CORP_BEDROCK_API_URL: "https://gw.example.com/model/" },
    });
    expect(c.key).toBe("env-key-999");
    expect(c.url).toBe("https://gw.example.com/model/");
    // The config's own values win.
    const own = resolveConfig(corp(), { env: { CORP_BEDROCK_API_KEY: "env-key-999" } });
    expect(own.key).toBe("corp-key-123456");
  });

  it("accepts ECA keys that do not apply to Bedrock (fetchModels, reasoningHistory) and ignores them", () => {
    const doc = corp();
    Object.assign((doc.providers as any)["corp-bedrock"], { fetchModels: false });
    (doc.providers as any)["corp-bedrock"].models.haiku.reasoningHistory = "turn";
    expect(resolveConfig(doc, { env: {} }).models.haiku).toEqual({ modelName: HAIKU });
  });
});

describe("per-model extraHeaders", () => {
  it("go with every request to that model, and only that model", async () => {
    const cap = capture("test_bedrock_model_stream");
    server = await loopback((_, res) => {
      res.writeHead(200, EVENT_STREAM);
      res.end(cap.bytes);
    });
    const doc = corp();
    const block = (doc.providers as any)["corp-bedrock"];
    block.url = `${server.url}/model/`;
    block.modelIdPrefix = "none";
    block.models.haiku.extraHeaders = { "User-Agent": "MyAgent/1.0", "x-team": "search" };
    const client = createBedrock(doc, { env: {} });
    await client.request([{ role: "user", content: "hi" }], { model: "haiku" });
    await client.request([{ role: "user", content: "hi" }], { model: "nova" });
    expect(server.received[0].headers["user-agent"]).toBe("MyAgent/1.0");
    expect(server.received[0].headers["x-team"]).toBe("search");
    expect(server.received[1].headers["x-team"]).toBeUndefined();
  });
});

describe("placeholders", () => {
  const withKey = (key: string) => ({ providers: { bedrock: { api: "bedrock", key } } });
  it.each([
    "${env: BEDROCK_API_KEY}",
    "${ENV:BEDROCK_API_KEY}",
    "${env:BEDROCK_API_KEY",
    "${ env:BEDROCK_API_KEY}",
    "${file: key.txt}",
  ])("%s is a ConfigError naming the path, never the literal key", (key) => {
    const e = configError(() => resolveConfig(withKey(key), { env: { BEDROCK_API_KEY: "secret-value" } }));
    expect(e.path).toBe("providers.bedrock.key");
    expect(e.message).toMatch(/malformed placeholder/);
  });

  it("${cmd:...} and ${netrc:...} are refused as unsupported, not sent as keys", () => {
    for (const key of ["${cmd:pass show bedrock}", "${netrc:api.example.com}"]) {
      expect(configError(() => resolveConfig(withKey(key), { env: {} })).message).toMatch(/not supported/);
    }
  });

  it("text that is not a placeholder stays as it is", () => {
    const doc = corp();
    (doc.providers as any)["corp-bedrock"].models.haiku.extraPayload = { system: "Fill ${name} in" };
    expect(resolveConfig(doc, { env: {} }).models.haiku.extraPayload).toEqual({ system: "Fill ${name} in" });
  });

  it("${file:PATH} reads the file through the reader given (trailing newline dropped), relative to its base", () => {
    const dir = mkdtempSync(join(tmpdir(), "eca-file-"));
    writeFileSync(join(dir, "key.txt"), "file-key-123456\n");
    const c = resolveConfig(withKey("${file:key.txt}"), { env: {}, readFile: fileReader(dir) });
    expect(c.key).toBe("file-key-123456");
    const missing = configError(() =>
      resolveConfig(withKey("${file:nope.txt}"), { env: {}, readFile: fileReader(dir) }),
    );
    expect(missing.message).toMatch(/cannot read the file/);
  });

  it("${file:PATH} with no reader (Workers, browsers) is a clear ConfigError", () => {
    const e = configError(() => resolveConfig(withKey("${file:/etc/key}"), { env: {} }));
    expect(e.path).toBe("providers.bedrock.key");
    expect(e.message).toMatch(/needs a file system/);
  });
});

describe("misspelt keys", () => {
  it("modelname is named as the unknown key, with the allowed ones and a suggestion", () => {
    const doc = corp();
    (doc.providers as any)["corp-bedrock"].models.nova = { modelname: NOVA };
    const e = configError(() => resolveConfig(doc, { env: {} }));
    expect(e.path).toBe("providers.corp-bedrock.models.nova.modelname");
    expect(e.message).toMatch(
      /unknown key "modelname" \(did you mean "modelName"\? allowed: modelName, extraPayload, extraHeaders\)/,
    );
  });

  it("regoin suggests region", () => {
    const e = configError(() => resolveConfig({ regoin: "us-east-1", key: "kkkk" }, { env: {} }));
    expect(e.message).toMatch(/unknown key "regoin" \(did you mean "region"\?/);
  });
});
