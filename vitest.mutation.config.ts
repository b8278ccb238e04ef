import { defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config.ts";

// The Node suite as Stryker runs it (stryker.config.mjs): without the suites that test other runtimes, the
// built CLI, examples or load (they import no scoped module from src/, or only to drive a child process), and
// without the globalSetup: scripts/mutation.mjs builds dist/ before Stryker copies the tree into its sandbox.
export default mergeConfig(
  { ...base, test: { ...base.test, globalSetup: [] } },
  defineConfig({
    test: {
      exclude: [
        "**/node_modules/**",
        "test/runtimes/**",
        "test/**/runtimes.test.ts",
        "test/**/worker.test.ts",
        "test/cli/**",
        "test/readme/**",
        "test/size/**",
        "test/reliability/load*.test.ts",
        "test/reliability/hostile-peers.test.ts",
        "test/proxy/redis-example.test.ts",
      ],
    },
  }),
);
