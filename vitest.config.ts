import { defineConfig } from 'vitest/config';

// Four projects, all run by `npm test`. Unit tests touch nothing outside the process. Integration
// tests use the embedded database, and PostgreSQL too when TEST_DATABASE_URL is set. Contract tests
// run the same scenarios against the simulator and a real cloud. Acceptance tests need a real cloud
// and skip themselves, with a message, when none is configured.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'contract',
          include: ['test/contract/**/*.test.ts'],
          // The contract suite creates servers in its own project, so it never competes with the
          // acceptance suites for the member project's instance quota (10 by default).
          env: process.env.TEST_OS_ALT_CLOUD ? { TEST_OS_CLOUD: process.env.TEST_OS_ALT_CLOUD } : {},
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'acceptance',
          include: ['test/acceptance/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
