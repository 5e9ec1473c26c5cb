import { defineConfig } from 'vitest/config';

// End-to-end suite against a real OpenStack cloud, run by `npm run test:real` and never by `npm test`.
// Each file deploys its own portal (database, serve, worker) and creates servers in one shared
// project, so files run one after another to keep within the project's instance quota.
export default defineConfig({
  test: {
    name: 'real',
    include: ['test/real/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
