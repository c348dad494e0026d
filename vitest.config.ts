import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Node loads graphql's CommonJS build for everyone (type-graphql, Apollo); vite would pick the .mjs
    // build for our sources, and graphql refuses types from "another realm". Use the one Node uses.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['reflect-metadata'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // expect.poll waits on its condition up to this deadline (vitest's 1 s default is an idle
    // machine's: a browser test on a loaded CI machine timed out before the first row loaded)
    expect: { poll: { timeout: 10_000 } },
    // the JSON report is what .ci/run summarises as "N passed, M failed"
    reporters: ['default', 'json'],
    outputFile: { json: 'test-output/vitest.json' },
  },
});
