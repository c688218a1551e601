// One test run for the whole workspace. The shop's tests share a global setup that provisions
// PostgreSQL and Redis (reusing DATABASE_URL / REDIS_URL when given) once; each test file makes
// its own databases. The web app's component tests run in jsdom with its own Vite config. The
// browser tests need Chromium and run apart (`npm run test:browser`, vitest.browser.config.ts).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'shop',
          include: [
            'packages/*/test/**/*.test.ts',
            'services/*/test/**/*.test.ts',
            'tools/*/test/**/*.test.ts',
            'deploy/test/**/*.test.ts',
            'test/**/*.test.ts',
            'bench/test/**/*.test.ts',
          ],
          exclude: ['**/node_modules/**', 'test/browser/**'],
          globalSetup: ['packages/devstack/src/vitest-global-setup.ts'],
        },
      },
      'web/vite.config.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
