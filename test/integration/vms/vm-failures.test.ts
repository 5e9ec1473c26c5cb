import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_SECRET_HEADER } from '../../../src/sim/index.ts';
import { pollServer } from '../../../src/services/vms/observe.ts';
import { createBoundTenant, openVmTestApp, pollUntil, smallVm, type TenantFixture, type VmTestApp } from '../../helpers/sim-cloud.ts';
import { databaseKinds } from '../../helpers/test-database.ts';

describe.each(databaseKinds())('VM failures from OpenStack on %s', (kind) => {
  let t: VmTestApp;
  let tenant: TenantFixture;
  let vmCount = 0;

  beforeAll(async () => {
    // The latency fault below outlasts the 300 ms client timeout, and two attempts keep the 503
    // tests short. A 2 s action deadline ends the watch of an unconfirmed action quickly.
    t = await openVmTestApp(kind, { env: { VM_ACTION_DEADLINE_SECONDS: '2' }, clientOptions: { retryPolicy: { REQUEST_TIMEOUT_MS: 300, maxAttempts: 2, BASE_DELAY_MS: 10, MAX_DELAY_MS: 20 } } });
    tenant = await createBoundTenant(t, 'fail', { cloud: 'sim-demo', projectName: 'demo' });
  });

  afterAll(async () => {
    await t?.close();
  });

  afterEach(() => {
    t.cloud.sim.admin.configureFaults({});
  });

  const admin = () => tenant.sessions.admin.headers;
  const getVm = async (id: string) => (await t.app.inject({ method: 'GET', url: `/api/v1/vms/${id}`, headers: admin() })).json();
  const act = (id: string, action: string) => t.app.inject({ method: 'POST', url: `/api/v1/vms/${id}/actions`, headers: admin(), payload: { action } });
  const simAdmin = (path: string, payload: object) =>
    t.cloud.sim.app.inject({ method: 'POST', url: `/_sim${path}`, headers: { [ADMIN_SECRET_HEADER]: t.cloud.sim.adminSecret }, payload });

  async function runningVm(): Promise<{ id: string; serverId: string }> {
    vmCount += 1;
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/vms', headers: admin(), payload: smallVm(tenant.systemId, `fail-${vmCount}`) });
    expect(created.statusCode, created.body).toBe(202);
    const operation = (await t.app.inject({ method: 'GET', url: `/api/v1/vms/${created.json().id}/operations`, headers: admin() })).json().items[0];
    expect(await t.watch(operation.id)).toBe('succeeded');
    return { id: created.json().id, serverId: created.json().serverId };
  }
  it('answers 503 for a binding whose region has no endpoints', async () => {
    const lost = await createBoundTenant(t, 'fail-region', { cloud: 'sim-alt', projectName: 'alt' });
    await t.db.updateTable('tenants').set({ region: 'Nowhere' }).where('id', '=', lost.tenantId).execute();

    const response = await t.app.inject({ method: 'POST', url: '/api/v1/vms', headers: lost.sessions.admin.headers, payload: smallVm(lost.systemId, 'no-region') });
    expect(response.statusCode, response.body).toBe(503);
    expect(response.json().code).toBe('OPENSTACK_UNAVAILABLE');
    expect(await t.db.selectFrom('virtual_machines').select('id').where('name', '=', 'no-region').execute()).toEqual([]);
  });


  it('keeps a VM whose build ends in ERROR with Nova’s fault message', async () => {
    t.cloud.sim.admin.configureFaults({ build: { nextErrors: 1, faultMessage: 'No valid host was found. There are not enough hosts available.' } });
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/vms', headers: admin(), payload: smallVm(tenant.systemId, 'broken-1') });
    expect(created.statusCode).toBe(202);

    const operationId = (t.queue.sent.at(-1)?.data as { operationId: string }).operationId;
    expect(await t.watch(operationId)).toBe('failed');

    const vm = await getVm(created.json().id);
    expect(vm.status).toBe('error');
    expect(vm.faultMessage).toBe('No valid host was found. There are not enough hosts available.');
    expect(vm.pendingAction).toBeNull();
    const operation = await t.db.selectFrom('operation_logs').selectAll().where('id', '=', operationId).executeTakeFirstOrThrow();
    expect(operation.status).toBe('failed');
    expect(operation.error_message).toContain('No valid host');
  });

  it('times out a stop whose call timed out and Nova never acted on', async () => {
    const vm = await runningVm();
    t.cloud.sim.admin.configureFaults({ routes: [{ method: 'POST', path: '/compute/v2.1/servers/*/action', latency: { distribution: 'fixed', ms: 600 } }] });

    // The outcome of a timed-out call is unknown, so the operation keeps running and the watch decides.
    const response = await act(vm.id, 'stop');
    expect(response.statusCode).toBe(202);
    expect(response.json().status).toBe('running');
    t.cloud.sim.admin.configureFaults({});

    // The simulator drops a request whose client hung up, so Nova never stops the VM here.
    expect(await t.watch(response.json().id)).toBe('timed_out');
    const after = await getVm(vm.id);
    expect(after.status).toBe('running');
    expect(after.pendingAction).toBeNull();
    const operation = await t.db.selectFrom('operation_logs').selectAll().where('id', '=', response.json().id).executeTakeFirstOrThrow();
    expect(operation.status).toBe('timed_out');
    expect(operation.error_message).toContain('did not confirm stop');

    const retried = await act(vm.id, 'stop');
    expect(retried.statusCode).toBe(202);
    expect(await t.watch(retried.json().id)).toBe('succeeded');
  });

  it('retries reads through a 503 burst and reports a refused action as unavailable', async () => {
    const vm = await runningVm();

    t.cloud.sim.admin.configureFaults({ burst503: 1 });
    const refreshed = await t.app.inject({ method: 'GET', url: `/api/v1/vms/${vm.id}?refresh=true`, headers: admin() });
    expect(refreshed.statusCode).toBe(200);

    t.cloud.sim.admin.configureFaults({ routes: [{ method: 'POST', path: '/compute/v2.1/servers/*/action', errorRate: 1, status: 503 }] });
    const refused = await act(vm.id, 'stop');
    expect(refused.statusCode).toBe(503);
    expect(refused.json().code).toBe('OPENSTACK_UNAVAILABLE');

    const after = await getVm(vm.id);
    expect(after.status).toBe('running');
    expect(after.pendingAction).toBeNull();
    const operation = await t.db.selectFrom('operation_logs').selectAll().where('vm_id', '=', vm.id).orderBy('started_at', 'desc').executeTakeFirstOrThrow();
    expect(operation.status).toBe('failed');
  });

  it('returns 409 when Nova rejects the action', async () => {
    const vm = await runningVm();
    expect((await simAdmin(`/servers/${vm.serverId}/out-of-band`, { action: 'stop' })).statusCode).toBe(202);
    const client = t.clouds.forBinding({ cloud: 'sim-demo', region: 'RegionOne', projectId: t.cloud.sim.admin.projectId('demo') });
    await pollUntil(() => pollServer(client, vm.serverId), (server) => server?.status === 'SHUTOFF');

    const response = await act(vm.id, 'stop');
    expect(response.statusCode).toBe(409);
    expect(response.json().code).toBe('VM_INVALID_STATE');
    expect(response.json().detail).toContain('stopped');
    expect((await getVm(vm.id)).pendingAction).toBeNull();
  });

  it('returns 404 for a server deleted out of band', async () => {
    const vm = await runningVm();
    expect((await simAdmin(`/servers/${vm.serverId}/out-of-band`, { action: 'delete' })).statusCode).toBe(202);
    const client = t.clouds.forBinding({ cloud: 'sim-demo', region: 'RegionOne', projectId: t.cloud.sim.admin.projectId('demo') });
    expect(await pollUntil(() => pollServer(client, vm.serverId), (server) => server === null)).toBeNull();

    const response = await act(vm.id, 'reboot');
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('NOT_FOUND');
    const operation = await t.db.selectFrom('operation_logs').selectAll().where('vm_id', '=', vm.id).orderBy('started_at', 'desc').executeTakeFirstOrThrow();
    expect(operation.status).toBe('failed');
    expect((await getVm(vm.id)).pendingAction).toBeNull();
  });

  it('rejects a create over the project quota with QUOTA_EXCEEDED and creates nothing', async () => {
    const projectId = t.cloud.sim.admin.projectId('demo');
    t.cloud.sim.store.quotas.set(projectId, { ...t.cloud.sim.store.quotaFor(projectId), cores: 0 });
    const serversBefore = t.cloud.count('POST', /\/servers$/);

    const response = await t.app.inject({ method: 'POST', url: '/api/v1/vms', headers: admin(), payload: smallVm(tenant.systemId, 'quota-1') });
    t.cloud.sim.store.quotas.delete(projectId);

    expect(response.statusCode).toBe(409);
    expect(response.json().code).toBe('QUOTA_EXCEEDED');
    expect(response.json().detail).toContain('CPU 核数上限 0 核');
    expect(t.cloud.count('POST', /\/servers$/)).toBe(serversBefore);
    expect(await t.db.selectFrom('virtual_machines').select('id').where('name', '=', 'quota-1').execute()).toEqual([]);
  });

  it('keeps the row as error when Nova refuses the create for quota', async () => {
    t.cloud.sim.admin.configureFaults({ routes: [{ method: 'POST', path: '/compute/v2.1/servers', errorRate: 1, status: 403, message: 'Quota exceeded for cores: Requested 1, but already used 20 of 20 cores' }] });
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/vms', headers: admin(), payload: smallVm(tenant.systemId, 'quota-2') });

    expect(response.statusCode).toBe(409);
    expect(response.json().code).toBe('QUOTA_EXCEEDED');
    const vm = await t.db.selectFrom('virtual_machines').selectAll().where('name', '=', 'quota-2').executeTakeFirstOrThrow();
    expect(vm.status).toBe('error');
    expect(vm.fault_message).toContain('Quota exceeded');
    expect(vm.pending_action).toBeNull();
    const operation = await t.db.selectFrom('operation_logs').selectAll().where('vm_id', '=', vm.id).executeTakeFirstOrThrow();
    expect(operation.status).toBe('failed');
  });

  it('re-authenticates after the Keystone token expires and the action succeeds', async () => {
    const vm = await runningVm();
    t.cloud.sim.admin.configureFaults({ tokenLifetimeSeconds: 1 });
    const client = t.clouds.forBinding({ cloud: 'sim-demo', region: 'RegionOne', projectId: t.cloud.sim.admin.projectId('demo') });
    await client.revokeCurrentToken();
    const authsBefore = t.cloud.count('POST', /\/identity\/v3\/auth\/tokens$/);

    const response = await act(vm.id, 'stop');
    expect(response.statusCode, response.body).toBe(202);
    expect(t.cloud.count('POST', /\/identity\/v3\/auth\/tokens$/)).toBeGreaterThan(authsBefore);
    expect(await t.watch(response.json().id)).toBe('succeeded');
    expect((await getVm(vm.id)).status).toBe('stopped');
  });
});
