// Counts from a JUnit XML report (deno test --junit-path, bun test --reporter=junit): scripts/test-all.mjs reads
// these instead of the runtimes' human output. A test case with a <failure> or <error> failed, one with
// <skipped> was skipped, the rest passed. Deno lists each t.step as a test case named "parent > step": with
// `stepsOf` those count toward their parent only, as deno's own summary counts them.
import { readFileSync } from "node:fs";

const xmlText = (text) =>
  text.replace(/&(lt|gt|quot|apos|amp|#(\d+));/g, (_, name, code) =>
    code ? String.fromCharCode(Number(code)) : { lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" }[name],
  );

/** The test cases of a report, each with its suite, name and outcome. */
export function testCases(xml) {
  const cases = [];
  const suites = xml.matchAll(/<testsuite\b([^>]*)>([\s\S]*?)<\/testsuite>/g);
  for (const [, suiteAttrs, body] of suites) {
    const suite = xmlText(/\bname="([^"]*)"/.exec(suiteAttrs)?.[1] ?? "");
    for (const m of body.matchAll(/<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)) {
      const name = xmlText(/\bname="([^"]*)"/.exec(m[1])?.[1] ?? "");
      const inner = m[3] ?? "";
      const outcome = /<(failure|error)\b/.test(inner)
        ? "failed"
        : /<skipped\b/.test(inner)
          ? "skipped"
          : "passed";
      cases.push({ suite, name, outcome });
    }
  }
  return cases;
}

/** passed / failed (and a note with the skipped count) from a report file; undefined when it holds no suite. */
export function junitCounts(path, { stepsOf = false } = {}) {
  let xml;
  try {
    xml = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  if (!/<testsuites?\b/.test(xml)) return undefined;
  let cases = testCases(xml);
  if (stepsOf) {
    // A step fails its parent; deno reports the parent failed too, so dropping the steps loses nothing.
    const names = new Set(cases.map((c) => `${c.suite}\u0000${c.name}`));
    cases = cases.filter((c) => {
      const parts = c.name.split(" > ");
      for (let i = 1; i < parts.length; i++)
        if (names.has(`${c.suite}\u0000${parts.slice(0, i).join(" > ")}`)) return false;
      return true;
    });
  }
  const count = (outcome) => cases.filter((c) => c.outcome === outcome).length;
  const skipped = count("skipped");
  return { passed: count("passed"), failed: count("failed"), ...(skipped && { note: `${skipped} skipped` }) };
}
