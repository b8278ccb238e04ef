// Under Stryker (npm run test:mutation) the mutated module counts every hit of every mutant per test, which
// makes the exhaustive loops of the stream suites 10-30x slower: past vitest's 60 s worker RPC timeout. These
// scale such loops down there only (Stryker sets STRYKER_MUTATOR_WORKER in its workers); the Node suite runs
// them whole. docs/testing.md lists the tests that use them.
export const MUTATING = process.env.STRYKER_MUTATOR_WORKER !== undefined;

/** A property's run count: `n`, or a twentieth of it (at least 20) under Stryker. */
export const runs = (n: number): number => (MUTATING ? Math.max(20, Math.ceil(n / 20)) : n);

/** The step of a loop over every byte offset: 1, or 13 under Stryker (cuts still land at every offset mod 13). */
export const BYTE_STEP = MUTATING ? 13 : 1;
