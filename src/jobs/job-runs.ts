import type { Logger } from 'pino';
import type { Db } from '../db/database.ts';
import { observeJobRun } from './job-metrics.ts';

/** Maximum length of the error text stored in job_runs, in characters, so one huge message cannot bloat the table. */
const MAX_ERROR_LENGTH = 2000;

interface JobRunTiming {
  jobName: string;
  /** pg-boss job id, or null for a run started outside the queue. */
  jobId: string | null;
  startedAt: Date;
  finishedAt: Date;
}

/** A run that ended: its counts when the handler returned, or the error it threw. */
export type FinishedJobRun =
  | (JobRunTiming & { status: 'succeeded'; counts: Record<string, number> })
  | (JobRunTiming & { status: 'failed'; error: unknown });

/**
 * Inserts one job_runs row and updates the job metrics. A failure to record is logged and not
 * raised, because it must not fail or retry the job it describes.
 */
export async function recordJobRun(db: Db, run: FinishedJobRun, logger: Logger): Promise<void> {
  const status = run.status;
  const durationMs = Math.max(run.finishedAt.getTime() - run.startedAt.getTime(), 0);
  observeJobRun(run.jobName, status, durationMs, run.status === 'succeeded' ? run.counts : {});

  try {
    await db
      .insertInto('job_runs')
      .values({
        job_name: run.jobName,
        job_id: run.jobId,
        started_at: run.startedAt,
        finished_at: run.finishedAt,
        status,
        duration_ms: durationMs,
        counts: JSON.stringify(run.status === 'succeeded' ? run.counts : {}),
        error: run.status === 'failed' ? errorText(run.error) : null,
      })
      .execute();
  } catch (error) {
    logger.error({ err: error, job: run.jobName, jobId: run.jobId }, 'failed to record the job run in job_runs');
  }
}

export interface LastJobRun {
  jobName: string;
  startedAt: string;
  finishedAt: string;
  status: 'succeeded' | 'failed';
  durationMs: number;
  counts: Record<string, number>;
  error: string | null;
}

/** Returns the newest run of each job that has run at least once, ordered by job name. */
export async function listLastJobRuns(db: Db): Promise<LastJobRun[]> {
  const rows = await db
    .selectFrom('job_runs')
    .distinctOn('job_name')
    .select(['job_name', 'started_at', 'finished_at', 'status', 'duration_ms', 'counts', 'error'])
    .orderBy('job_name')
    .orderBy('started_at', 'desc')
    .execute();

  return rows.map((row) => ({
    jobName: row.job_name,
    startedAt: row.started_at.toISOString(),
    finishedAt: row.finished_at.toISOString(),
    status: row.status,
    durationMs: row.duration_ms,
    counts: row.counts,
    error: row.error,
  }));
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, MAX_ERROR_LENGTH);
}
