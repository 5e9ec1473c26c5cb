import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactColumns } from '../../../src/services/contacts.ts';
import { createTenant, createTestUser, loginAs, type SessionCredentials } from '../../helpers/fixtures.ts';
import { openTestApp, type TestApp } from '../../helpers/test-app.ts';
import { databaseKinds } from '../../helpers/test-database.ts';

const ROWS = 30;
const DAY_MS = 86_400_000;

/** Seeds ROWS of everything a list endpoint pages over, in a few bulk statements. */
async function seedMany(t: TestApp, tenantId: string): Promise<void> {
  const db = t.handle.database.db;
  const indexes = Array.from({ length: ROWS }, (_, index) => index);
  const pad = (index: number) => String(index).padStart(2, '0');

  const systems = await db
    .insertInto('information_systems')
    .values(indexes.map((index) => ({ tenant_id: tenantId, code: `sys-${pad(index)}`, name: `系统 ${pad(index)}`, price_plan: '{}' })))
    .returning('id')
    .execute();

  const now = Date.now();
  await db
    .insertInto('resource_orders')
    .values(
      systems.flatMap((system, index) =>
        [0, 1].map((copy) => ({
          tenant_id: tenantId,
          system_id: system.id,
          order_no: `BULK-${pad(index)}-${copy}`,
          cpu_cores: 8,
          memory_gib: 16,
          storage_gib: 200,
          valid_from: new Date(now - DAY_MS),
          valid_to: new Date(now + 30 * DAY_MS),
        })),
      ),
    )
    .execute();

  const vms = await db
    .insertInto('virtual_machines')
    .values(
      systems.flatMap((system, index) =>
        [0, 1].map((copy) => ({
          tenant_id: tenantId,
          system_id: system.id,
          name: `vm${pad(index)}x${copy}`,
          cloud: 'sim',
          project_id: 'p-bulk',
          cpu_cores: 2,
          memory_mib: 2048,
          root_disk_gib: 20,
          status: 'running',
          addresses: '[]',
          floating_ips: '[]',
        })),
      ),
    )
    .returning(['id', 'system_id'])
    .execute();

  await db
    .insertInto('resource_adjustments')
    .values(vms.map((vm) => ({ tenant_id: tenantId, system_id: vm.system_id, vm_id: vm.id, subject: 'vm' as const, dimension: 'cpu' as const, old_value: 1, new_value: 2, direction: 'increase' as const, source: 'out_of_band' as const })))
    .execute();

  await db
    .insertInto('contacts')
    .values(indexes.map((index) => ({ tenant_id: tenantId, type: 'business' as const, name: `联系人 ${pad(index)}`, ...contactColumns(t.keyring, { phone: `139000000${pad(index)}`, email: `c${index}@example.com` }) })))
    .execute();

  // A fixed hash: these users never log in, and hashing 30 passwords would only slow the test.
  const users = await db
    .insertInto('users')
    .values(indexes.map((index) => ({ username: `bulk-user-${pad(index)}`, password_hash: 'not-a-real-hash' })))
    .returning('id')
    .execute();
  await db.insertInto('tenant_memberships').values(users.map((user) => ({ user_id: user.id, tenant_id: tenantId, role: 'viewer' as const }))).execute();

  await db.insertInto('tenants').values(indexes.map((index) => ({ code: `bulk-tenant-${pad(index)}`, name: `批量租户 ${pad(index)}` }))).execute();

  await db
    .insertInto('billing_records')
    .values(
      systems.map((system) => ({
        tenant_id: tenantId,
        system_id: system.id,
        bill_date: '2026-12-01',
        time_zone: 'Asia/Shanghai',
        billing_mode: 'prepaid' as const,
        ordered_cpu_cores: 8,
        ordered_memory_gib: 16,
        ordered_storage_gib: 200,
        core_hours: 96,
        memory_gib_hours: 192,
        storage_gib_hours: 960,
        amount_fen: 7600,
      })),
    )
    .execute();

  // Audit rows name their actor, so the audit list joins users for every row it returns.
  await db
    .insertInto('audit_log')
    .values(users.map((user) => ({ actor_user_id: user.id, tenant_id: tenantId, action: 'user.update', target_type: 'user', target_id: user.id, details: '{}' })))
    .execute();
}

describe.each(databaseKinds())('statements per list request on %s', (kind) => {
  let t: TestApp;
  let tenantId: string;
  let tenantAdmin: SessionCredentials;
  let operator: SessionCredentials;

  /** Runs one GET and returns how many SQL statements it sent and how many items it returned. */
  async function measure(url: string, session: SessionCredentials): Promise<{ statements: number; items: number }> {
    // A fresh last_seen_at keeps the session lookup from adding its once-a-minute touch.
    await t.handle.database.db.updateTable('sessions').set({ last_seen_at: new Date() }).execute();

    const before = t.handle.database.stats.queries;
    const response = await t.app.inject({ method: 'GET', url, headers: { cookie: session.headers.cookie ?? '' } });
    const statements = t.handle.database.stats.queries - before;

    expect(response.statusCode, url).toBe(200);
    return { statements, items: (response.json() as { items: unknown[] }).items.length };
  }

  beforeAll(async () => {
    t = await openTestApp(kind);
    tenantId = (await createTenant(t.handle.database.db, 'bulk')).id;
    await seedMany(t, tenantId);
    await createTestUser(t.handle.database.db, 'bulk-admin', { tenantId, role: 'admin' });
    await createTestUser(t.handle.database.db, 'bulk-operator', { platformOperator: true });
    tenantAdmin = await loginAs(t.app, 'bulk-admin');
    operator = await loginAs(t.app, 'bulk-operator');
  });

  afterAll(async () => {
    await t?.close();
  });

  // Expected statements per request: two for the authentication hook (session, then user and
  // role), two for the page (count, then rows), and one more where the route first checks that a
  // parent row exists.
  it.each([
    ['/api/v1/systems', 'tenant', 4],
    ['/api/v1/orders', 'tenant', 4],
    ['/api/v1/orders/list', 'tenant', 4],
    ['/api/v1/resource-adjustments', 'tenant', 4],
    ['/api/v1/tenant/users', 'tenant', 4],
    ['/api/v1/billing-records', 'tenant', 4],
    ['/api/v1/admin/tenants', 'operator', 4],
    ['/api/v1/admin/users', 'operator', 4],
    ['/api/v1/admin/systems', 'operator', 4],
    ['/api/v1/admin/orders', 'operator', 4],
    ['/api/v1/admin/billing-records', 'operator', 4],
    ['/api/v1/admin/audit-log', 'operator', 4],
    ['/api/v1/admin/tenants/{tenant}/contacts', 'operator', 5],
  ] as const)('runs as many statements for 100 items as for 1 on %s', async (path, who, expected) => {
    const session = who === 'tenant' ? tenantAdmin : operator;
    const url = path.replace('{tenant}', tenantId);

    const small = await measure(`${url}?page_size=1`, session);
    const large = await measure(`${url}?page_size=100`, session);

    expect(small.items).toBe(1);
    expect(large.items).toBeGreaterThanOrEqual(ROWS);
    expect(large.statements).toBe(small.statements);
    expect(large.statements).toBe(expected);
  });
});
