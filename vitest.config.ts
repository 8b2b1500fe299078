import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Redis-heavy suites share one server on a 2-core machine: keep files sequential so
    // timing-sensitive end-to-end tests are not starved; each file uses its own key prefix.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    globalSetup: ["test/support/global-setup.ts"],
  },
});
