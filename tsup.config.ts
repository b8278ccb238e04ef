import { defineConfig } from "tsup";

// Library entries ship as ESM + CJS with types; the CLI is ESM only with a shebang. `npm run build` empties dist
// first: a `clean` here could race the CLI build that runs alongside.
export default defineConfig([
  {
    entry: {
      index: "src/index.ts",
      core: "src/core.ts",
      sigv4: "src/sigv4.ts",
      emulator: "src/emulator/index.ts",
      proxy: "src/proxy/index.ts",
      node: "src/node/index.ts",
      "ai-sdk": "src/ai-sdk/index.ts",
    },
    format: ["esm", "cjs"],
    // @internal members (the fused pipeline's hooks) stay out of the published declarations.
    dts: { compilerOptions: { stripInternal: true } },
    sourcemap: true,
    target: "es2022",
    splitting: true,
    treeshake: true,
    // valibot is bundled, tree-shaken to the few functions the config schema uses: importing the whole package
    // costs ~5 ms of Node start-up, half of issue 7's import budget.
    noExternal: ["valibot"],
  },
  {
    entry: { "cli/main": "src/cli/main.ts" },
    format: ["esm"],
    target: "node20",
    platform: "node",
    banner: { js: "#!/usr/bin/env node" },
    sourcemap: true,
  },
]);
