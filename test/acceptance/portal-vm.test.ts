import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { buildApp, type PortalApp } from '../../src/http/app.ts';
import { watchOperation } from '../../src/jobs/operation-watch.ts';
import { createLogger } from '../../src/logger.ts';
import { confirmServerResize, createOpenStackClient, deleteServer, getServer, isOpenStackError, listFlavors, loadCloudConfig, resizeServer, stopServer, type OpenStackClient } from '../../src/openstack/index.ts';
import { detectResourceChanges } from '../../src/services/resources/resource-changes.ts';
import { syncVms } from '../../src/services/sync/vm-sync.ts';
import { CloudClients, type CloudBinding } from '../../src/services/cloud/cloud-clients.ts';
import { pollServer } from '../../src/services/vms/observe.ts';
import { createSystem, createTenant, createTestUser, loginAs, type SessionCredentials } from '../helpers/fixtures.ts';
import { pollUntil, RecordingQueue } from '../helpers/sim-cloud.ts';
import { testKeyring } from '../helpers/test-app.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/test-database.ts';

const cloudName = process.env['TEST_OS_CLOUD'];
const configured = Boolean(process.env['OS_CLIENT_CONFIG_FILE'] && cloudName);
const SKIP_HINT =
  'skipped: no cloud configured. Export OS_CLIENT_CONFIG_FILE=/var/lib/local-openstack/clouds.yaml TEST_OS_CLOUD=local-demo to run it against the local cloud';
if (!configured) console.error(`Portal VM acceptance test ${SKIP_HINT}`);

/** Upper bound for one action on the local cloud with Nova's fake driver. */
const ACTION_DEADLINE_MS = 120_000;

describe.skipIf(!configured)(configured ? 'portal VM lifecycle on a real cloud' : `portal VM lifecycle on a real cloud (${SKIP_HINT})`, () => {
  let handle: TestDatabase;
  let app: PortalApp;
  let clouds: CloudClients;
  let client: OpenStackClient;
  let binding: CloudBinding;
  let session: SessionCredentials;
  let systemId: string;
  const serverIds = new Set<string>();
  const logger = createLogger({ level: 'warn', destination: new Writable({ write: (_chunk, _encoding, done) => done() }) });

  beforeAll(async () => {
    const cloud = loadCloudConfig({ cloud: cloudName });
    clouds = new CloudClients();

    // The project id comes from a token of the cloud's own credentials.
    const probe = createOpenStackClient(cloud);
    const token = await probe.token();
    probe.close();
    if (!token.projectId) throw new Error(`cloud ${cloud.name} issued a token without a project scope; configure a project in clouds.yaml`);
    binding = { cloud: cloud.name, region: cloud.regionName ?? null, projectId: token.projectId };
    client = clouds.forBinding(binding);

    handle = await openTestDatabase('embedded');
    const config = loadConfig({ PORTAL_MODE: 'production', COOKIE_SECURE: 'false', LOG_LEVEL: 'warn' });
    app = await buildApp({ config, database: handle.database, logger, keyring: testKeyring(), readinessChecks: [], clouds, queue: new RecordingQueue() });
    await app.ready();

    const code = `acc-${randomUUID().slice(0, 8)}`;
    const tenant = await createTenant(handle.database.db, code);
    await handle.database.db.updateTable('tenants').set({ cloud: binding.cloud, region: binding.region, project_id: binding.projectId }).where('id', '=', tenant.id).execute();
    systemId = (await createSystem(handle.database.db, tenant.id, `${code}-sys`)).id;
    await handle.database.db
      .insertInto('resource_orders')
      .values({ tenant_id: tenant.id, system_id: systemId, order_no: `ORD-${code}`, cpu_cores: 4, memory_gib: 8, storage_gib: 100, valid_from: new Date(Date.now() - 60_000), valid_to: new Date(Date.now() + 86_400_000) })
      .execute();
    await createTestUser(handle.database.db, `${code}-admin`, { tenantId: tenant.id, role: 'admin' });
    session = await loginAs(app, `${code}-admin`);
  });

  afterAll(async () => {
    // Removes any server this run left behind, so the shared cloud keeps at most its own servers.
    for (const serverId of serverIds) {
      await deleteServer(client, serverId).catch((error: unknown) => {
        if (!isOpenStackError(error, 'OS_NOT_FOUND')) throw error;
      });
      await pollUntil(() => pollServer(client, serverId), (server) => server === null, ACTION_DEADLINE_MS, 1000);
    }
    await app?.close();
    clouds?.close();
    await handle?.dispose();
  });

  const watch = (operationId: string) => watchOperation({ database: handle.database, clouds, logger }, operationId, { pollIntervalMs: 500, maxPollIntervalMs: 3000 });
  const novaStatus = async (serverId: string) => (await getServer(client, serverId)).status;

  it('creates, stops, starts, reboots and deletes a VM and Nova agrees', async () => {
    const name = `acc-vm-${randomUUID().slice(0, 8)}`;
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/vms',
      headers: session.headers,
      payload: { systemId, name, cpu: 1, memoryGiB: 1, diskGiB: 10, os: { distro: 'ubuntu', version: '22.04' } },
    });
    expect(created.statusCode, created.body).toBe(202);
    const vm = created.json();
    serverIds.add(vm.serverId);
    expect(vm.flavor.name).toBe('m1.small');

    const operations = async () => (await app.inject({ method: 'GET', url: `/api/v1/vms/${vm.id}/operations`, headers: session.headers })).json().items;
    expect(await watch((await operations())[0].id)).toBe('succeeded');
    const running = (await app.inject({ method: 'GET', url: `/api/v1/vms/${vm.id}`, headers: session.headers })).json();
    expect(running.status).toBe('running');
    expect(running.primaryIp).toMatch(/^10\.10\.0\.\d+$/);
    expect(await novaStatus(vm.serverId)).toBe('ACTIVE');

    for (const [action, portalStatus, novaExpected] of [
      ['stop', 'stopped', 'SHUTOFF'],
      ['start', 'running', 'ACTIVE'],
      ['reboot', 'running', 'ACTIVE'],
    ] as const) {
      const accepted = await app.inject({ method: 'POST', url: `/api/v1/vms/${vm.id}/actions`, headers: session.headers, payload: { action } });
      expect(accepted.statusCode, `${action}: ${accepted.body}`).toBe(202);
      expect(await watch(accepted.json().id)).toBe('succeeded');
      expect((await app.inject({ method: 'GET', url: `/api/v1/vms/${vm.id}`, headers: session.headers })).json().status).toBe(portalStatus);
      expect(await novaStatus(vm.serverId)).toBe(novaExpected);
    }

    const deleted = await app.inject({ method: 'DELETE', url: `/api/v1/vms/${vm.id}?force=true`, headers: session.headers });
    expect(deleted.statusCode, deleted.body).toBe(202);
    expect(await watch(deleted.json().id)).toBe('succeeded');
    const gone = (await app.inject({ method: 'GET', url: `/api/v1/vms/${vm.id}`, headers: session.headers })).json();
    expect(gone.status).toBe('deleted');
    expect(gone.deletedAt).not.toBeNull();
    expect(await pollUntil(() => pollServer(client, vm.serverId), (server) => server === null, ACTION_DEADLINE_MS, 1000)).toBeNull();
  });

  it('shows out-of-band stop, resize and delete after one incremental sync', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/vms',
      headers: session.headers,
      payload: { systemId, name: `acc-oob-${randomUUID().slice(0, 8)}`, cpu: 1, memoryGiB: 1, diskGiB: 10, os: { distro: 'ubuntu', version: '22.04' } },
    });
    expect(created.statusCode, created.body).toBe(202);
    const vm = created.json();
    serverIds.add(vm.serverId);
    const operations = (await app.inject({ method: 'GET', url: `/api/v1/vms/${vm.id}/operations`, headers: session.headers })).json().items;
    expect(await watch(operations[0].id)).toBe('succeeded');

    // The incremental run starts from the last successful run, as the scheduled job does.
    const db = handle.database.db;
    const recordRun = async () => {
      const now = new Date();
      await db.insertInto('job_runs').values({ job_name: 'vm-sync-incremental', job_id: null, started_at: now, finished_at: now, status: 'succeeded', duration_ms: 0, counts: '{}', error: null }).execute();
    };
    const incremental = async () => {
      const counts = await syncVms({ database: handle.database, clouds, logger, env: {} }, { mode: 'incremental', now: new Date() });
      await recordRun();
      return counts;
    };
    const vmRow = () => db.selectFrom('virtual_machines').selectAll().where('id', '=', vm.id).executeTakeFirstOrThrow();
    const settled = (status: string) => async () => {
      const server = await getServer(client, vm.serverId);
      return server.status === status && server.taskState === null;
    };
    await recordRun();
    await detectResourceChanges(handle.database);

    await stopServer(client, vm.serverId);
    await pollUntil(settled('SHUTOFF'), Boolean, ACTION_DEADLINE_MS, 1000);
    expect((await incremental()).transitions).toBe(1);
    expect((await vmRow()).status).toBe('stopped');

    const medium = (await listFlavors(client)).find((flavor) => flavor.name === 'm1.medium');
    expect(medium).toBeDefined();
    await resizeServer(client, vm.serverId, medium?.id ?? '');
    await pollUntil(settled('VERIFY_RESIZE'), Boolean, ACTION_DEADLINE_MS, 1000);
    await confirmServerResize(client, vm.serverId);
    await pollUntil(settled('SHUTOFF'), Boolean, ACTION_DEADLINE_MS, 1000);
    await incremental();
    const resized = await vmRow();
    expect([resized.cpu_cores, resized.memory_mib, resized.root_disk_gib, resized.flavor_name]).toEqual([2, 4096, 40, 'm1.medium']);
    expect((await detectResourceChanges(handle.database)).adjustmentsWritten).toBe(3);

    await deleteServer(client, vm.serverId);
    await pollUntil(() => pollServer(client, vm.serverId), (server) => server === null, ACTION_DEADLINE_MS, 1000);
    expect((await incremental()).vmsDeleted).toBe(1);
    expect((await vmRow()).status).toBe('deleted');
  });
});
