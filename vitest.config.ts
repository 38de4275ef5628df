import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'properties/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // the JSON report gives .ci/run the runner's own pass/fail counts
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
