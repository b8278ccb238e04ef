// Deno with network permission only (no --allow-env): code that passes its key must never touch the environment,
// and code that needs it must go on as if it were empty, saying so. Runs the built package (dist) on real Deno.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const DENO = join(ROOT, "node_modules", ".bin", "deno");
const dist = (file: string) => pathToFileURL(join(ROOT, "dist", file)).href;
// Inside the repository, so Deno finds deno.json and node_modules for the package's own dependencies.
mkdirSync(join(ROOT, "test-artifacts"), { recursive: true });
const dir = mkdtempSync(join(ROOT, "test-artifacts", "deno-env-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `body` as a Deno module with `--allow-net` only and returns what it printed as JSON. */
async function denoNetOnly(body: string): Promise<any> {
  const file = join(dir, `case-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(
    file,
    `import { createBedrock } from ${JSON.stringify(dist("index.js"))};
import { createEmulator } from ${JSON.stringify(dist("emulator.js"))};
const emulator = createEmulator({ apiKeys: ["deno-key"] });
const fetch = (input, init) => emulator.fetch(new Request(input, init));
const logs = [];
const logger = { debug: (m, d) => logs.push([m, d]), info() {}, warn() {}, error() {} };
const out = {};
try {
${body}
} catch (error) {
  out.error = { name: error.name, message: error.message };
}
out.logs = logs;
console.log(JSON.stringify(out));
`,
  );
  const { stdout } = await promisify(execFile)(DENO, ["run", "--no-prompt", "--allow-net", file], {
    env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1", AWS_REGION: "eu-west-1" },
  });
  return JSON.parse(stdout);
}

describe("Deno without --allow-env", () => {
  it("streams when the key and region are passed, reading nothing", async () => {
    const out = await denoNetOnly(`
const bedrock = createBedrock({ key: "deno-key", region: "us-east-1", url: "http://emulator.test/model/", modelIdPrefix: "none", logLevel: "debug" }, { fetch, logger });
let text = "";
for await (const e of bedrock.stream([{ role: "user", content: "hello" }], { model: "amazon.nova-lite-v1:0" })) if (e.type === "text") text += e.text;
out.text = text;`);
    expect(out.error).toBeUndefined();
    expect(out.text.length).toBeGreaterThan(0);
    expect(JSON.stringify(out.logs)).not.toContain("could not read the environment");
  });

  it("a key without a region uses us-east-1 and does not ask for AWS_REGION", async () => {
    const out = await denoNetOnly(`
const bedrock = createBedrock({ key: "deno-key" }, { fetch });
out.region = bedrock.config.region ?? "default";
const r = await bedrock.request([{ role: "user", content: "hi" }], { model: "amazon.nova-lite-v1:0" });
out.text = r.outputText;`);
    expect(out.error).toBeUndefined();
    expect(out.region).toBe("default");
    expect(out.text.length).toBeGreaterThan(0);
  });

  it("an env template in a config reads as unset (its default applies) and the debug log says why", async () => {
    const out = await denoNetOnly(`
const bedrock = createBedrock({ key: "deno-key", region: "\${env:AWS_REGION:us-west-2}", url: "http://emulator.test/model/", modelIdPrefix: "none", logLevel: "debug" }, { fetch, logger });
out.region = bedrock.config.region;
await bedrock.request([{ role: "user", content: "hi" }], { model: "amazon.nova-lite-v1:0" });`);
    expect(out.error).toBeUndefined();
    expect(out.region).toBe("us-west-2");
    const notice = out.logs.find(([m]: [string]) => m.includes("could not read the environment"));
    expect(notice?.[1]).toEqual({ variables: expect.arrayContaining(["AWS_REGION"]) });
  });

  it("no key anywhere: a ConfigError that says the environment could not be read", async () => {
    const out = await denoNetOnly(`
const bedrock = createBedrock({ region: "us-east-1" }, { fetch });
await bedrock.request([{ role: "user", content: "hi" }], { model: "amazon.nova-lite-v1:0" });`);
    expect(out.error.name).toBe("ConfigError");
    expect(out.error.message).toMatch(/No Bedrock credentials found/);
    expect(out.error.message).toMatch(/refused to read the environment/);
  });
});
