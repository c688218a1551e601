// The browser tests (`npm run test:browser`): Debian's Chromium against one shop started the way
// `npm start` starts it, on free ports. One file at a time: each drives a browser and the shop
// on a two-core machine.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'browser',
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['packages/devstack/src/vitest-global-setup.ts', 'test/browser/stack-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    reporters: ['default'],
  },
});
