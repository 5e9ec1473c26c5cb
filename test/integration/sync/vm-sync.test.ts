import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.ts';
import { createOpenStackClient, loadCloudConfig, updateComputeQuotas } from '../../../src/openstack/index.ts';
import { createTenant } from '../../helpers/fixtures.ts';
import { pollServer } from '../../../src/services/vms/observe.ts';
import { syncVms, type SyncCounts, type SyncMode } from '../../../src/services/sync/vm-sync.ts';
import { createBoundTenant, openVmTestApp, pollUntil, smallVm, type TenantFixture, type VmTestApp } from '../../helpers/sim-cloud.ts';
import { LogCapture } from '../../helpers/test-app.ts';
import { databaseKinds } from '../../helpers/test-database.ts';

describe.each(databaseKinds())('vm-sync on %s', (kind) => {
  let t: VmTestApp;
  let tenant: TenantFixture;
  const logs = new LogCapture();
  const logger = createLogger({ level: 'debug', destination: logs });

  beforeAll(async () => {
    t = await openVmTestApp(kind);
    tenant = await createBoundTenant(t, 'sync', { cloud: 'sim-demo', projectName: 'demo' });
    // Nova's default quota of 10 instances is fewer than this file creates.
    const admin = createOpenStackClient(loadCloudConfig({ cloud: 'sim-admin', env: { OS_CLIENT_CONFIG_FILE: t.cloud.cloudsYamlPath } }));
    try {
      await updateComputeQuotas(admin, t.cloud.sim.admin.projectId('demo'), { instances: 50, cores: 100, ramMiB: 200_000 });
    } finally {
      admin.close();
    }
  });

  afterAll(async () => {
    await t?.close();
  });

  const admin = () => tenant.sessions.admin.headers;
  const sync = (mode: SyncMode, since?: Date | null): Promise<SyncCounts> =>
    syncVms({ database: t.handle.database, clouds: t.clouds, logger, env: {} }, { mode, now: new Date(), ...(since === undefined ? {} : { since }) });
  const vmRow = (id: string) => t.db.selectFrom('virtual_machines').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const countRows = async (table: 'vm_status_history' | 'operation_logs') =>
    Number((await t.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  // Reads through the API, because the simulator moves a server through its phases when asked.
  const novaStatus = async (serverId: string) => {
    const client = t.clouds.forBinding({ cloud: 'sim-demo', region: 'RegionOne', projectId: t.cloud.sim.admin.projectId('demo') });
    const server = await pollServer(client, serverId);
    return server === null ? { status: 'GONE', taskState: null } : { status: server.status, taskState: server.taskState };
  };
  const outOfBand = async (serverId: string, action: string) => {
    const response = await fetch(`${t.cloud.sim.url}/_sim/servers/${serverId}/out-of-band`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-sim-admin-secret': t.cloud.sim.adminSecret },
      body: JSON.stringify({ action }),
    });
    expect(response.status).toBe(202);
  };

  // Shows a status that no simulated flow reaches, until the next operation on the server.
  const forceStatus = async (serverId: string, status: string | null) => {
    const response = await fetch(`${t.cloud.sim.url}/_sim/servers/${serverId}/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-sim-admin-secret': t.cloud.sim.adminSecret },
      body: JSON.stringify({ status }),
    });
    expect(response.status).toBe(200);
  };
  const recent = () => new Date(Date.now() - 60_000);

  async function createRunningVm(name: string): Promise<{ id: string; serverId: string }> {
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/vms', headers: admin(), payload: smallVm(tenant.systemId, name) });
    expect(created.statusCode, created.body).toBe(202);
    const operationId = (t.queue.sent.at(-1)?.data as { operationId: string }).operationId;
    expect(await t.watch(operationId)).toBe('succeeded');
    const row = await vmRow(created.json().id);
    return { id: row.id, serverId: row.server_id as string };
  }

  it('writes nothing when Nova shows no change', async () => {
    await createRunningVm('quiet-1');
    await sync('full');
    const history = await countRows('vm_status_history');
    const operations = await countRows('operation_logs');
    const before = await t.db.selectFrom('virtual_machines').select(['id', 'updated_at', 'last_synced_at']).execute();

    const statementsBefore = t.handle.database.stats.queries;
    const counts = await sync('full');
    // Only the reads of bound tenants and their VMs: no transaction is opened for an unchanged page.
    expect(t.handle.database.stats.queries - statementsBefore).toBeLessThanOrEqual(2);
    expect(counts.serversSeen).toBeGreaterThan(0);
    expect(counts.vmsUpdated).toBe(0);
    expect(counts.transitions).toBe(0);
    const incremental = await sync('incremental', new Date(Date.now() - 60_000));
    expect(incremental.vmsUpdated).toBe(0);

    expect(await countRows('vm_status_history')).toBe(history);
    expect(await countRows('operation_logs')).toBe(operations);
    const after = await t.db.selectFrom('virtual_machines').select(['id', 'updated_at', 'last_synced_at']).execute();
    expect(after).toEqual(before);
  });

  it('records an out-of-band stop', async () => {
    const vm = await createRunningVm('oob-stop');
    await outOfBand(vm.serverId, 'stop');
    await pollUntil(async () => novaStatus(vm.serverId), (state) => state.status === 'SHUTOFF' && state.taskState === null);

    const counts = await sync('incremental', new Date(Date.now() - 60_000));
    expect(counts.transitions).toBeGreaterThanOrEqual(1);
    expect((await vmRow(vm.id)).status).toBe('stopped');

    const history = await t.db.selectFrom('vm_status_history').selectAll().where('vm_id', '=', vm.id).where('source', '=', 'sync').execute();
    expect(history.map((row) => [row.from_status, row.to_status])).toEqual([['running', 'stopped']]);
    const operations = await t.db.selectFrom('operation_logs').selectAll().where('vm_id', '=', vm.id).where('kind', '=', 'sync').execute();
    expect(operations).toHaveLength(1);
    expect(operations[0]?.status).toBe('succeeded');
    expect(operations[0]?.finished_at).not.toBeNull();
  });

  it('records an out-of-band delete', async () => {
    const vm = await createRunningVm('oob-delete');
    await outOfBand(vm.serverId, 'delete');
    await pollUntil(async () => novaStatus(vm.serverId), (state) => state.status === 'GONE');

    const counts = await sync('incremental', new Date(Date.now() - 60_000));
    expect(counts.vmsDeleted).toBe(1);
    const row = await vmRow(vm.id);
    expect(row.status).toBe('deleted');
    expect(row.deleted_at).not.toBeNull();
  });

  it('deletes a VM missing from listing', async () => {
    const vm = await createRunningVm('purged');
    // A server id that Nova never had simulates a server purged from Nova's database.
    await t.db.updateTable('virtual_machines').set({ server_id: crypto.randomUUID() }).where('id', '=', vm.id).execute();
    const counts = await sync('full');
    expect(counts.vmsDeleted).toBe(1);
    expect((await vmRow(vm.id)).status).toBe('deleted');
  });

  it('completes a pending stop it observes', async () => {
    const vm = await createRunningVm('pending-stop');
    const accepted = await t.app.inject({ method: 'POST', url: `/api/v1/vms/${vm.id}/actions`, headers: tenant.sessions.operator.headers, payload: { action: 'stop' } });
    expect(accepted.statusCode, accepted.body).toBe(202);
    await pollUntil(async () => novaStatus(vm.serverId), (state) => state.status === 'SHUTOFF' && state.taskState === null);

    await sync('incremental', new Date(Date.now() - 60_000));
    const row = await vmRow(vm.id);
    expect(row.status).toBe('stopped');
    expect(row.pending_action).toBeNull();
    const operation = await t.db.selectFrom('operation_logs').selectAll().where('id', '=', accepted.json().id).executeTakeFirstOrThrow();
    expect(operation.status).toBe('succeeded');
  });

  it('leaves a portal delete to the watch', async () => {
    const vm = await createRunningVm('portal-delete');
    await outOfBand(vm.serverId, 'stop');
    await pollUntil(async () => novaStatus(vm.serverId), (state) => state.status === 'SHUTOFF' && state.taskState === null);
    await sync('full');
    expect((await vmRow(vm.id)).status).toBe('stopped');

    const deleted = await t.app.inject({ method: 'DELETE', url: `/api/v1/vms/${vm.id}`, headers: admin() });
    expect(deleted.statusCode, deleted.body).toBe(202);
    const operationId = (t.queue.sent.at(-1)?.data as { operationId: string }).operationId;
    await pollUntil(async () => novaStatus(vm.serverId), (state) => state.status === 'GONE');

    const incremental = await sync('incremental', new Date(Date.now() - 60_000));
    expect(incremental.vmsDeleted).toBe(0);
    const full = await sync('full');
    expect(full.vmsDeleted).toBe(0);
    expect((await vmRow(vm.id)).pending_action).toBe('deleting');

    expect(await t.watch(operationId)).toBe('succeeded');
    const row = await vmRow(vm.id);
    expect(row.status).toBe('deleted');
    expect(row.pending_action).toBeNull();
  });

  it('throws on a 503 burst', async () => {
    await createRunningVm('burst');
    const before = await t.db.selectFrom('virtual_machines').select(['id', 'status']).orderBy('id').execute();
    t.cloud.sim.admin.configureFaults({ burst503: 200 });
    try {
      await expect(sync('full')).rejects.toThrow();
    } finally {
      t.cloud.sim.admin.configureFaults({});
    }
    const after = await t.db.selectFrom('virtual_machines').select(['id', 'status']).orderBy('id').execute();
    expect(after).toEqual(before);
    expect(after.some((row) => row.status === 'error')).toBe(false);
  });

  it('maps every Nova status', async () => {
    // The table in DESIGN.md, written out here so a change to the mapping has to change the test.
    const expected: [string, string][] = [
      ['BUILD', 'creating'], ['SHUTOFF', 'stopped'], ['PAUSED', 'paused'], ['SUSPENDED', 'suspended'],
      ['REBOOT', 'rebooting'], ['HARD_REBOOT', 'rebooting'], ['RESIZE', 'resizing'], ['VERIFY_RESIZE', 'resizing'],
      ['REVERT_RESIZE', 'resizing'], ['MIGRATING', 'migrating'], ['SHELVED', 'shelved'], ['SHELVED_OFFLOADED', 'shelved'],
      ['RESCUE', 'maintenance'], ['REBUILD', 'maintenance'], ['PASSWORD', 'maintenance'], ['ERROR', 'error'],
      ['UNKNOWN', 'unknown'], ['ACTIVE', 'running'],
    ];
    const vm = await createRunningVm('every-status');

    for (const [nova, portal] of expected) {
      await forceStatus(vm.serverId, nova);
      await sync('incremental', recent());
      const row = await vmRow(vm.id);
      expect({ nova, status: row.status, novaStatus: row.nova_status }).toEqual({ nova, status: portal, novaStatus: nova });
    }

    // One history row per change of portal status: VERIFY_RESIZE after RESIZE, for one, is not a change.
    const history = await t.db.selectFrom('vm_status_history').select('to_status').where('vm_id', '=', vm.id).where('source', '=', 'sync').execute();
    const changes = expected.filter(([, portal], index) => portal !== (index === 0 ? 'running' : expected[index - 1]?.[1]));
    expect(history).toHaveLength(changes.length);
  });

  it('shows a status Nova does not define as unknown and logs it once', async () => {
    const first = await createRunningVm('odd-1');
    const second = await createRunningVm('odd-2');
    await forceStatus(first.serverId, 'HIBERNATED');
    await forceStatus(second.serverId, 'HIBERNATED');
    const linesBefore = logs.lines.length;

    await sync('incremental', recent());
    expect((await vmRow(first.id)).status).toBe('unknown');
    expect((await vmRow(second.id)).status).toBe('unknown');
    const warnings = logs.lines.slice(linesBefore).filter((line) => line.includes('does not map') && line.includes('HIBERNATED'));
    expect(warnings).toHaveLength(1);

    await forceStatus(first.serverId, null);
    await forceStatus(second.serverId, null);
    await sync('incremental', recent());
    expect((await vmRow(first.id)).status).toBe('running');
  });

  it('links a server to its VM by portal_vm_id', async () => {
    const vm = await createRunningVm('crash-link');
    // A create that crashed after Nova created the server and before the portal wrote its id.
    await t.db.updateTable('virtual_machines').set({ server_id: null, status: 'creating' }).where('id', '=', vm.id).execute();

    const counts = await sync('full');
    expect(counts.vmsUpdated).toBeGreaterThanOrEqual(1);
    const row = await vmRow(vm.id);
    expect(row.server_id).toBe(vm.serverId);
    expect(row.status).toBe('running');
    expect(row.primary_ip).not.toBeNull();
    expect((await sync('full')).rowsWritten).toBe(0);
  });

  it('leaves a failed create unlinked', async () => {
    const vm = await createRunningVm('failed-link');
    // A create the portal recorded as failed although Nova made the server: orphan-sweep owns it.
    await t.db.updateTable('virtual_machines').set({ server_id: null, status: 'error' }).where('id', '=', vm.id).execute();

    await sync('full');
    const row = await vmRow(vm.id);
    expect(row.server_id).toBeNull();
    expect(row.status).toBe('error');
  });

  it('writes a resize done outside the portal into the VM size', async () => {
    const vm = await createRunningVm('oob-resize');
    const before = await vmRow(vm.id);
    const response = await fetch(`${t.cloud.sim.url}/_sim/servers/${vm.serverId}/out-of-band`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-sim-admin-secret': t.cloud.sim.adminSecret },
      body: JSON.stringify({ action: 'resize', flavor: '2c4g' }),
    });
    expect(response.status).toBe(202);
    await pollUntil(async () => novaStatus(vm.serverId), (state) => state.status === 'ACTIVE' && state.taskState === null);

    await sync('incremental', recent());
    const after = await vmRow(vm.id);
    expect({ cpu: after.cpu_cores, memory: after.memory_mib, disk: after.root_disk_gib, flavor: after.flavor_name }).toEqual({ cpu: 2, memory: 4096, disk: 40, flavor: '2c4g' });
    expect(after.flavor_id).not.toBe(before.flavor_id);
    expect(before.cpu_cores).toBe(1);
    const intervals = await t.db.selectFrom('vm_usage_intervals').select(['cpu_cores', 'ended_at']).where('vm_id', '=', vm.id).orderBy('started_at').execute();
    expect(intervals.map((interval) => [interval.cpu_cores, interval.ended_at === null])).toEqual([[1, false], [2, true]]);
  });

  it('re-authenticates when its token is revoked during a run', async () => {
    const vm = await createRunningVm('token-expiry');
    // A server id Nova never had, so the run lists and then confirms it with a second call.
    await t.db.updateTable('virtual_machines').set({ server_id: crypto.randomUUID() }).where('id', '=', vm.id).execute();
    const tokensBefore = t.cloud.count('POST', /\/auth\/tokens$/);

    // Revoke every token as the listing arrives, so the confirming call meets a dead token.
    let revoked = 0;
    const stop = t.cloud.onRequest((request) => {
      if (revoked === 0 && request.path.endsWith('/servers/detail')) revoked = t.cloud.sim.admin.revokeTokens();
    });
    try {
      const counts = await sync('full');
      expect(revoked).toBeGreaterThan(0);
      expect(counts.vmsDeleted).toBe(1);
    } finally {
      stop();
    }
    expect(t.cloud.count('POST', /\/auth\/tokens$/)).toBeGreaterThan(tokensBefore);
    expect((await vmRow(vm.id)).status).toBe('deleted');
  });

  it('syncs other clouds when one binding is broken', async () => {
    const vm = await createRunningVm('beside-broken');
    const broken = await createTenant(t.db, 'sync-broken');
    await t.db.updateTable('tenants').set({ cloud: 'no-such-cloud', region: 'RegionOne', project_id: 'p-broken' }).where('id', '=', broken.id).execute();
    await outOfBand(vm.serverId, 'stop');
    await pollUntil(async () => novaStatus(vm.serverId), (state) => state.status === 'SHUTOFF' && state.taskState === null);

    try {
      await expect(sync('full')).rejects.toThrow(/no-such-cloud/);
    } finally {
      await t.db.updateTable('tenants').set({ cloud: null, region: null, project_id: null }).where('id', '=', broken.id).execute();
    }
    expect((await vmRow(vm.id)).status).toBe('stopped');
  });

  it('lists all projects with SYNC_OS_CLOUD', async () => {
    const perProject = await sync('full');
    const env = { SYNC_OS_CLOUD: 'sim-admin', OS_CLIENT_CONFIG_FILE: t.cloud.cloudsYamlPath };
    const detailBefore = t.cloud.count('GET', /\/servers\/detail$/);
    const withAdmin = await syncVms({ database: t.handle.database, clouds: t.clouds, logger, env, adminClientOptions: { retryPolicy: { BASE_DELAY_MS: 10, MAX_DELAY_MS: 50 } } }, { mode: 'full', now: new Date() });
    expect(t.cloud.count('GET', /\/servers\/detail$/) - detailBefore).toBe(1);
    expect(withAdmin.serversSeen).toBe(perProject.serversSeen);
    expect(withAdmin.vmsUpdated).toBe(0);
  });

  it('starts incremental from job_runs', async () => {
    const startedAt = new Date();
    await t.db
      .insertInto('job_runs')
      .values({ job_name: 'vm-sync-incremental', job_id: null, started_at: startedAt, finished_at: startedAt, status: 'succeeded', duration_ms: 0, counts: JSON.stringify({}), error: null })
      .execute();
    const counts = await syncVms({ database: t.handle.database, clouds: t.clouds, logger, env: {} }, { mode: 'incremental', now: new Date(), overlapMs: 0 });
    expect(counts.serversSeen).toBe(0);
    expect(counts.openstackCalls).toBeGreaterThanOrEqual(1);
  });

  it('pages past 1000 servers', { timeout: 120_000 }, async () => {
    const servers = t.cloud.sim.admin.loadServers(1200, 'demo');
    const project = t.cloud.sim.admin.projectId('demo');
    await t.db
      .insertInto('virtual_machines')
      .values(
        servers.map((server, index) => ({
          tenant_id: tenant.tenantId,
          system_id: tenant.systemId,
          name: `bulk-${index}`,
          cloud: 'sim-demo',
          region: 'RegionOne',
          project_id: project,
          server_id: server.id,
          cpu_cores: 1,
          memory_mib: 1024,
          root_disk_gib: 20,
          status: 'creating',
        })),
      )
      .execute();

    const pagesBefore = t.cloud.count('GET', /\/servers\/detail$/);
    const statementsBefore = t.handle.database.stats.queries;
    const counts = await sync('full');
    const statements = t.handle.database.stats.queries - statementsBefore;
    expect(t.cloud.count('GET', /\/servers\/detail$/) - pagesBefore).toBeGreaterThanOrEqual(2);
    // Batched: a page of a thousand changed VMs costs a handful of statements, not one per VM.
    expect(statements).toBeLessThan(40);
    expect(counts.serversSeen).toBeGreaterThanOrEqual(1200);
    expect(counts.vmsUpdated).toBeGreaterThanOrEqual(1200);
    const creating = await t.db.selectFrom('virtual_machines').select('id').where('status', '=', 'creating').where('name', 'like', 'bulk-%').execute();
    expect(creating).toHaveLength(0);

    const again = await sync('full');
    expect(again.vmsUpdated).toBe(0);
  });
});
