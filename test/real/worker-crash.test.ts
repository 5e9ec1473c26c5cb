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

describe('worker killed in the middle of a VM create', () => {
  let deployment: Deployment;

  beforeAll(async () => {
    deployment = await deployPortal(settings);
  });

  afterAll(async () => {
    await deployment?.close();
  });

  it('restart leaves no orphan server', async () => {
    const user = deployment.tenantAdmin;
    const accepted = await requestVm(user, deployment.systemId, `e2e-${deployment.runId}-crash`);
    const operations = await user.get<Page<OperationView>>(`/api/v1/vms/${accepted.id}/operations`);
    const create = operations.items.find((operation) => operation.kind === 'create') as OperationView;

    // The kill must land while the worker follows the create, so wait until it has taken the job.
    // pg-boss's job table is the only place that shows this.
    await waitUntil(
      `the worker to take the operation-watch job of ${create.id}`,
      () => queryRows<{ state: string }>(deployment.database.url, `select state from pgboss.job where name = 'operation-watch' and data->>'operationId' = $1`, [create.id]),
      (rows) => rows.some((row) => row.state === 'active'),
      { timeoutMs: 30_000 },
    );
    await deployment.worker.kill();
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
