// scripts/test-all.mjs counts Deno's and Bun's results from their JUnit reports (scripts/junit.mjs). These are
// the shapes deno 2.x (`--junit-path`) and bun 1.x (`--reporter=junit`) write.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error a plain .mjs script without declarations
import { junitCounts } from "../../scripts/junit.mjs";

const DENO = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="deno test" tests="5" failures="1" errors="0" time="0.011">
    <testsuite name="./a_test.ts" tests="5" disabled="0" errors="0" failures="1">
        <testcase name="one" classname="./a_test.ts" time="0.000" line="1" col="6">
        </testcase>
        <testcase name="two" classname="./a_test.ts" time="0.001" line="2" col="6">
        </testcase>
        <testcase name="three &gt; fails" classname="./a_test.ts" time="0.001" line="3" col="6">
            <failure message="Uncaught Error: x">Error: x</failure>
        </testcase>
        <testcase name="two &gt; s1" classname="./a_test.ts" time="0.000" line="2" col="41">
        </testcase>
        <testcase name="two &gt; s2" classname="./a_test.ts" time="0.000" line="2" col="71">
        </testcase>
    </testsuite>
</testsuites>`;

const BUN = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="bun test" tests="3" assertions="1" failures="1" skipped="1" time="0.005812348">
  <testsuite name="a.test.ts" file="a.test.ts" tests="3" assertions="1" failures="1" skipped="1" time="0.0016" hostname="vm">
    <testcase name="one" classname="" time="0.000037" file="a.test.ts" line="2" assertions="0" />
    <testcase name="two fails" classname="" time="0.000168" file="a.test.ts" line="3" assertions="1">
      <failure type="AssertionError" message="expect(received).toBe(expected)">AssertionError</failure>
    </testcase>
    <testcase name="later" classname="" time="0" file="a.test.ts" line="4" assertions="0">
      <skipped />
    </testcase>
  </testsuite>
</testsuites>`;

const file = (text: string) => {
  const path = join(mkdtempSync(join(tmpdir(), "junit-")), "report.xml");
  writeFileSync(path, text);
  return path;
};

describe("JUnit counts", () => {
  it("deno: steps count toward their test; a failing test is a failure", () => {
    expect(junitCounts(file(DENO), { stepsOf: true })).toEqual({ passed: 2, failed: 1 });
    // Counted as test cases, the steps are there too.
    expect(junitCounts(file(DENO))).toEqual({ passed: 4, failed: 1 });
  });

  it("bun: self-closing and skipped test cases", () => {
    expect(junitCounts(file(BUN))).toEqual({ passed: 1, failed: 1, note: "1 skipped" });
  });

  it("no report (the runtime did not start) or not JUnit: no counts, which test-all reports as a failure", () => {
    expect(junitCounts(join(tmpdir(), "does-not-exist.xml"))).toBeUndefined();
    expect(junitCounts(file("ok | 3 passed | 0 failed"))).toBeUndefined();
  });
});
