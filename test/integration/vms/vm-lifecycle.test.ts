import { isIP } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollServer } from '../../../src/services/vms/observe.ts';
import { createBoundTenant, openVmTestApp, pollUntil, smallVm, type TenantFixture, type VmTestApp } from '../../helpers/sim-cloud.ts';
import { databaseKinds } from '../../helpers/test-database.ts';

describe.each(databaseKinds())('VM lifecycle on %s', (kind) => {
  let t: VmTestApp;
  let tenant: TenantFixture;

  beforeAll(async () => {
    t = await openVmTestApp(kind);
    tenant = await createBoundTenant(t, 'life', { cloud: 'sim-demo', projectName: 'demo' });
  });

  afterAll(async () => {
    await t?.close();
  });

  const admin = () => tenant.sessions.admin.headers;
  const getVm = async (id: string) => (await t.app.inject({ method: 'GET', url: `/api/v1/vms/${id}`, headers: admin() })).json();
  const lastWatchedOperation = () => (t.queue.sent.at(-1)?.data as { operationId: string }).operationId;

  it('lists catalog flavors, images and networks', async () => {
    const flavors = await t.app.inject({ method: 'GET', url: '/api/v1/catalog/flavors', headers: tenant.sessions.viewer.headers });
    expect(flavors.statusCode).toBe(200);
    expect(flavors.json().items.map((flavor: { name: string }) => flavor.name)).toContain('1c1g');

    const images = await t.app.inject({ method: 'GET', url: '/api/v1/catalog/images', headers: tenant.sessions.viewer.headers });
    const imageNames = images.json().items.map((image: { name: string }) => image.name);
    expect(imageNames).toContain('Ubuntu-22.04');
    expect(imageNames).not.toContain('CirrOS-0.6-hidden');
    expect(imageNames).not.toContain('CentOS-6-retired');
    const kylin = images.json().items.find((image: { name: string }) => image.name === 'Kylin-V10');
    expect(kylin.osLabel['zh-CN']).toBe('银河麒麟 V10');

    const networks = await t.app.inject({ method: 'GET', url: '/api/v1/catalog/networks', headers: tenant.sessions.viewer.headers });
    const networkNames = networks.json().items.map((network: { name: string }) => network.name);
    expect(networkNames).not.toContain('public');
    expect(networkNames.length).toBeGreaterThan(0);
  });

  it('creates, stops, starts, reboots and deletes a VM', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/vms', headers: admin(), payload: smallVm(tenant.systemId, 'web-1') });
    expect(created.statusCode).toBe(202);
    const vm = created.json();
    expect(vm.status).toBe('creating');
    expect(vm.pendingAction).toBe('creating');
    expect(vm.flavor.name).toBe('1c1g');
    expect(vm.image.name).toBe('Ubuntu-22.04');

    const server = t.cloud.sim.store.servers.get(vm.serverId);
    expect(server?.metadata.portal_vm_id).toBe(vm.id);
    expect(server?.metadata.portal_tenant).toBe('life');

    expect(await t.watch(lastWatchedOperation())).toBe('succeeded');
    const running = await getVm(vm.id);
    expect(running.status).toBe('running');
    expect(running.pendingAction).toBeNull();
    expect(isIP(running.primaryIp)).toBe(4);
    const fixed = running.addresses.find((address: { type: string; version: number }) => address.type === 'fixed' && address.version === 4);
    expect(running.primaryIp).toBe(fixed.addr);

    for (const [action, expected] of [
      ['stop', 'stopped'],
      ['start', 'running'],
      ['reboot', 'running'],
      ['hard_reboot', 'running'],
    ] as const) {
      const accepted = await t.app.inject({ method: 'POST', url: `/api/v1/vms/${vm.id}/actions`, headers: tenant.sessions.operator.headers, payload: { action } });
      expect(accepted.statusCode, `${action}: ${accepted.body}`).toBe(202);
      expect(accepted.json().status).toBe('running');
      expect(accepted.json().openstackRequestId).toMatch(/^req-/);
      expect(await t.watch(accepted.json().id)).toBe('succeeded');
      expect((await getVm(vm.id)).status).toBe(expected);
    }

    const refusedDelete = await t.app.inject({ method: 'DELETE', url: `/api/v1/vms/${vm.id}`, headers: admin() });
    expect(refusedDelete.statusCode).toBe(409);
    expect(refusedDelete.json().code).toBe('VM_FORCE_REQUIRED');

    const deleted = await t.app.inject({ method: 'DELETE', url: `/api/v1/vms/${vm.id}?force=true`, headers: admin() });
    expect(deleted.statusCode).toBe(202);
    expect(await t.watch(deleted.json().id)).toBe('succeeded');

    const gone = await getVm(vm.id);
    expect(gone.status).toBe('deleted');
    expect(gone.deletedAt).not.toBeNull();
    expect(gone.pendingAction).toBeNull();
    const client = t.clouds.forBinding({ cloud: 'sim-demo', region: 'RegionOne', projectId: t.cloud.sim.admin.projectId('demo') });
    // Nova shows a deleted server as DELETED for a short time, then returns 404.
    expect(await pollUntil(() => pollServer(client, vm.serverId), (server) => server === null)).toBeNull();
    expect([...t.cloud.sim.store.ports.values()].filter((port) => port.deviceId === vm.serverId)).toEqual([]);

    const operations = await t.app.inject({ method: 'GET', url: `/api/v1/vms/${vm.id}/operations?page_size=100`, headers: tenant.sessions.viewer.headers });
    expect(operations.json().items.map((operation: { kind: string; status: string }) => `${operation.kind}:${operation.status}`)).toEqual([
      'delete:succeeded',
      'hard_reboot:succeeded',
      'reboot:succeeded',
      'start:succeeded',
      'stop:succeeded',
      'create:succeeded',
    ]);

    const history = await t.db.selectFrom('vm_status_history').select(['from_status', 'to_status']).where('vm_id', '=', vm.id).orderBy('observed_at').execute();
    expect(history.at(0)).toEqual({ from_status: null, to_status: 'creating' });
    expect(history.at(-1)?.to_status).toBe('deleted');
  });

  it('skips Nova for start on running VM', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/vms', headers: admin(), payload: smallVm(tenant.systemId, 'already-1') });
    expect(await t.watch(lastWatchedOperation())).toBe('succeeded');
    const before = t.cloud.count('POST', /\/action$/);

    const started = await t.app.inject({ method: 'POST', url: `/api/v1/vms/${created.json().id}/actions`, headers: tenant.sessions.operator.headers, payload: { action: 'start' } });
    expect(started.statusCode).toBe(202);
    expect(started.json().status).toBe('succeeded');
    expect(t.cloud.count('POST', /\/action$/)).toBe(before);
  });

  it('refreshes a VM from Nova after an out-of-band stop', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/vms', headers: admin(), payload: smallVm(tenant.systemId, 'refresh-1') });
    expect(await t.watch(lastWatchedOperation())).toBe('succeeded');
    const server = t.cloud.sim.store.servers.get(created.json().serverId);
    if (!server) throw new Error('server missing in the simulator');
    server.vmState = 'stopped';
    server.powerState = 4;

    expect((await getVm(created.json().id)).status).toBe('running');
    const refreshed = await t.app.inject({ method: 'GET', url: `/api/v1/vms/${created.json().id}?refresh=true`, headers: tenant.sessions.viewer.headers });
    expect(refreshed.json().status).toBe('stopped');

    const history = await t.db.selectFrom('vm_status_history').select(['to_status', 'source']).where('vm_id', '=', created.json().id).orderBy('observed_at', 'desc').executeTakeFirstOrThrow();
    expect(history).toEqual({ to_status: 'stopped', source: 'sync' });
  });

  it('rejects a viewer creating a VM', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/vms', headers: tenant.sessions.viewer.headers, payload: smallVm(tenant.systemId, 'nope') });
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('FORBIDDEN');
  });
});
