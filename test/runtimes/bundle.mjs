// esbuild bundles for workerd and the browser, resolved as a user's bundler would resolve them.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const HERE = dirname(fileURLToPath(import.meta.url));
/** Where prepare.mjs extracted the packed package: examples resolve "bedrock-edge" from here, as after `npm i`. */
export const CONSUMER_NODE_MODULES = join(HERE, "consumer", "node_modules");

// The repo's package.json says "sideEffects": false; the shared cases register themselves on import, so they
// (and only they) are marked as having side effects.
const casesHaveSideEffects = {
  name: "cases-have-side-effects",
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, async (args) => {
      if (args.pluginData === "inner") return undefined;
      const resolved = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: "inner",
      });
      if (resolved.errors.length) return undefined;
      return resolved.path.startsWith(HERE) ? { ...resolved, sideEffects: true } : resolved;
    });
  },
};

/**
 * One ESM file for `platform` ("worker" or "browser"); `bedrock-edge` resolves through its exports map with
 * the conditions those platforms' bundlers use.
 */
export async function bundle(entry, platform) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: platform === "worker" ? ["workerd", "worker", "browser"] : ["browser"],
    nodePaths: [CONSUMER_NODE_MODULES],
    plugins: [casesHaveSideEffects],
    logLevel: "error",
    metafile: true,
  });
  return { code: result.outputFiles[0].text, inputs: Object.keys(result.metafile.inputs) };
}
