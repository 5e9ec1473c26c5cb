import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployPortal, type Deployment } from './support/deployment.ts';
import { novaServer, serversOfTenant } from './support/nova.ts';
import { queryRows } from './support/postgres.ts';
import { readRealCloudSettings } from './support/settings.ts';
import { liveVms, readOperation, readVm, requestVm, type OperationView, type Page } from './support/vms.ts';
import { waitUntil } from './support/wait.ts';

const settings = readRealCloudSettings();

/**
 * After a restart nothing reclaims the killed worker's job until pg-boss expires it (15 minutes
 * for operation-watch), so the scheduled vm-sync, which runs every minute, has to finish the
 * create. The bound allows for one missed minute plus pg-boss's cron and polling delays.
 */
const RECOVERY_TIMEOUT_MS = 180_000;

/** Most creates tried before the test gives up catching the worker while it follows one. */
const MAX_CRASH_ATTEMPTS = 3;

describe('worker killed in the middle of a VM create', () => {
  let deployment: Deployment;

  beforeAll(async () => {
    deployment = await deployPortal(settings);
  });

  afterAll(async () => {
    await deployment?.close();
  });

  /**
   * Requests VMs until the worker is killed while it follows one create. Only pg-boss's job table
   * shows that the worker has taken the watch job. A fast build can finish between two polls, so
   * that VM is left running and the next attempt starts.
   */
  async function createUntilKilledMidWatch(user: Deployment['tenantAdmin']) {
    for (let attempt = 1; attempt <= MAX_CRASH_ATTEMPTS; attempt += 1) {
      const accepted = await requestVm(user, deployment.systemId, `e2e-${deployment.runId}-crash${attempt}`);
      const operations = await user.get<Page<OperationView>>(`/api/v1/vms/${accepted.id}/operations`);
      const create = operations.items.find((operation) => operation.kind === 'create') as OperationView;

      const rows = await waitUntil(
        `the worker to take the operation-watch job of ${create.id}`,
        () => queryRows<{ state: string }>(deployment.database.url, `select state from pgboss.job where name = 'operation-watch' and data->>'operationId' = $1`, [create.id]),
        (found) => found.some((row) => row.state !== 'created' && row.state !== 'retry'),
        { timeoutMs: 30_000 },
      );
      if (rows.some((row) => row.state === 'active')) {
        await deployment.worker.kill();
        return { accepted, create };
      }
    }
    throw new Error(`the worker finished each of ${MAX_CRASH_ATTEMPTS} creates before a poll saw it working; the kill never landed mid-create`);
  }

  it('restart leaves no orphan server', async () => {
    const user = deployment.tenantAdmin;
    const { accepted, create } = await createUntilKilledMidWatch(user);
    const atKill = await readOperation(user, accepted.id, create.id);
    expect(['pending', 'running']).toContain(atKill?.status);

    await deployment.startWorker();
    const settled = await waitUntil(
      `VM ${accepted.id} to end running or error after the worker restart`,
      () => readVm(user, accepted.id),
      (vm) => (vm.status === 'running' || vm.status === 'error') && vm.pendingAction === null,
      { timeoutMs: RECOVERY_TIMEOUT_MS },
    );
    const server = await novaServer(deployment.nova, accepted.serverId as string);
    expect(['running', 'error']).toContain(settled.status);
    // A VM left in error must have no server behind it; a running one must match an ACTIVE server.
    expect(server?.status ?? null).toBe(settled.status === 'running' ? 'ACTIVE' : null);
    const finished = await readOperation(user, accepted.id, create.id);
    expect(finished?.status).toBe(settled.status === 'running' ? 'succeeded' : 'failed');

    const known = new Set((await liveVms(user)).map((vm) => vm.serverId));
    const unknown = (await serversOfTenant(deployment.nova, deployment.tenant.code)).filter((candidate) => !known.has(candidate.id));
    expect(unknown.map((candidate) => candidate.id)).toEqual([]);
  });
});
