// One ESM file as a Worker bundler builds it: esbuild, browser platform, the `worker` and `browser` export
// conditions. The Worker and runtime suites bundle src/ entries (or a small script importing them) with it.
import { build } from "esbuild";

export type BundleEntry = string | { contents: string; resolveDir: string };

export async function workerBundle(
  entry: BundleEntry,
  options: { alias?: Record<string, string> } = {},
): Promise<string> {
  const result = await build({
    ...(typeof entry === "string"
      ? { entryPoints: [entry] }
      : { stdin: { contents: entry.contents, resolveDir: entry.resolveDir, loader: "ts" as const } }),
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    conditions: ["worker", "browser"],
    ...(options.alias && { alias: options.alias }),
    logLevel: "silent",
  });
  return result.outputFiles[0].text;
}
