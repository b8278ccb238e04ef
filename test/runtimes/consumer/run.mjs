#!/usr/bin/env node
// The package as a user gets it: the `npm pack` tarball installed (once) into a fresh project outside this
// repository, then the TypeScript in typed/ type-checked and run the way users run it:
//  - tsc --strict (plus exactOptionalPropertyTypes and noUncheckedIndexedAccess, as strict projects set them)
//    without skipLibCheck, TypeScript 5.9 and 7, node16 and bundler resolution; deno check;
//  - Node (tsc's ESM and CommonJS output), Bun and Deno (--allow-net only: the key is passed, the environment is
//    never read) against an emulator served on loopback;
//  - esbuild's browser bundle run as a Worker under workerd (miniflare).
// Also checks that prepare.mjs installed the Worker examples' dependencies from this checkout. Run after
// `npm run build` and test/runtimes/prepare.mjs (scripts/test-all.mjs runs both first). Prints a RESULT line.
import { execFile } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { assert, assertEqual, reporter } from "../report.mjs";

const HERE = import.meta.dirname;
const ROOT = join(HERE, "..", "..", "..");
const MODULES = join(ROOT, "node_modules");
const BIN = join(MODULES, ".bin");
const TYPESCRIPT = {
  [`TypeScript ${version("typescript")}`]: join(MODULES, "typescript", "bin", "tsc"),
  [`TypeScript ${version("typescript-7")}`]: join(MODULES, "typescript-7", "bin", "tsc"),
};
const RESOLUTIONS = { node16: { module: "node16" }, bundler: { module: "preserve" } };
const FILES = ["app.ts", "main.ts", "worker.ts", "cjs.cts", "ai-sdk.ts", "operations.ts"];
/**
 * Optional peers a user of the matching entry installs (bedrock-edge/ai-sdk: @ai-sdk/provider), and
 * @types/json-schema, which @ai-sdk/provider's declarations import without depending on it (needed without
 * skipLibCheck, as every AI SDK user compiling this way finds).
 */
const PEERS = ["@ai-sdk/provider", "@types/json-schema"];
const COMPATIBILITY_DATE = "2025-07-01";
const execFileAsync = promisify(execFile);
const report = reporter("Consumer: the packed tarball installed into a fresh project, type-checked and run");

function version(name) {
  return JSON.parse(readFileSync(join(MODULES, name, "package.json"), "utf8")).version;
}

/** Runs a command; rejects with its output when it fails, so a check's failure shows what went wrong. */
async function exec(cmd, args, options = {}) {
  try {
    return await execFileAsync(cmd, args, { maxBuffer: 16 << 20, timeout: 60_000, ...options });
  } catch (error) {
    const output = `${error.stdout ?? ""}${error.stderr ?? ""}`.trim();
    throw new Error(`${[cmd, ...args].join(" ")} failed (${error.code ?? error.signal}):\n${output}`);
  }
}

/** The tarball prepare.mjs packed this run (npm pack runs once), else a fresh one. */
async function tarball(into) {
  const packed = join(ROOT, "test-artifacts", "pack");
  const found = existsSync(packed) && readdirSync(packed).find((f) => /^bedrock-edge-.*\.tgz$/.test(f));
  if (found) return join(packed, found);
  const { stdout } = await exec("npm", ["pack", "--json", "--pack-destination", into], { cwd: ROOT });
  return join(into, JSON.parse(stdout)[0].filename);
}

/**
 * A lockfile for the fresh project: the tarball, and its dependencies pinned to what this repository's lockfile
 * resolved, so `npm ci --offline` installs real copies from the npm cache `npm ci` filled, with no network.
 */
function lockfileFor(tgz) {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  const repoLock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")).packages;
  const packages = {
    "": { name: "consumer", dependencies: { "bedrock-edge": `file:${tgz}`, ...peerVersions(repoLock) } },
    "node_modules/bedrock-edge": {
      version: pkg.version,
      resolved: `file:${tgz}`,
      license: pkg.license,
      dependencies: pkg.dependencies,
      peerDependencies: pkg.peerDependencies,
      peerDependenciesMeta: pkg.peerDependenciesMeta,
    },
  };
  const todo = [...Object.keys(pkg.dependencies ?? {}), ...PEERS];
  while (todo.length) {
    const name = todo.pop();
    const key = `node_modules/${name}`;
    if (packages[key]) continue;
    const entry = repoLock[key];
    if (!entry) throw new Error(`${name} is not in package-lock.json: run npm install`);
    const { dev, devOptional, peer, ...kept } = entry;
    packages[key] = kept;
    todo.push(...Object.keys(entry.dependencies ?? {}));
  }
  return { name: "consumer", lockfileVersion: 3, requires: true, packages };
}

/** The optional peers at the versions this repository's lockfile resolved. */
function peerVersions(repoLock) {
  return Object.fromEntries(PEERS.map((name) => [name, repoLock[`node_modules/${name}`].version]));
}

function tsconfig(resolution, extra) {
  return {
    compilerOptions: {
      strict: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      noImplicitOverride: true,
      target: "es2022",
      lib: ["es2022", "dom", "dom.iterable"],
      types: [],
      ...RESOLUTIONS[resolution],
      moduleResolution: resolution,
      skipLibCheck: false,
      ...extra,
    },
    files: FILES,
  };
}

function checkSummary(summary, where) {
  assert(summary.streamed.includes("hello from a typed consumer"), `${where}: streamed ${summary.streamed}`);
  assert(summary.events.includes("finish"), `${where}: events ${summary.events}`);
  assertEqual(summary.toolCalls, ["get_weather"], `${where}: tool calls`);
  assertEqual(summary.stopReason, "tool_use", `${where}: stop reason`);
  assertEqual(summary.wrongKey, "AccessDeniedException 403", `${where}: a wrong key`);
  for (const part of ["core", "signed", "proxied", "inProcess"]) {
    assert(summary[part].length > 0, `${where}: ${part} gave no text`);
  }
}

const parseLast = (stdout) => JSON.parse(stdout.trim().split("\n").at(-1));
const ENV = { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" };

const dir = mkdtempSync(join(tmpdir(), "bedrock-edge-consumer-"));
const { createEmulator } = await import("bedrock-edge/emulator");
const { serve } = await import("bedrock-edge/node");
const emulator = await serve(createEmulator({ apiKeys: ["consumer-key-0123"] }));
let mf;
try {
  let installed = false;
  await report.check("npm ci --offline: the packed tarball installed into a fresh project", async () => {
    const tgz = await tarball(dir);
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({
        name: "consumer",
        private: true,
        type: "module",
        dependencies: { "bedrock-edge": `file:${tgz}`, ...peerVersions(JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")).packages) },
      }),
    );
    writeFileSync(join(dir, "package-lock.json"), JSON.stringify(lockfileFor(tgz), null, 2));
    writeFileSync(join(dir, "deno.json"), JSON.stringify({ nodeModulesDir: "manual" }));
    const ci = (mode) => exec("npm", ["ci", mode, "--no-audit", "--no-fund", "--ignore-scripts"], { cwd: dir });
    // The cache `npm ci` filled has every tarball; if it was cleared, fetch what is missing from the registry.
    await ci("--offline").catch((error) => {
      if (!/ENOTCACHED/.test(error.message)) throw error;
      console.log("    (npm cache incomplete: installing with --prefer-offline)");
      return ci("--prefer-offline");
    });
    for (const file of FILES) cpSync(join(HERE, "typed", file), join(dir, file));
    const real = realpathSync(join(dir, "node_modules", "bedrock-edge"));
    assert(real.startsWith(realpathSync(dir)), `bedrock-edge is not a copy in the project: ${real}`);
    installed = true;
  });
  if (!installed) throw new Error("no install, nothing to check");

  // Type checks: one tsconfig per resolution, each compiler over the same files. Two at a time (2 cores).
  const checks = [];
  for (const [ts, tsc] of Object.entries(TYPESCRIPT)) {
    for (const resolution of Object.keys(RESOLUTIONS)) {
      const config = `tsconfig.${resolution}.json`;
      writeFileSync(
        join(dir, config),
        JSON.stringify(tsconfig(resolution, { noEmit: true, allowImportingTsExtensions: true })),
      );
      checks.push([
        `${ts}: tsc --strict, ${resolution} resolution, no skipLibCheck`,
        () => exec(process.execPath, [tsc, "-p", config], { cwd: dir }),
      ]);
    }
  }
  checks.push([
    `deno check (Deno ${(await exec(join(BIN, "deno"), ["--version"])).stdout.split(/\s/)[1]})`,
    () => exec(join(BIN, "deno"), ["check", "main.ts", "worker.ts"], { cwd: dir, env: ENV }),
  ]);
  for (let i = 0; i < checks.length; i += 2) {
    await Promise.all(checks.slice(i, i + 2).map(([name, fn]) => report.check(name, fn, 60_000)));
  }

  // Node runs JavaScript: tsc's output (ESM main.js, CommonJS cjs.cjs), as a user's build would produce it.
  writeFileSync(
    join(dir, "tsconfig.emit.json"),
    JSON.stringify(tsconfig("node16", { outDir: "out", rewriteRelativeImportExtensions: true })),
  );
  const emitted = exec(process.execPath, [TYPESCRIPT[`TypeScript ${version("typescript")}`], "-p", "tsconfig.emit.json"], {
    cwd: dir,
  });
  const url = emulator.url;
  await report.check(`Node ${process.version} (ESM, tsc's output): every entry point against the emulator`, async () => {
    await emitted;
    const { stdout } = await exec(process.execPath, ["out/main.js", url], { cwd: dir });
    checkSummary(parseLast(stdout), "node");
  });
  await report.check("Node: bedrock-edge/ai-sdk's LanguageModelV4 (doGenerate, doStream) against the emulator", async () => {
    await emitted;
    const { stdout } = await exec(process.execPath, ["out/ai-sdk.js", url], { cwd: dir });
    const summary = parseLast(stdout);
    assert(summary.generated.includes("hello from the AI SDK provider"), stdout);
    assertEqual(summary.streamed.at(-1), "finish", "the last stream part");
    assertEqual(JSON.stringify(summary.embedded), "[1024,1024]", "the embedding model's vectors");
  });
  await report.check("Node (CommonJS, require): serve() from bedrock-edge/node, one request", async () => {
    await emitted;
    const { stdout } = await exec(process.execPath, ["out/cjs.cjs"], { cwd: dir });
    assert(parseLast(stdout).text.includes("hello from CommonJS"), stdout);
  });
  await report.check(`Bun ${version("bun")}: main.ts against the emulator`, async () => {
    const { stdout } = await exec(join(BIN, "bun"), ["main.ts", url], { cwd: dir, env: ENV });
    checkSummary(parseLast(stdout), "bun");
  });
  await report.check("Deno: deno run --allow-net main.ts (no --allow-env, no --allow-read)", async () => {
    const { stdout } = await exec(join(BIN, "deno"), ["run", "--no-prompt", "--allow-net", "main.ts", url], {
      cwd: dir,
      env: ENV,
    });
    checkSummary(parseLast(stdout), "deno");
  });
  await report.check(`workerd ${version("workerd")}: esbuild's browser bundle as a Worker`, async () => {
    const result = await build({
      entryPoints: [join(dir, "worker.ts")],
      absWorkingDir: dir,
      bundle: true,
      write: false,
      format: "esm",
      platform: "browser",
      target: "es2022",
      logLevel: "silent",
    });
    mf = new Miniflare({ modules: true, script: result.outputFiles[0].text, compatibilityDate: COMPATIBILITY_DATE });
    const response = await mf.dispatchFetch(`http://consumer.test/?emulator=${encodeURIComponent(url)}`);
    const text = await response.text();
    assert(response.status === 200, `status ${response.status}: ${text}`);
    checkSummary(JSON.parse(text), "workerd");
  });
  await report.check("examples/worker and examples/proxy-worker: bedrock-edge installed from this checkout", async () => {
    for (const example of ["worker", "proxy-worker"]) {
      const linked = join(ROOT, "examples", example, "node_modules", "bedrock-edge");
      assert(existsSync(linked), `examples/${example}: no node_modules/bedrock-edge (prepare.mjs installs it)`);
      assertEqual(realpathSync(linked), realpathSync(ROOT), `examples/${example}'s bedrock-edge`);
    }
  });
} catch (error) {
  report.record("the consumer checks could not run", false, 0, error?.stack ?? error);
} finally {
  await mf?.dispose().catch(() => {});
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exitCode = report.finish();
