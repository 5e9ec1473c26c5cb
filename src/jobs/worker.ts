import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import { registerJobs, type JobContext, type JobDefinition } from './job-definitions.ts';
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
      await runAndRecord(job, received.data ?? {}, received.id, { ...context, queue: boss });
    });
  }
}

/**
 * Runs one job handler, logs and records the run in job_runs, and returns its counts. A failure
 * is recorded and thrown again, so pg-boss retries a queued run and the CLI exits non-zero.
 * `jobId` is the pg-boss id, or null for a run started outside the queue (`tenant-portal sync --once`).
 */
export async function runAndRecord(job: JobDefinition, payload: object, jobId: string | null, context: JobContext): Promise<Record<string, number>> {
  const logger = context.logger.child({ job: job.name, jobId });
  const startedAt = Date.now();

  try {
    const counts = await job.handle(payload, { ...context, logger });
    logger.info({ counts, durationMs: Date.now() - startedAt }, 'job finished');
    await recordJobRun(context.database.db, { jobName: job.name, jobId, startedAt: new Date(startedAt), finishedAt: new Date(), status: 'succeeded', counts }, logger);
    return counts;
  } catch (error) {
    logger.error({ err: error, durationMs: Date.now() - startedAt }, jobId === null ? 'job failed' : 'job failed; pg-boss retries it with backoff');
    await recordJobRun(context.database.db, { jobName: job.name, jobId, startedAt: new Date(startedAt), finishedAt: new Date(), status: 'failed', error }, logger);
    throw error;
  }
}
