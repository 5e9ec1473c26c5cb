import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type PgBoss from 'pg-boss';
import { ALL_JOBS } from '../../../src/jobs/all-jobs.ts';
import { registerJobs } from '../../../src/jobs/job-definitions.ts';
import { startQueue } from '../../../src/jobs/queue.ts';
import { openTestDatabase, type TestDatabase } from '../../helpers/test-database.ts';

/** Processes that start at once, as several serve and worker processes do after a deploy. */
const PROCESSES = 4;

// Only PostgreSQL has several connections; the embedded database runs one process by design.
describe.runIf(process.env.TEST_DATABASE_URL)('registerJobs from several processes at once', () => {
  let handle: TestDatabase;
  const bosses: PgBoss[] = [];

  beforeAll(async () => {
    handle = await openTestDatabase('postgres');
  });

  afterAll(async () => {
    await Promise.all(bosses.map((boss) => boss.stop({ graceful: false, wait: true })));
    await handle?.dispose();
  });

  it('creates every queue without failing', async () => {
    for (let index = 0; index < PROCESSES; index += 1) {
      bosses.push(await startQueue(handle.database, { schema: 'pgboss_concurrent', supervise: false, schedule: false }));
    }

    const results = await Promise.allSettled(bosses.map((boss) => registerJobs(boss, ALL_JOBS)));
    const queues = await (bosses[0] as PgBoss).getQueues();

    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    expect(queues.map((queue) => queue.name).sort()).toEqual(ALL_JOBS.map((job) => job.name).sort());
  });
});
