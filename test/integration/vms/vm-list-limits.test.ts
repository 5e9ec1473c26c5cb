import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBoundTenant, openVmTestApp, type TenantFixture, type VmTestApp } from '../../helpers/sim-cloud.ts';
import { databaseKinds } from '../../helpers/test-database.ts';

describe.each(databaseKinds())('VM list and rate limits on %s', (kind) => {
  let t: VmTestApp;
  let tenant: TenantFixture;

  beforeAll(async () => {
    t = await openVmTestApp(kind, { env: { RATE_LIMIT_READS_PER_MINUTE: '1000', RATE_LIMIT_ACTIONS_PER_MINUTE: '3', RATE_LIMIT_CREATES_PER_MINUTE: '2' } });
    tenant = await createBoundTenant(t, 'lists', { cloud: 'sim-demo', projectName: 'demo' });

    // Rows written directly: the list reads only the database, so no server is needed.
    const rows = Array.from({ length: 35 }, (_, index) => ({
      tenant_id: tenant.tenantId,
      system_id: tenant.systemId,
      name: `list-${String(index).padStart(2, '0')}`,
      cloud: 'sim-demo',
      project_id: 'p',
      cpu_cores: 1,
      memory_mib: 1024,
      root_disk_gib: 20,
      status: index % 5 === 0 ? 'stopped' : 'running',
      created_at: new Date(Date.UTC(2026, 0, 1, 0, index)),
    }));
    await t.db.insertInto('virtual_machines').values(rows).execute();
  });

  afterAll(async () => {
    await t?.close();
  });

  const list = (query: string) => t.app.inject({ method: 'GET', url: `/api/v1/vms?${query}`, headers: tenant.sessions.viewer.headers });

  it('pages, filters and sorts', async () => {
    const first = (await list('page_size=10')).json();
    expect(first.total).toBe(35);
    expect(first.items).toHaveLength(10);
    expect(first.items[0].name).toBe('list-34');

    const byName = (await list('sort=name&page=2&page_size=10')).json();
    expect(byName.items[0].name).toBe('list-10');

    const stopped = (await list('status=stopped&page_size=100')).json();
    expect(stopped.total).toBe(7);
    expect(stopped.items.every((vm: { status: string }) => vm.status === 'stopped')).toBe(true);

    const searched = (await list('q=LIST-3&page_size=100')).json();
    expect(searched.items.map((vm: { name: string }) => vm.name).sort()).toEqual(['list-30', 'list-31', 'list-32', 'list-33', 'list-34']);

    const invalid = await list('sort=cpu');
    expect(invalid.statusCode).toBe(400);
  });

  it('sends the same number of statements for page_size 1 and 100', async () => {
    const stats = t.handle.database.stats;

    const beforeSmall = stats.queries;
    expect((await list('page_size=1')).json().items).toHaveLength(1);
    const small = stats.queries - beforeSmall;

    const beforeLarge = stats.queries;
    expect((await list('page_size=100')).json().items).toHaveLength(35);
    const large = stats.queries - beforeLarge;

    expect(large).toBe(small);
  });

  it('returns 429 past the per-minute limit', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    const statuses: number[] = [];
    let limited;
    for (let attempt = 0; attempt < 5; attempt++) {
      const response = await t.app.inject({ method: 'POST', url: `/api/v1/vms/${missing}/actions`, headers: tenant.sessions.operator.headers, payload: { action: 'stop' } });
      statuses.push(response.statusCode);
      if (response.statusCode === 429) limited = response;
    }

    expect(statuses).toEqual([404, 404, 404, 429, 429]);
    expect(limited?.json().code).toBe('RATE_LIMITED');
    expect(Number(limited?.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited?.headers['content-type']).toContain('application/problem+json');

    // The limit counts per user: another user of the same tenant is not limited yet.
    const admin = await t.app.inject({ method: 'POST', url: `/api/v1/vms/${missing}/actions`, headers: tenant.sessions.admin.headers, payload: { action: 'stop' } });
    expect(admin.statusCode).toBe(404);

    // Authentication routes are outside these limits.
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: tenant.sessions.operator.headers });
    expect(me.statusCode).toBe(200);
  });
});
