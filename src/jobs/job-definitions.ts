import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import type { JobQueue } from '../services/vms/context.ts';
import { createQueueRetryingDeadlocks } from './create-queue.ts';

/** Dependencies a job handler receives besides its payload. */
export interface JobContext {
  database: Database;
  logger: Logger;
  /** The queue, for a job that hands work to another job; absent in `tenant-portal sync --once`. */
  queue?: JobQueue;
}

export interface JobDefinition<Payload extends object = object> {
  name: string;
  /** Cron expression in `timeZone`, or undefined for jobs that are only sent on demand. */
  cron?: string;
  timeZone?: string;
  /** Seconds before pg-boss fails a running job and retries it. */
  expireInSeconds: number;
  retryLimit: number;
  retryDelaySeconds: number;
  /**
   * pg-boss queue policy. `singleton` lets only one job of the queue be active at a time, for jobs
   * whose overlapping runs would write the same rows twice. Default: pg-boss's `standard`.
   */
  policy?: 'standard' | 'short' | 'singleton' | 'stately';
  handle(payload: Payload, context: JobContext): Promise<Record<string, number>>;
}

/** Registers the queue and schedule of each job. Safe to call from any number of processes. */
export async function registerJobs(boss: PgBoss, jobs: readonly JobDefinition[]): Promise<void> {
  for (const job of jobs) {
    // createQueue returns without change when the queue exists. Processes that create missing
    // queues at the same moment can deadlock, and the helper calls again in that case.
    await createQueueRetryingDeadlocks(boss, job.name, {
      name: job.name,
      expireInSeconds: job.expireInSeconds,
      retryLimit: job.retryLimit,
      retryDelay: job.retryDelaySeconds,
      retryBackoff: true,
      ...(job.policy ? { policy: job.policy } : {}),
    });

    // schedule() is an upsert keyed by queue name, so a restart or a second worker changes nothing.
    if (job.cron) {
      await boss.schedule(job.name, job.cron, {}, { tz: job.timeZone ?? 'UTC' });
    }
  }
}
