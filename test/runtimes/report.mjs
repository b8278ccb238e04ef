// A tiny reporter for the runners that are plain Node scripts (workerd, Chromium, package checks):
// one line per check, then a machine-readable RESULT line that scripts/test-all.mjs reads.

export function reporter(title) {
  const results = [];
  console.log(title);
  return {
    results,
    /** Records an outcome computed elsewhere (e.g. a case run inside workerd or a page). */
    record(name, ok, ms = 0, error) {
      results.push({ name, ok, ms, error });
      console.log(`  ${ok ? "\u2713" : "\u2717"} ${name}${ms ? ` (${ms} ms)` : ""}`);
      if (!ok) console.log(`      ${String(error).split("\n").join("\n      ")}`);
    },
    /** Runs one check with a timeout; never throws. */
    async check(name, fn, timeoutMs = 30_000) {
      const started = Date.now();
      let timer;
      try {
        await Promise.race([
          fn(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
        this.record(name, true, Date.now() - started);
      } catch (error) {
        this.record(name, false, Date.now() - started, error?.stack ?? error);
      } finally {
        clearTimeout(timer);
      }
    },
    /** Prints the summary lines and returns the exit code. */
    finish() {
      const passed = results.filter((r) => r.ok).length;
      const failed = results.length - passed;
      console.log(`RESULT passed=${passed} failed=${failed}`);
      return failed === 0 && passed > 0 ? 0 : 1;
    },
  };
}

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}

export function assertEqual(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}
