import type PgBoss from 'pg-boss';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localDayBounds, previousLocalDay } from '../../../src/domain/local-day.ts';
import { billingDailyJob } from '../../../src/jobs/billing-daily.ts';
import type { JobDefinition } from '../../../src/jobs/job-definitions.ts';
import { startQueue } from '../../../src/jobs/queue.ts';
import { startWorkers } from '../../../src/jobs/worker.ts';
import { createLogger } from '../../../src/logger.ts';
import { createTenant, createTestUser, loginAs } from '../../helpers/fixtures.ts';
import { databaseKinds } from '../../helpers/test-database.ts';
import { openTestApp, type TestApp } from '../../helpers/test-app.ts';
import { createBilledSystem, SHANGHAI } from './billing-fixtures.ts';

const echoJob: JobDefinition = {
  name: 'test-echo',
  expireInSeconds: 60,
  retryLimit: 0,
  retryDelaySeconds: 1,
  async handle() {
    return { echoed: 1 };
  },
};

const failingJob: JobDefinition = {
  name: 'test-fail',
  expireInSeconds: 60,
  retryLimit: 0,
  retryDelaySeconds: 1,
  async handle() {
    throw new Error('simulated failure');
  },
};

interface JobRunItem {
  jobName: string;
  status: string;
  durationMs: number;
  counts: Record<string, number>;
  error: string | null;
  startedAt: string;
  finishedAt: string;
}

describe.each(databaseKinds())('GET /api/v1/admin/jobs on %s', (kind) => {
  let testApp: TestApp;
  let boss: PgBoss;

  beforeEach(async () => {
    testApp = await openTestApp(kind);
    boss = await startQueue(testApp.handle.database, { schema: 'pgboss_admin_jobs', supervise: false, schedule: false });
    const logger = createLogger({ level: 'warn', destination: testApp.logs });
    await startWorkers(boss, [echoJob, failingJob, billingDailyJob], { database: testApp.handle.database, logger });
  });

  afterEach(async () => {
    await boss.stop({ graceful: false, wait: true });
    await testApp.close();
  });

  /** Polls job_runs until `count` runs are recorded, for at most 30 seconds. */
  async function waitForRuns(count: number): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const row = await testApp.handle.database.db.selectFrom('job_runs').select((eb) => eb.fn.countAll<string>().as('count')).executeTakeFirstOrThrow();
      if (Number(row.count) >= count) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`fewer than ${count} job runs recorded within 30 s`);
  }

  it('lists the last run of each job', async () => {
    await boss.send('test-echo', {});
    await waitForRuns(1);
    await boss.send('test-echo', {});
    await waitForRuns(2);
    await boss.send('test-fail', {});
    await waitForRuns(3);

    await createTestUser(testApp.handle.database.db, 'ops-jobs', { platformOperator: true });
    const operator = await loginAs(testApp.app, 'ops-jobs');
    const response = await testApp.app.inject({ method: 'GET', url: '/api/v1/admin/jobs', headers: operator.headers });

    expect(response.statusCode).toBe(200);
    const items = (response.json() as { items: JobRunItem[] }).items;
    expect(items.map((item) => item.jobName)).toEqual(['test-echo', 'test-fail']);
    expect((response.json() as { neverRun: string[] }).neverRun).toContain('session-cleanup');

    const echo = items[0];
    expect(echo?.status).toBe('succeeded');
    expect(echo?.counts).toEqual({ echoed: 1 });
    expect(echo?.error).toBeNull();
    expect(echo?.durationMs).toBeGreaterThanOrEqual(0);
    expect(Date.parse(echo?.finishedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(echo?.startedAt ?? ''));

    const failed = items[1];
    expect(failed?.status).toBe('failed');
    expect(failed?.counts).toEqual({});
    expect(failed?.error).toBe('Error: simulated failure');
  });

  it('records a billing-daily run', async () => {
    // A system created at the start of the previous local day gets exactly one record.
    const lastDay = previousLocalDay(new Date(), SHANGHAI);
    await createBilledSystem(testApp.handle.database.db, { mode: 'usage', createdAt: localDayBounds(lastDay, SHANGHAI).start.toISOString() });

    await boss.send('billing-daily', {});
    await waitForRuns(1);

    const run = await testApp.handle.database.db.selectFrom('job_runs').selectAll().where('job_name', '=', 'billing-daily').executeTakeFirstOrThrow();
    expect(run.status).toBe('succeeded');
    expect(run.counts).toEqual({ daysChecked: 1, recordsWritten: 1 });
  });

  it('counts runs in the metrics', async () => {
    await boss.send('test-fail', {});
    await waitForRuns(1);

    const response = await testApp.app.inject({ method: 'GET', url: '/metrics' });

    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(/tenant_portal_job_runs_total\{job="test-fail",status="failed"\} [1-9]/);
    expect(response.body).toContain('tenant_portal_job_duration_seconds_bucket{le="0.01",job="test-fail"}');
  });

  it('adds reported counts to the metrics', async () => {
    await boss.send('test-echo', {});
    await waitForRuns(1);

    const response = await testApp.app.inject({ method: 'GET', url: '/metrics' });

    expect(response.body).toMatch(/tenant_portal_job_items_total\{job="test-echo",count="echoed"\} [1-9]/);
  });

  it('rejects tenant users with 403', async () => {
    const tenant = await createTenant(testApp.handle.database.db, 'jobs-tenant');
    await createTestUser(testApp.handle.database.db, 'tenant-admin-jobs', { tenantId: tenant.id, role: 'admin' });
    const tenantAdmin = await loginAs(testApp.app, 'tenant-admin-jobs');

    const response = await testApp.app.inject({ method: 'GET', url: '/api/v1/admin/jobs', headers: tenantAdmin.headers });

    expect(response.statusCode).toBe(403);
  });
});
