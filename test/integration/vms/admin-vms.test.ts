import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestUser, loginAs, type SessionCredentials } from '../../helpers/fixtures.ts';
import { createBoundTenant, openVmTestApp, smallVm, type TenantFixture, type VmTestApp } from '../../helpers/sim-cloud.ts';
import { databaseKinds } from '../../helpers/test-database.ts';

describe.each(databaseKinds())('GET /api/v1/admin/vms on %s', (kind) => {
  let t: VmTestApp;
  let first: TenantFixture;
  let second: TenantFixture;
  let operator: SessionCredentials;

  beforeAll(async () => {
    t = await openVmTestApp(kind);
    first = await createBoundTenant(t, 'avm-a', { cloud: 'sim-demo', projectName: 'demo' });
    second = await createBoundTenant(t, 'avm-b', { cloud: 'sim-alt', projectName: 'alt' });
    await createTestUser(t.db, 'avm-ops', { platformOperator: true });
    operator = await loginAs(t.app, 'avm-ops');

    for (const [tenant, name] of [[first, 'avm-one'], [second, 'avm-two']] as const) {
      const created = await t.app.inject({ method: 'POST', url: '/api/v1/vms', headers: tenant.sessions.admin.headers, payload: smallVm(tenant.systemId, name) });
      expect(created.statusCode, created.body).toBe(202);
    }
  });

  afterAll(async () => {
    await t?.close();
  });

  const list = (query: string, session = operator) => t.app.inject({ method: 'GET', url: `/api/v1/admin/vms${query}`, headers: session.headers });

  it('lists VMs of every tenant', async () => {
    const response = await list('?sort=name');
    expect(response.statusCode, response.body).toBe(200);
    const items = response.json().items as { name: string; tenantId: string; projectId: string; cloud: string }[];
    expect(items.map((vm) => [vm.name, vm.tenantId, vm.cloud])).toEqual([
      ['avm-one', first.tenantId, 'sim-demo'],
      ['avm-two', second.tenantId, 'sim-alt'],
    ]);
    expect(items[0]?.projectId).toBe(t.cloud.sim.admin.projectId('demo'));
  });

  it('filters by tenant', async () => {
    const response = await list(`?tenant_id=${second.tenantId}`);
    expect(response.json().items.map((vm: { name: string }) => vm.name)).toEqual(['avm-two']);
    expect(response.json().total).toBe(1);
  });

  it('rejects tenant users', async () => {
    const response = await list('', first.sessions.admin);
    expect(response.statusCode).toBe(403);
  });

  it('rejects an unknown query field', async () => {
    const response = await list('?tenant=x');
    expect(response.statusCode).toBe(400);
  });
});
