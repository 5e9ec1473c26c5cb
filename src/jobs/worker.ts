import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import { registerJobs, type JobDefinition } from './job-definitions.ts';
import { recordJobRun } from './job-runs.ts';

/** Starts handlers for every job; each run logs its counts, or its error, when it ends. */
export async function startWorkers(
  boss: PgBoss,
  jobs: readonly JobDefinition[],
  context: { database: Database; logger: Logger },
): Promise<void> {
  await registerJobs(boss, jobs);

  for (const job of jobs) {
    await boss.work<object>(job.name, { pollingIntervalSeconds: 2 }, async ([received]) => {
      if (!received) return;
      const logger = context.logger.child({ job: job.name, jobId: received.id });
      const startedAt = Date.now();

      try {
        const counts = await job.handle(received.data ?? {}, { database: context.database, logger });
        logger.info({ counts, durationMs: Date.now() - startedAt }, 'job finished');
        await recordJobRun(context.database.db, { jobName: job.name, jobId: received.id, startedAt: new Date(startedAt), finishedAt: new Date(), status: 'succeeded', counts }, logger);
      } catch (error) {
        logger.error({ err: error, durationMs: Date.now() - startedAt }, 'job failed; pg-boss retries it with backoff');
        await recordJobRun(context.database.db, { jobName: job.name, jobId: received.id, startedAt: new Date(startedAt), finishedAt: new Date(), status: 'failed', error }, logger);
        throw error;
      }
    });
  }
}
