import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const BIN = join(import.meta.dirname, "..", "..", "node_modules", ".bin");

/**
 * Writes `script` into `dir` and runs it with Deno or Bun from node_modules/.bin; resolves once the script prints
 * `LISTENING <port>`, and fails with the runtime's output if it exits or stays silent for 20 s.
 */
export function startRuntime(
  command: string,
  args: string[],
  script: string,
  dir: string,
): Promise<{ child: ChildProcess; port: number; url: string }> {
  const file = join(dir, `${command}-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, script);
  const child = spawn(join(BIN, command), [...args, file], {
    cwd: dir,
    env: { ...process.env, DENO_DIR: join(dir, ".deno"), DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`${command} did not start: ${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /LISTENING (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        const port = Number(match[1]);
        resolve({ child, port, url: `http://127.0.0.1:${port}` });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", (code) => reject(new Error(`${command} exited ${code}: ${output}`)));
  });
}
