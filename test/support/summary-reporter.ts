import type { Reporter, TestModule } from "vitest/node";

/**
 * Ends every test run with one plain line, `N passed, N failed[, N skipped]`, the line
 * CI reads. A test file that fails to load counts as a failure, and so does an error
 * thrown outside any test.
 */
export default class SummaryLineReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const m of modules) {
      let cases = 0;
      for (const t of m.children.allTests()) {
        cases++;
        const state = t.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else skipped++;
      }
      if (cases === 0 && m.state() === "failed") failed++;
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}\n`);
  }
}
