import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { createOrphanSweepJob } from '../../../src/jobs/orphan-sweep.ts';
import { bindOrphanGauge } from '../../../src/jobs/orphan-metrics.ts';
import { jobMetricsRegistry } from '../../../src/jobs/job-metrics.ts';
import { createLogger } from '../../../src/logger.ts';
import { createServer, deleteServer, listFlavors, listImages, listNetworks, type OpenStackClient } from '../../../src/openstack/index.ts';
import { CloudClients } from '../../../src/services/cloud/cloud-clients.ts';
import { sweepOrphans, type OrphanSweepCounts, type OrphanSweepDeps } from '../../../src/services/sync/orphan-sweep.ts';
import { pollServer } from '../../../src/services/vms/observe.ts';
import { createTestUser, loginAs } from '../../helpers/fixtures.ts';
import { createBoundTenant, openVmTestApp, pollUntil, type TenantFixture, type VmTestApp } from '../../helpers/sim-cloud.ts';
import { LogCapture } from '../../helpers/test-app.ts';
import { databaseKinds } from '../../helpers/test-database.ts';

const MINUTE_MS = 60_000;
/** Keystone on a port of this host where nothing listens. */
const CLOSED_AUTH_URL = 'http://127.0.0.1:9/identity/v3';
const FAST_RETRIES = { retryPolicy: { BASE_DELAY_MS: 10, MAX_DELAY_MS: 50 } };

describe.each(databaseKinds())('orphan-sweep on %s', (kind) => {
  let t: VmTestApp;
  let tenant: TenantFixture;
  let demo: OpenStackClient;
  let logs: LogCapture;
  let deps: OrphanSweepDeps;

  beforeEach(async () => {
    t = await openVmTestApp(kind);
    tenant = await createBoundTenant(t, 'orphans', { cloud: 'sim-demo', projectName: 'demo' });
    demo = t.clouds.forBinding({ cloud: 'sim-demo', region: 'RegionOne', projectId: t.cloud.sim.admin.projectId('demo') });
    logs = new LogCapture();
    deps = { database: t.handle.database, clouds: t.clouds, logger: createLogger({ level: 'debug', destination: logs }), env: {}, queue: t.queue };
  });

  afterEach(async () => {
    await t?.close();
  });

  /** Runs one sweep as if the clock read `offsetMs` from now. */
  const sweep = (offsetMs = 0, overrides: Partial<OrphanSweepDeps> = {}): Promise<OrphanSweepCounts> =>
    sweepOrphans({ ...deps, ...overrides }, { now: new Date(Date.now() + offsetMs) });

  const vmRow = (id: string) => t.db.selectFrom('virtual_machines').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const orphanRow = (serverId: string) => t.db.selectFrom('orphan_servers').selectAll().where('server_id', '=', serverId).executeTakeFirst();
  const deleteRequests = (serverId: string) => t.cloud.count('DELETE', new RegExp(`/servers/${serverId}$`));
  const novaStatus = async (serverId: string) => (await pollServer(demo, serverId))?.status ?? 'GONE';
  const simClouds = () => parse(readFileSync(t.cloud.cloudsYamlPath, 'utf8')) as { clouds: Record<string, { auth: Record<string, string> }> };
  const logLines = (serverId: string, message: string) => logs.lines.filter((line) => line.includes(serverId) && line.includes(message)).length;

  /** Everything the sweep may write, to show that a run changed nothing. */
  const snapshot = async () => ({
    vms: await t.db.selectFrom('virtual_machines').selectAll().orderBy('id').execute(),
    operations: await t.db.selectFrom('operation_logs').selectAll().orderBy('id').execute(),
    history: await t.db.selectFrom('vm_status_history').selectAll().orderBy('id').execute(),
    orphans: await t.db.selectFrom('orphan_servers').selectAll().orderBy('id').execute(),
  });

  /** Creates a server in the demo project directly in Nova, as another tool or a lost request would. */
  async function novaServer(name: string, metadata: Record<string, string> = {}): Promise<string> {
    const flavor = (await listFlavors(demo)).find((candidate) => candidate.name === '1c1g');
    const image = (await listImages(demo)).find((candidate) => candidate.name === 'Ubuntu-22.04');
    const network = (await listNetworks(demo)).find((candidate) => candidate.name === 'demo-net');
    if (!flavor || !image || !network) throw new Error('the simulator lacks flavor 1c1g, image Ubuntu-22.04 or network demo-net');

    const serverId = await createServer(demo, { name, flavorId: flavor.id, imageId: image.id, networks: [{ uuid: network.id }], metadata });
    await pollUntil(() => novaStatus(serverId), (status) => status === 'ACTIVE');
    return serverId;
  }

  /** Writes a VM record as the create request does before it calls Nova, with its pending create operation. */
  async function creatingVm(name: string): Promise<{ vmId: string; operationId: string }> {
    const vmId = randomUUID();
    const operationId = randomUUID();
    await t.db
      .insertInto('virtual_machines')
      .values({
        id: vmId,
        tenant_id: tenant.tenantId,
        system_id: tenant.systemId,
        name,
        cloud: 'sim-demo',
        region: 'RegionOne',
        project_id: t.cloud.sim.admin.projectId('demo'),
        cpu_cores: 1,
        memory_mib: 1024,
        root_disk_gib: 20,
        status: 'creating',
        pending_action: 'creating',
        pending_operation_id: operationId,
        pending_deadline_at: new Date(Date.now() + 10 * MINUTE_MS),
      })
      .execute();
    await t.db
      .insertInto('operation_logs')
      .values({ id: operationId, tenant_id: tenant.tenantId, vm_id: vmId, system_id: tenant.systemId, kind: 'create', status: 'pending', deadline_at: new Date(Date.now() + 10 * MINUTE_MS) })
      .execute();
    await t.db.insertInto('vm_status_history').values({ vm_id: vmId, tenant_id: tenant.tenantId, from_status: null, to_status: 'creating', source: 'action' }).execute();
    return { vmId, operationId };
  }

  /** Writes a VM record as the create request leaves it when Nova's create fails. */
  async function failedCreateVm(name: string): Promise<string> {
    const { vmId, operationId } = await creatingVm(name);
    await t.db
      .updateTable('virtual_machines')
      .set({ status: 'error', fault_message: 'OS_TIMEOUT: timed out after 60000 ms', pending_action: null, pending_operation_id: null, pending_deadline_at: null })
      .where('id', '=', vmId)
      .execute();
    await t.db.updateTable('operation_logs').set({ status: 'failed', finished_at: new Date(), error_code: 'OS_TIMEOUT' }).where('id', '=', operationId).execute();
    return vmId;
  }

  it('links server of crashed create', async () => {
    const { vmId, operationId } = await creatingVm('crashed');
    const serverId = await novaServer('crashed', { portal_vm_id: vmId, portal_tenant: 'orphans' });

    const first = await sweep();
    expect(first.linked).toBe(1);
    expect(first.reported).toBe(0);
    const row = await vmRow(vmId);
    expect(row.server_id).toBe(serverId);
    const operation = await t.db.selectFrom('operation_logs').selectAll().where('id', '=', operationId).executeTakeFirstOrThrow();
    expect(operation.status).toBe('running');
    expect(t.queue.sent.map((job) => job.data)).toContainEqual({ operationId });
    expect(await orphanRow(serverId)).toBeUndefined();

    const before = await snapshot();
    const second = await sweep();
    expect(second).toMatchObject({ linked: 0, deleted: 0, reported: 0, resolvedGone: 0, createsEnded: 0 });
    expect(await snapshot()).toEqual(before);

    expect(await t.watch(operationId)).toBe('succeeded');
    expect((await vmRow(vmId)).status).toBe('running');
  });

  it('resolves orphan linked by vm-sync', async () => {
    const { vmId } = await creatingVm('late-link');
    // The VM record is in another project at first, so the sweep reports its server instead of linking it.
    await t.db.updateTable('virtual_machines').set({ project_id: t.cloud.sim.admin.projectId('alt') }).where('id', '=', vmId).execute();
    const serverId = await novaServer('late-link', { portal_vm_id: vmId });
    expect((await sweep()).reported).toBe(1);
    expect((await orphanRow(serverId))?.kind).toBe('unknown');

    await t.db.updateTable('virtual_machines').set({ project_id: t.cloud.sim.admin.projectId('demo'), server_id: serverId }).where('id', '=', vmId).execute();
    await sweep();
    const row = await orphanRow(serverId);
    expect(row?.resolution).toBe('linked');
    expect(row?.resolved_at).not.toBeNull();
  });

  it('deletes failed create server after grace', async () => {
    const vmId = await failedCreateVm('timed-out');
    const serverId = await novaServer('timed-out', { portal_vm_id: vmId });

    const early = await sweep(14 * MINUTE_MS);
    expect(early.reported).toBe(1);
    expect(early.deleted).toBe(0);
    expect((await orphanRow(serverId))?.kind).toBe('failed_create');
    expect(await novaStatus(serverId)).toBe('ACTIVE');
    expect(deleteRequests(serverId)).toBe(0);

    const late = await sweep(16 * MINUTE_MS);
    expect(late.deleted).toBe(1);
    const row = await orphanRow(serverId);
    expect(row?.resolution).toBe('deleted');
    expect(row?.resolved_at).not.toBeNull();
    expect(await pollUntil(() => novaStatus(serverId), (status) => status === 'GONE')).toBe('GONE');

    const operations = await t.db.selectFrom('operation_logs').selectAll().where('vm_id', '=', vmId).where('kind', '=', 'sync').execute();
    expect(operations).toHaveLength(1);
    expect(operations[0]?.details).toMatchObject({ deletedServerId: serverId });
    const vm = await vmRow(vmId);
    expect(vm.status).toBe('error');
    expect(vm.server_id).toBeNull();

    const again = await sweep(17 * MINUTE_MS);
    expect(again.deleted).toBe(0);
    expect(deleteRequests(serverId)).toBe(1);
    expect((await orphanRow(serverId))?.resolution).toBe('deleted');
  });

  it('deletes server of deleted failed create', async () => {
    const vmId = await failedCreateVm('removed');
    await t.db.updateTable('virtual_machines').set({ status: 'deleted', deleted_at: new Date() }).where('id', '=', vmId).execute();
    const serverId = await novaServer('removed', { portal_vm_id: vmId });

    expect((await sweep()).deleted).toBe(0);
    expect((await sweep(16 * MINUTE_MS)).deleted).toBe(1);
    expect(await pollUntil(() => novaStatus(serverId), (status) => status === 'GONE')).toBe('GONE');
  });

  it('retries delete that Nova rejected', async () => {
    const vmId = await failedCreateVm('rejected');
    const serverId = await novaServer('rejected', { portal_vm_id: vmId });
    t.cloud.sim.admin.configureFaults({ routes: [{ method: 'DELETE', path: '/compute/v2.1/servers/*', errorRate: 1, status: 409, message: 'Cannot delete a locked server' }] });
    try {
      await expect(sweep(16 * MINUTE_MS)).rejects.toMatchObject({ code: 'OS_CONFLICT' });
    } finally {
      t.cloud.sim.admin.configureFaults({});
    }
    const reopened = await orphanRow(serverId);
    expect(reopened?.resolution).toBeNull();
    expect(reopened?.kind).toBe('failed_create');
    expect(await novaStatus(serverId)).toBe('ACTIVE');

    expect((await sweep(16 * MINUTE_MS)).deleted).toBe(1);
    expect(await pollUntil(() => novaStatus(serverId), (status) => status === 'GONE')).toBe('GONE');
  });

  it('reports no_record and unknown, never deletes', async () => {
    const noRecord = await novaServer('other-install', { portal_vm_id: randomUUID(), portal_tenant: 'elsewhere' });
    const malformed = await novaServer('malformed', { portal_vm_id: 'vm-42' });
    const unknown = await novaServer('by-hand');

    const first = await sweep();
    expect(first.reported).toBe(3);
    expect((await orphanRow(noRecord))?.kind).toBe('no_record');
    expect((await orphanRow(malformed))?.kind).toBe('no_record');
    const row = await orphanRow(unknown);
    expect(row?.kind).toBe('unknown');
    expect(row?.server_name).toBe('by-hand');
    expect(row?.nova_status).toBe('ACTIVE');
    expect(row?.resolved_at).toBeNull();

    const later = await sweep(3 * 60 * MINUTE_MS);
    expect(later.reported).toBe(0);
    expect(later.deleted).toBe(0);
    for (const serverId of [noRecord, malformed, unknown]) {
      expect(deleteRequests(serverId)).toBe(0);
      expect(await novaStatus(serverId)).toBe('ACTIVE');
      expect(logLines(serverId, 'found a server that no VM record owns')).toBe(1);
    }
    const refreshed = await orphanRow(unknown);
    expect(refreshed?.last_seen_at.getTime()).toBeGreaterThan(row?.last_seen_at.getTime() ?? Infinity);
    expect(refreshed?.first_seen_at).toEqual(row?.first_seen_at);
  });

  it('resolves orphan whose server is gone', async () => {
    const serverId = await novaServer('short-lived');
    await sweep();
    await deleteServer(demo, serverId);
    await pollUntil(() => novaStatus(serverId), (status) => status === 'GONE');

    const counts = await sweep();
    expect(counts.resolvedGone).toBe(1);
    const row = await orphanRow(serverId);
    expect(row?.resolution).toBe('gone');
    expect(row?.resolved_at).not.toBeNull();
  });

  it('ends serverless create after deadline', async () => {
    const { vmId, operationId } = await creatingVm('never-sent');

    const early = await sweep(29 * MINUTE_MS);
    expect(early.createsEnded).toBe(0);
    expect((await vmRow(vmId)).status).toBe('creating');

    const late = await sweep(31 * MINUTE_MS);
    expect(late.createsEnded).toBe(1);
    const vm = await vmRow(vmId);
    expect(vm.status).toBe('error');
    expect(vm.fault_message).toContain('Nova has no server for this VM');
    expect(vm.pending_action).toBeNull();
    expect(vm.pending_operation_id).toBeNull();
    const operation = await t.db.selectFrom('operation_logs').selectAll().where('id', '=', operationId).executeTakeFirstOrThrow();
    expect(operation.status).toBe('failed');
    expect(operation.error_code).toBe('SERVER_NEVER_APPEARED');
    expect(operation.finished_at).not.toBeNull();
    const history = await t.db.selectFrom('vm_status_history').selectAll().where('vm_id', '=', vmId).orderBy('observed_at').execute();
    expect(history.map((entry) => [entry.from_status, entry.to_status, entry.source])).toEqual([
      [null, 'creating', 'action'],
      ['creating', 'error', 'sync'],
    ]);

    const again = await sweep(32 * MINUTE_MS);
    expect(again.createsEnded).toBe(0);
  });

  it('links late create past deadline', async () => {
    const { vmId } = await creatingVm('slow-record');
    const serverId = await novaServer('slow-record', { portal_vm_id: vmId });

    const counts = await sweep(31 * MINUTE_MS);
    expect(counts.linked).toBe(1);
    expect(counts.createsEnded).toBe(0);
    const vm = await vmRow(vmId);
    expect(vm.server_id).toBe(serverId);
    expect(vm.status).toBe('creating');
  });

  it('changes nothing on a 503 burst', async () => {
    await novaServer('burst-unknown');
    const failed = await failedCreateVm('burst-failed');
    const failedServer = await novaServer('burst-failed', { portal_vm_id: failed });
    await creatingVm('burst-creating');
    const before = await snapshot();

    t.cloud.sim.admin.configureFaults({ burst503: 200 });
    try {
      await expect(sweep(60 * MINUTE_MS)).rejects.toMatchObject({ code: 'OS_UNAVAILABLE' });
    } finally {
      t.cloud.sim.admin.configureFaults({});
    }

    expect(await snapshot()).toEqual(before);
    expect(deleteRequests(failedServer)).toBe(0);
  });

  it('changes nothing on unreachable cloud', async () => {
    await failedCreateVm('unreachable-failed');
    await creatingVm('unreachable-creating');
    const before = await snapshot();

    // The same clouds with their Keystone on a closed port of this host.
    const path = `${t.cloud.cloudsYamlPath}.unreachable.yaml`;
    const config = simClouds();
    for (const cloud of Object.values(config.clouds)) cloud.auth.auth_url = CLOSED_AUTH_URL;
    writeFileSync(path, stringify(config));
    const unreachable = new CloudClients({ env: { OS_CLIENT_CONFIG_FILE: path }, clientOptions: FAST_RETRIES });
    try {
      await expect(sweep(60 * MINUTE_MS, { clouds: unreachable })).rejects.toMatchObject({ code: 'OS_CONNECTION' });
    } finally {
      unreachable.close();
    }

    expect(await snapshot()).toEqual(before);
  });

  it('sweeps other clouds when one fails', async () => {
    const path = `${t.cloud.cloudsYamlPath}.mixed.yaml`;
    const config = simClouds();
    const alt = config.clouds['sim-alt'];
    if (!alt) throw new Error('the simulator clouds.yaml has no sim-alt cloud');
    config.clouds['sim-broken'] = { ...alt, auth: { ...alt.auth, auth_url: CLOSED_AUTH_URL } };
    writeFileSync(path, stringify(config));
    const mixed = new CloudClients({ env: { OS_CLIENT_CONFIG_FILE: path }, clientOptions: FAST_RETRIES });
    const broken = await createBoundTenant(t, 'broken', { cloud: 'sim-demo', projectName: 'alt' });
    await t.db.updateTable('tenants').set({ cloud: 'sim-broken' }).where('id', '=', broken.tenantId).execute();
    const serverId = await novaServer('seen-anyway');

    try {
      await expect(sweep(0, { clouds: mixed })).rejects.toMatchObject({ code: 'OS_CONNECTION' });
    } finally {
      mixed.close();
    }
    expect((await orphanRow(serverId))?.kind).toBe('unknown');
    expect(logs.text).toContain('orphan-sweep failed in one cloud');
  });

  it('acts once when two runs overlap', async () => {
    const { vmId: crashed } = await creatingVm('overlap-crashed');
    const crashedServer = await novaServer('overlap-crashed', { portal_vm_id: crashed });
    const failed = await failedCreateVm('overlap-failed');
    const failedServer = await novaServer('overlap-failed', { portal_vm_id: failed });
    const unknown = await novaServer('overlap-unknown');
    const { vmId: stale } = await creatingVm('overlap-stale');

    const now = new Date(Date.now() + 31 * MINUTE_MS);
    const runs = await Promise.all([sweepOrphans(deps, { now }), sweepOrphans(deps, { now })]);
    const total = (key: keyof OrphanSweepCounts) => runs.reduce((sum, counts) => sum + counts[key], 0);

    expect(total('linked')).toBe(1);
    expect(total('deleted')).toBe(1);
    expect(total('reported')).toBe(1);
    expect(total('createsEnded')).toBe(1);
    expect(deleteRequests(failedServer)).toBe(1);
    expect((await vmRow(crashed)).server_id).toBe(crashedServer);
    expect(logLines(unknown, 'found a server that no VM record owns')).toBe(1);
    const staleHistory = await t.db.selectFrom('vm_status_history').selectAll().where('vm_id', '=', stale).where('to_status', '=', 'error').execute();
    expect(staleHistory).toHaveLength(1);
    const deletions = await t.db.selectFrom('operation_logs').selectAll().where('vm_id', '=', failed).where('kind', '=', 'sync').execute();
    expect(deletions).toHaveLength(1);
  });

  it('pages past 1000 servers', { timeout: 120_000 }, async () => {
    t.cloud.sim.admin.loadServers(1200, 'demo');
    const pagesBefore = t.cloud.count('GET', /\/servers\/detail$/);

    const first = await sweep();
    expect(t.cloud.count('GET', /\/servers\/detail$/) - pagesBefore).toBeGreaterThanOrEqual(2);
    expect(first.serversSeen).toBe(1200);
    expect(first.reported).toBe(1200);
    expect(logs.lines.filter((line) => line.includes('found a server that no VM record owns'))).toHaveLength(50);
    expect(logs.text).toContain('"notLogged":1150');

    const queriesBefore = t.handle.database.stats.queries;
    const second = await sweep(MINUTE_MS);
    expect(second.reported).toBe(0);
    // Lookups, the orphan rows, three touches of 500 rows and the stale-create query: no statement per server.
    expect(t.handle.database.stats.queries - queriesBefore).toBeLessThan(20);
    const seen = await t.db.selectFrom('orphan_servers').select((eb) => eb.fn.max('last_seen_at').as('last')).where('resolved_at', 'is', null).executeTakeFirstOrThrow();
    expect(new Date(seen.last as Date).getTime()).toBeGreaterThan(Date.now());
  });

  it('lists all projects with SYNC_OS_CLOUD', async () => {
    const unknown = await novaServer('admin-listed');
    const perProject = await sweep();
    const env = { SYNC_OS_CLOUD: 'sim-admin', OS_CLIENT_CONFIG_FILE: t.cloud.cloudsYamlPath };
    const detailBefore = t.cloud.count('GET', /\/servers\/detail$/);

    const withAdmin = await sweep(0, { env, adminClientOptions: FAST_RETRIES });
    expect(t.cloud.count('GET', /\/servers\/detail$/) - detailBefore).toBe(1);
    expect(withAdmin.serversSeen).toBe(perProject.serversSeen);
    expect(withAdmin.reported).toBe(0);
    expect((await orphanRow(unknown))?.resolved_at).toBeNull();
  });

  it('sets the open orphan gauge', async () => {
    await novaServer('gauge-unknown');
    await novaServer('gauge-no-record', { portal_vm_id: randomUUID() });
    const job = createOrphanSweepJob(() => t.clouds);

    const counts = await job.handle({}, { database: t.handle.database, logger: createLogger({ level: 'silent' }) });
    expect(counts['reported']).toBe(2);

    const metric = (await jobMetricsRegistry.getMetricsAsJSON()).find((entry) => entry.name === 'tenant_portal_orphan_servers');
    const byKind = Object.fromEntries((metric?.values ?? []).map((value) => [value.labels['kind'], value.value]));
    expect(byKind).toEqual({ unknown: 1, no_record: 1, failed_create: 0 });
  });

  it('counts open orphans at scrape time once bound', async () => {
    await t.db
      .insertInto('orphan_servers')
      .values({ cloud: 'sim-demo', region: 'RegionOne', project_id: 'p-scrape', server_id: randomUUID(), kind: 'failed_create' })
      .execute();
    const gauge = async () => {
      const metric = (await jobMetricsRegistry.getMetricsAsJSON()).find((entry) => entry.name === 'tenant_portal_orphan_servers');
      return Object.fromEntries((metric?.values ?? []).map((value) => [value.labels['kind'], value.value]));
    };

    bindOrphanGauge(t.db);
    try {
      expect((await gauge())['failed_create']).toBe(1);
    } finally {
      bindOrphanGauge(null);
    }
  });

  it('lists orphans to operators only', async () => {
    const unknown = await novaServer('listed');
    const gone = await novaServer('listed-gone');
    await sweep();
    await deleteServer(demo, gone);
    await pollUntil(() => novaStatus(gone), (status) => status === 'GONE');
    await sweep();

    await createTestUser(t.db, 'orphan-ops', { platformOperator: true });
    const operator = await loginAs(t.app, 'orphan-ops');

    const open = await t.app.inject({ method: 'GET', url: '/api/v1/admin/orphans', headers: operator.headers });
    expect(open.statusCode, open.body).toBe(200);
    const page = open.json();
    expect(page.total).toBe(1);
    expect(page.items[0]).toMatchObject({ serverId: unknown, serverName: 'listed', kind: 'unknown', cloud: 'sim-demo', region: 'RegionOne', resolution: null, resolvedAt: null });

    const all = await t.app.inject({ method: 'GET', url: '/api/v1/admin/orphans?include=resolved&page_size=10', headers: operator.headers });
    expect(all.statusCode, all.body).toBe(200);
    expect(all.json().total).toBe(2);
    expect(all.json().items.find((item: { serverId: string }) => item.serverId === gone)).toMatchObject({ resolution: 'gone' });

    const filtered = await t.app.inject({ method: 'GET', url: '/api/v1/admin/orphans?kind=no_record', headers: operator.headers });
    expect(filtered.json().total).toBe(0);

    const invalid = await t.app.inject({ method: 'GET', url: '/api/v1/admin/orphans?include=everything', headers: operator.headers });
    expect(invalid.statusCode).toBe(400);

    const tenantAdmin = await t.app.inject({ method: 'GET', url: '/api/v1/admin/orphans', headers: tenant.sessions.admin.headers });
    expect(tenantAdmin.statusCode).toBe(403);
    expect(tenantAdmin.json().code).toBeTypeOf('string');

    const anonymous = await t.app.inject({ method: 'GET', url: '/api/v1/admin/orphans' });
    expect(anonymous.statusCode).toBe(401);

    const document = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(Object.keys(document.json().paths)).toContain('/api/v1/admin/orphans');
  });
});
