import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The signer uses only crypto.subtle, TextEncoder, btoa and Request: the same bundle must give the same
// Authorization, body bytes, presigned URL and API key on Node, Deno, Bun and workerd (Cloudflare Workers).

const run = promisify(execFile);
const ROOT = join(__dirname, "..", "..");
const BIN = join(ROOT, "node_modules", ".bin");

const PROBE = `
import { signRequest, presignUrl } from "${join(ROOT, "src/auth/sigv4")}";
import { createBedrockApiKey } from "${join(ROOT, "src/auth/api-key")}";
export async function probe() {
  const credentials = { accessKeyId: "ASIAEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "tok/en+=" };
  const now = new Date("2025-05-05T05:05:05Z");
  const body = JSON.stringify({ messages: [{ role: "user", content: [{ text: "Grüße 👋 你好" }] }] });
  const request = new Request("https://bedrock-runtime.us-east-1.amazonaws.com/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ainference-profile%2Fus.x.y-v1%3A0/converse", {
    method: "POST", headers: { "content-type": "application/json", "x-amzn-bedrock-trace": "ENABLED" }, body,
  });
  const signed = await signRequest(request, { credentials, region: "us-east-1", now });
  return {
    authorization: signed.headers.get("authorization"),
    sha: signed.headers.get("x-amz-content-sha256"),
    token: signed.headers.get("x-amz-security-token"),
    bodyIntact: (await signed.text()) === body,
    presigned: await presignUrl("https://bedrock.amazonaws.com/?Action=Probe", { credentials, region: "eu-west-1", now }),
    apiKey: await createBedrockApiKey({ credentials, region: "us-west-2", now }),
  };
}
`;

let dir: string;
let bundle: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sigv4-runtimes-"));
  writeFileSync(join(dir, "probe.ts"), PROBE);
  await build({
    entryPoints: [join(dir, "probe.ts")],
    bundle: true,
    format: "esm",
    platform: "neutral",
    outfile: join(dir, "probe.mjs"),
    logLevel: "silent",
  });
  bundle = join(dir, "probe.mjs");
  writeFileSync(
    join(dir, "main.mjs"),
    `import { probe } from "./probe.mjs";\nconsole.log(JSON.stringify(await probe()));\n`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function onNode() {
  const { probe } = await import(bundle);
  return probe();
}

describe("same results on every runtime", () => {
  it("node produces a well-formed result", async () => {
    const node = await onNode();
    expect(node.bodyIntact).toBe(true);
    expect(node.token).toBe("tok/en+=");
    expect(node.authorization).toMatch(/Signature=[0-9a-f]{64}$/);
    expect(node.apiKey).toMatch(/^bedrock-api-key-[A-Za-z0-9+/]+=*$/);
  });

  it("deno", async () => {
    const { stdout } = await run(
      join(BIN, "deno"),
      ["run", "--no-prompt", "--quiet", join(dir, "main.mjs")],
      {
        env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
      },
    );
    expect(JSON.parse(stdout)).toEqual(await onNode());
  });

  it("bun", async () => {
    const { stdout } = await run(join(BIN, "bun"), [join(dir, "main.mjs")]);
    expect(JSON.parse(stdout)).toEqual(await onNode());
  });

  it("workerd (Cloudflare Workers, via miniflare)", async () => {
    const { readFileSync } = await import("node:fs");
    const mf = new Miniflare({
      modules: true,
      compatibilityDate: "2026-07-30",
      script: `${readFileSync(bundle, "utf8")}\nexport default { async fetch() { return Response.json(await probe()); } };`,
    });
    try {
      const response = await mf.dispatchFetch("http://localhost/");
      expect(await response.json()).toEqual(await onNode());
    } finally {
      await mf.dispose();
    }
  });
});
