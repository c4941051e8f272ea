import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    // In CI only: a test that fails once on a loaded machine gets one more run. .ci/run lists every
    // test that needed it, so a flaky test stays visible instead of turning a whole run red.
    retry: process.env['CI'] === 'true' ? 1 : 0,
  },
});
