import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBoundTenant, openVmTestApp, type TenantFixture, type VmTestApp } from '../../helpers/sim-cloud.ts';
import { databaseKinds } from '../../helpers/test-database.ts';

describe.each(databaseKinds())('catalog cache on %s', (kind) => {
  let t: VmTestApp;
  let tenant: TenantFixture;
  let unbound: TenantFixture;

  beforeAll(async () => {
    t = await openVmTestApp(kind);
    tenant = await createBoundTenant(t, 'cat', { cloud: 'sim-demo', projectName: 'demo' });
    unbound = await createBoundTenant(t, 'cat-unbound', { cloud: 'sim-alt', projectName: 'alt' });
    await t.db.updateTable('tenants').set({ cloud: null, region: null, project_id: null }).where('id', '=', unbound.tenantId).execute();
  });

  afterAll(async () => {
    await t?.close();
  });

  const flavors = (headers: Record<string, string>) => t.app.inject({ method: 'GET', url: '/api/v1/catalog/flavors', headers });

  it('does not keep a failed fetch', async () => {
    t.cloud.sim.admin.configureFaults({ routes: [{ method: 'GET', path: '/compute/v2.1/flavors/detail', errorRate: 1, status: 500 }] });
    const failed = await flavors(tenant.sessions.viewer.headers);
    t.cloud.sim.admin.configureFaults({});

    expect(failed.statusCode).toBe(503);
    expect(failed.json().code).toBe('OPENSTACK_UNAVAILABLE');
    expect((await flavors(tenant.sessions.viewer.headers)).statusCode).toBe(200);
  });

  it('shares one fetch among concurrent requests and caches it', async () => {
    const images = () => t.app.inject({ method: 'GET', url: '/api/v1/catalog/images', headers: tenant.sessions.viewer.headers });
    const before = t.cloud.count('GET', /^\/image\/v2\/images$/);

    const responses = await Promise.all(Array.from({ length: 5 }, images));
    expect(responses.map((response) => response.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect((await images()).statusCode).toBe(200);

    expect(t.cloud.count('GET', /^\/image\/v2\/images$/) - before).toBe(1);
  });

  it('returns TENANT_NOT_BOUND for a tenant without a project', async () => {
    const response = await flavors(unbound.sessions.viewer.headers);
    expect(response.statusCode).toBe(409);
    expect(response.json().code).toBe('TENANT_NOT_BOUND');
    expect(response.json().detail).toContain('cat-unbound');
  });
});
