// Mutation testing (npm run test:mutation, through scripts/mutation.mjs; docs/testing.md says how to read it).
// One Stryker run per module: its mutants, the test files that own its behaviour, its own incremental file and
// report. scripts/mutation.mjs names the module in STRYKER_MODULE.

const STREAM = ["test/stream/*.test.ts", "test/reliability/hostile.test.ts"];
const AUTH = ["test/auth/*.test.ts", "test/proxy/sigv4.test.ts"];
// The proxy's own suites that run in-process (not its CLI, Worker or runtime tests).
const PROXY = ["test/proxy/{routes,route,guard,through,operations,sigv4,body,auth,cors}.test.ts"];
const CLIENT = [
  "test/client/*.test.ts",
  "test/core/core-client.test.ts",
  "test/reliability/{retry,faults,cancel,hostile-server,secrets}.test.ts",
];

/**
 * The scoped modules (where a silent bug costs users most: the stream stages, SigV4 and credentials, the
 * proxy's gate, the client's transport), each with the test files run against its mutants. Each mutant then
 * runs only the tests of those files that executed it (perTest coverage).
 */
export const SCOPE = {
  "src/stream/crc32.ts": ["test/stream/decode.test.ts", "test/stream/frame-cap.test.ts", "test/reliability/hostile.test.ts"],
  "src/stream/decode.ts": STREAM,
  "src/stream/parse.ts": STREAM,
  "src/stream/accumulate.ts": STREAM,
  "src/stream/delta-scan.ts": STREAM,
  "src/stream/pipeline.ts": STREAM,
  "src/auth/sigv4.ts": AUTH,
  "src/auth/credentials.ts": AUTH,
  "src/proxy/route.ts": PROXY,
  "src/proxy/auth.ts": PROXY,
  "src/proxy/body.ts": PROXY,
  "src/proxy/cors.ts": PROXY,
  "src/client/call.ts": CLIENT,
  "src/client/run.ts": CLIENT,
  "src/client/retry.ts": CLIENT,
  "src/errors/scrub.ts": ["test/reliability/secrets.test.ts", "test/errors/*.test.ts", "test/proxy/guard.test.ts"],
};

/** A module's path as a file name: src/stream/decode.ts -> stream.decode */
export const slug = (module) => module.replace(/^src\//, "").replace(/\.ts$/, "").replaceAll("/", ".");

const module = process.env.STRYKER_MODULE;
if (module !== undefined && !(module in SCOPE)) throw new Error(`STRYKER_MODULE ${module} is not in SCOPE`);
const name = module === undefined ? "all" : slug(module);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: module === undefined ? Object.keys(SCOPE) : [module],
  testFiles: module === undefined ? [...new Set(Object.values(SCOPE).flat())] : SCOPE[module],
  testRunner: "vitest",
  // vitest.mutation.config.ts: the Node suite without its globalSetup. `related` keeps a run to the files whose
  // imports reach the mutated module; perTest coverage then runs each mutant against the tests that executed it.
  vitest: { configFile: "vitest.mutation.config.ts", related: true, pool: "forks" },
  coverageAnalysis: "perTest",
  // A mutant that does not type-check is reported as a CompileError without running a test.
  checkers: ["typescript"],
  tsconfigFile: "tsconfig.json",
  // The last run's results, reused for mutants whose code and covering tests did not change: a local cache per
  // module, not committed (docs/testing.md says why).
  incremental: true,
  incrementalFile: `.stryker-cache/${name}.json`,
  // Per module, so two modules can run at once.
  tempDirName: `.stryker-tmp/${name}`,
  reporters: ["json", "html", "clear-text", "progress-append-only"],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: false, reportMutants: true },
  // The floor (90% per module) is checked by scripts/mutation.mjs.
  thresholds: { high: 95, low: 90, break: null },
  concurrency: 2,
  timeoutMS: 10_000,
  // Not read by the tests that run: kept out of the sandbox copy.
  ignorePatterns: [".stryker-tmp", "dist", "bench", "examples", "docs", "test-artifacts", "coverage", ".scratch", ".readme-snippets", "reports", "test/runtimes/consumer", "test/runtimes/generated"],
  // Static mutants (module-level constants) are not run: the vitest runner keeps the module evaluated with no
  // mutant active, so they survive even where a test asserts the constant (scrub.ts's "[redacted]").
  ignoreStatic: true,
  cleanTempDir: "always",
};
