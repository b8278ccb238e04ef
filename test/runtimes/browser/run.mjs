#!/usr/bin/env node
// Chromium (Debian's package, driven by playwright-core): examples/browser served from a local static server,
// talking through the bedrock-edge proxy to the emulator; then the shared cases inside a page.
// Without Chromium: one line saying so and how to enable it (a failure under CI=true).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { pathToFileURL } from "node:url";
import { createEmulator } from "bedrock-edge/emulator";
import { serve } from "bedrock-edge/node";
import { createProxy } from "bedrock-edge/proxy";
import { chromium } from "playwright-core";
import { bundle } from "../bundle.mjs";
import { API_KEY, emulatorOptions } from "../cases/fixtures.js";
import { assert, assertEqual, reporter } from "../report.mjs";

const HERE = import.meta.dirname;
const ROOT = join(HERE, "..", "..", "..");
const EXAMPLE = join(ROOT, "examples", "browser");
const AI_CHAT = join(ROOT, "examples", "ai-chat");
const ARTIFACTS = join(ROOT, "test-artifacts");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

if (!existsSync(CHROMIUM)) {
  const how = "install it with `apt-get install -y chromium` (or set CHROMIUM_PATH) to run the browser tests";
  if (process.env.CI === "true") {
    console.log(`Chromium: FAILED - ${CHROMIUM} not found and CI=true; ${how}`);
    console.log("RESULT passed=0 failed=1");
    process.exit(1);
  }
  console.log(`Chromium: skipped - ${CHROMIUM} not found; ${how}`);
  console.log("RESULT skipped");
  process.exit(0);
}

const report = reporter("Chromium: examples/browser through the proxy, shared cases in a page");
const PAGE_TOKEN = "browser-page-token-91c4e07b5a2d";
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".json": "application/json" };

/** A static server: the example's files, the ESM build bundled for the browser, and the cases page. */
async function staticServer(files, root = EXAMPLE) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    let body = files[path];
    if (body === undefined) {
      const file = normalize(join(root, path === "/" ? "index.html" : path));
      if (file.startsWith(root) && existsSync(file)) body = readFileSync(file);
    }
    if (body === undefined) {
      res.writeHead(404).end("not found");
      return;
    }
    const type = TYPES[extname(path === "/" ? "index.html" : path)] ?? "application/octet-stream";
    res.writeHead(200, { "content-type": `${type}; charset=utf-8`, "cache-control": "no-store" }).end(body);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

const CASES_PAGE = `<!doctype html><meta charset="utf-8"><title>bedrock-edge cases</title>
<script type="module" src="/cases.js"></script><pre id="out">running</pre>`;
const CASES_ENTRY = join(HERE, "cases-page.ts");

const closers = [];
let context;
try {
  const emulator = await serve(createEmulator(emulatorOptions()));
  closers.push(() => emulator.close());
  const vendor = await bundle(join(HERE, "vendor-entry.js"), "browser");
  const cases = await bundle(CASES_ENTRY, "browser");
  const site = await staticServer({ "/vendor/bedrock-edge.js": vendor.code, "/cases.js": cases.code, "/cases.html": CASES_PAGE });
  closers.push(() => site.close());
  const upstream = [];
  const proxy = await serve(
    createProxy({
      tokens: [PAGE_TOKEN],
      upstreamKey: API_KEY,
      allowedOrigins: [site.url],
      upstream: emulator.url, // tests only: the emulator stands in for bedrock-runtime.{region}.amazonaws.com
      fetch: (request) => {
        upstream.push({ url: request.url, authorization: request.headers.get("authorization") });
        return fetch(request);
      },
    }),
  );
  closers.push(() => proxy.close());

  const userDataDir = mkdtempSync(join(tmpdir(), "bedrock-edge-chromium-"));
  closers.push(() => rmSync(userDataDir, { recursive: true, force: true }));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 900, height: 700 },
  });
  const version = context.browser()?.version() ?? (await versionOf(context));
  console.log(`  chromium ${version}`);

  await report.check("[examples/browser] streams an answer into the page through the proxy and shows the tool call", async () => {
    const page = await context.newPage();
    const consoleErrors = [];
    page.on("pageerror", (e) => consoleErrors.push(String(e)));
    const query = new URLSearchParams({ proxy: `${proxy.url}/model/`, token: PAGE_TOKEN, region: "us-east-1" });
    await page.goto(`${site.url}/?${query}`);
    // Count DOM updates of the answer to prove it streams in, rather than appearing at once.
    await page.evaluate(() => {
      window.__answerUpdates = 0;
      new MutationObserver(() => window.__answerUpdates++).observe(document.getElementById("answer"), {
        childList: true,
        characterData: true,
        subtree: true,
      });
    });
    await page.fill("#prompt", "What is the weather in Paris?");
    await page.click("#send");
    await page.waitForFunction(() => /^(done|error)/.test(document.getElementById("status").textContent), null, {
      timeout: 15_000,
    });
    const status = await page.textContent("#status");
    assert(status.startsWith("done: end_turn"), `status: ${status}`);
    const tools = await page.$$eval("#tool-calls li", (items) => items.map((li) => li.textContent));
    assertEqual(tools, ['get_weather({"city":"Paris"})'], "tool calls shown");
    const answer = await page.textContent("#answer");
    assert(answer.includes("I'll use the get_weather tool"), `first turn text: ${answer}`);
    assert(/get_weather tool returned: .*sunny/.test(answer), `answer from the tool result: ${answer}`);
    const updates = await page.evaluate(() => window.__answerUpdates);
    assert(updates > 4, `the answer streamed in (${updates} DOM updates)`);
    assertEqual(consoleErrors, [], "page errors");
    // Two upstream calls (tool call, then the answer), each with the proxy's key, not the page's token.
    assertEqual(upstream.length, 2, "upstream calls");
    assert(upstream.every((u) => u.authorization === `Bearer ${API_KEY}`), "the proxy signs upstream");
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "browser.png"), fullPage: true });
    console.log("    screenshot: test-artifacts/browser.png");
    await page.close();
  });

  await report.check("[examples/browser] a wrong proxy token shows the proxy's 401 in the page", async () => {
    const page = await context.newPage();
    await page.goto(`${site.url}/?${new URLSearchParams({ proxy: `${proxy.url}/model/`, token: "wrong-token" })}`);
    await page.click("#send");
    await page.waitForFunction(() => /^(done|error)/.test(document.getElementById("status").textContent));
    const status = await page.textContent("#status");
    assert(/^error: \w+/.test(status) && status.includes("token"), `status: ${status}`);
    assert(!status.includes("wrong-token"), "the token is not echoed");
    await page.close();
  });

  // examples/ai-chat: the page (the AI SDK's chat client) -> its Worker (streamText over bedrock-edge/ai-sdk,
  // served here by bedrock-edge/node's serve) -> the signing proxy, with a proxy token -> the emulator.
  await report.check("[examples/ai-chat] the AI SDK's UI message stream from a Worker on bedrock-edge/ai-sdk, through the proxy", async () => {
    const aiVendor = await bundle(join(HERE, "ai-vendor-entry.js"), "browser");
    const chatSite = await staticServer({ "/vendor/ai.js": aiVendor.code }, AI_CHAT);
    closers.push(() => chatSite.close());
    const { default: chatWorker } = await import(pathToFileURL(join(AI_CHAT, "worker.js")).href);
    const env = {
      BEDROCK_PROXY_URL: `${proxy.url}/model/`,
      BEDROCK_PROXY_TOKEN: PAGE_TOKEN,
      AWS_REGION: "us-east-1",
      ALLOWED_ORIGINS: chatSite.url,
    };
    const workerServer = await serve({ fetch: (request) => chatWorker.fetch(request, env) });
    closers.push(() => workerServer.close());
    const before = upstream.length;
    const page = await context.newPage();
    const pageErrors = [];
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    await page.goto(`${chatSite.url}/?${new URLSearchParams({ api: `${workerServer.url}/api/chat` })}`);
    await page.evaluate(() => {
      window.__answerUpdates = 0;
      new MutationObserver(() => window.__answerUpdates++).observe(document.getElementById("answer"), {
        childList: true,
        characterData: true,
        subtree: true,
      });
    });
    await page.click("#send");
    await page.waitForFunction(() => /^(done|error)/.test(document.getElementById("status").textContent), null, {
      timeout: 20_000,
    });
    assertEqual(await page.textContent("#status"), "done", "status");
    const tools = await page.$$eval("#tool-calls li", (items) => items.map((li) => li.textContent));
    assertEqual(tools.length, 1, `one tool call shown: ${tools}`);
    assert(/^get_weather\(\{"city":"Paris"\}\) output-available -> .*sunny/.test(tools[0]), `tool call: ${tools[0]}`);
    const answer = await page.textContent("#answer");
    assert(/get_weather tool returned: .*sunny/.test(answer), `answer from the tool result: ${answer}`);
    const updates = await page.evaluate(() => window.__answerUpdates);
    assert(updates > 4, `the answer streamed in (${updates} DOM updates)`);
    assertEqual(pageErrors, [], "page errors");
    // Two model calls (the tool call, then the answer), signed by the proxy with its own key.
    const calls = upstream.slice(before);
    assertEqual(calls.length, 2, "upstream calls");
    assert(calls.every((u) => u.authorization === `Bearer ${API_KEY}`), "the proxy signs upstream");
    await page.close();
  });

  // The shared cases inside a page, against the emulator (it answers CORS itself).
  const page = await context.newPage();
  await page.goto(`${site.url}/cases.html#${encodeURIComponent(emulator.url)}`);
  const handle = await page.waitForFunction(() => window.__results, null, { timeout: 120_000 });
  for (const r of await handle.jsonValue()) report.record(`[case] ${r.name}`, r.ok, r.ms, r.error);
  await page.close();
} catch (error) {
  report.record("Chromium run", false, 0, error?.stack ?? error);
} finally {
  await context?.close().catch(() => {});
  for (const close of closers.reverse()) await close();
}
process.exitCode = report.finish();

async function versionOf(ctx) {
  const page = await ctx.newPage();
  const ua = await page.evaluate(() => navigator.userAgent);
  await page.close();
  return /Chrome\/([\d.]+)/.exec(ua)?.[1] ?? ua;
}
