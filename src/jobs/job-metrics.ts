import { Counter, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics of background job runs, in a registry of their own. `serve` merges it into
 * its /metrics, and a separate `worker` serves it on WORKER_METRICS_PORT, because each process
 * counts only the runs it executed.
 */
export const jobMetricsRegistry = new Registry();

const runs = new Counter({
  name: 'tenant_portal_job_runs_total',
  help: 'Finished background job runs by job name and status (succeeded or failed).',
  labelNames: ['job', 'status'] as const,
  registers: [jobMetricsRegistry],
});

const duration = new Histogram({
  name: 'tenant_portal_job_duration_seconds',
  help: 'Duration of background job runs in seconds by job name.',
  labelNames: ['job'] as const,
  buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900],
  registers: [jobMetricsRegistry],
});

const items = new Counter({
  name: 'tenant_portal_job_items_total',
  help: 'Sums of the counts that successful job runs report, by job name and count (serversSeen, rowsWritten, openstackCalls, ...).',
  labelNames: ['job', 'count'] as const,
  registers: [jobMetricsRegistry],
});

/** Counts one finished run, observes its duration, and adds the counts of a successful run. */
export function observeJobRun(job: string, status: 'succeeded' | 'failed', durationMs: number, counts: Record<string, number> = {}): void {
  runs.inc({ job, status });
  duration.observe({ job }, durationMs / 1000);
  for (const [count, value] of Object.entries(counts)) {
    if (Number.isFinite(value) && value > 0) items.inc({ job, count }, value);
  }
}
