import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BUILT = join(ROOT, "dist/cli/main.js");
const SNAPSHOT = join(ROOT, "test-artifacts", `cli-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
/** The CLI the tests run: a copy of the built bundle (see ensureBuilt). */
export const CLI = join(SNAPSHOT, "dist/cli/main.js");

/** The bundle is complete once esbuild has written its trailing source-map comment. */
function complete(path: string): boolean {
  return (
    existsSync(path) && readFileSync(path, "utf8").trimEnd().endsWith("//# sourceMappingURL=main.js.map")
  );
}

/**
 * `npm test` builds first; a direct `vitest run test/cli` builds when the bundle is missing. The tests then
 * run a private copy (next to a copy of package.json, under the repo so node_modules resolve), so a rebuild
 * running at the same time (it empties dist/) cannot pull the file away mid-test.
 */
export async function ensureBuilt(): Promise<void> {
  for (let waited = 0; !complete(BUILT) && waited < 30_000; waited += 500) {
    await new Promise((r) => setTimeout(r, 500));
  }
  if (!complete(BUILT)) {
    try {
      execFileSync("npm", ["run", "build", "--silent"], { cwd: ROOT, stdio: "pipe" });
    } catch {
      // a type-declaration failure elsewhere does not stop the CLI bundle: check for the file below
    }
  }
  if (!complete(BUILT)) throw new Error(`npm run build did not produce ${BUILT}`);
  mkdirSync(join(SNAPSHOT, "dist/cli"), { recursive: true });
  copyFileSync(BUILT, CLI);
  copyFileSync(join(ROOT, "package.json"), join(SNAPSHOT, "package.json"));
}

export function removeSnapshot(): void {
  rmSync(SNAPSHOT, { recursive: true, force: true });
}

// Variables that would change what the CLI does: real keys, config, colours, log level.
const SCRUBBED = [
  "AWS_BEARER_TOKEN_BEDROCK",
  "BEDROCK_API_KEY",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_PROFILE",
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  "BEDROCK_EDGE_CONFIG",
  "BEDROCK_EDGE_LOG_LEVEL",
  "ECA_LOG_LEVEL",
  "NO_COLOR",
  "FORCE_COLOR",
];

export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of SCRUBBED) delete env[name];
  return { ...env, ...extra };
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to stdin, which is then closed. Without it stdin is closed at once (unless keepStdinOpen). */
  input?: string;
  keepStdinOpen?: boolean;
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
}

/** Runs the built CLI to completion; kills it (and fails) if it outlives the timeout, so nothing hangs. */
export function runCli(args: string[], options: RunOptions = {}): Promise<CliRun> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? ROOT,
    env: cliEnv(options.env),
    stdio: ["pipe", "pipe", "pipe"],
  });
  if (options.input !== undefined) child.stdin.end(options.input);
  else if (!options.keepStdinOpen) child.stdin.end();
  return collect(child, options.timeoutMs ?? 20_000);
}

export function collect(child: ChildProcess, timeoutMs: number): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the CLI did not exit within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export interface EmulatorProcess {
  url: string;
  child: ChildProcess;
  /** Sends the signal and resolves with how the process ended and everything it printed. */
  stop(signal?: NodeJS.Signals): Promise<CliRun>;
}

/** Starts `bedrock-edge emulator --port 0 ...` and waits for its first line. */
export async function startEmulatorProcess(
  args: string[] = [],
): Promise<EmulatorProcess & { firstLine: string }> {
  const child = spawn(process.execPath, [CLI, "emulator", "--port", "0", ...args], {
    cwd: ROOT,
    env: cliEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const done = collect(child, 60_000);
  const firstLine = await new Promise<string>((resolve, reject) => {
    let buffered = "";
    const timer = setTimeout(() => reject(new Error(`no first line from the emulator: ${buffered}`)), 10_000);
    child.stdout!.on("data", (d: Buffer | string) => {
      buffered += d.toString();
      const newline = buffered.indexOf("\n");
      if (newline >= 0) {
        clearTimeout(timer);
        resolve(buffered.slice(0, newline));
      }
    });
    done.then((run) => reject(new Error(`the emulator exited early (${run.code}): ${run.stderr}`)), reject);
  });
  const url = firstLine.replace(/^listening on /, "");
  return {
    url,
    firstLine,
    child,
    stop: (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return done;
    },
  };
}
