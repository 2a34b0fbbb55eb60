import { defineConfig } from "vitest/config";
import { sourceAliases } from "./scripts/source-aliases.mjs";

export default defineConfig({
  // "fcn-viz", "fcn-viz/viz", ... (imported by the explorer's modules) from the sources, not dist/.
  resolve: { alias: sourceAliases(import.meta.dirname) },
  test: {
    include: ["test/**/*.test.ts"],
    // tfjs on the cpu/wasm backends is compute-bound; 2 cores, so 2 workers.
    maxWorkers: 2,
    testTimeout: 180_000,
    hookTimeout: 180_000,
    reporters: ["default", "./test/support/summary-reporter.ts"],
  },
});
