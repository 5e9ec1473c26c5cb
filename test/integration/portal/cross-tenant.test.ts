import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContact } from '../../../src/services/contacts.ts';
import { createSystem, createTenant, createTestUser, loginAs, TEST_PASSWORD, type SessionCredentials } from '../../helpers/fixtures.ts';
import { openTestApp, type TestApp } from '../../helpers/test-app.ts';
import { databaseKinds } from '../../helpers/test-database.ts';
import { insertAdjustment, insertBillingRecord, insertOrder, insertVm } from './seed.ts';

interface TenantRows {
  tenantId: string;
  systemId: string;
  orderId: string;
  vmId: string;
  contactId: string;
  adjustmentId: string;
  billId: string;
  userId: string;
}

async function seedTenant(t: TestApp, code: string): Promise<TenantRows> {
  const db = t.handle.database.db;
  const tenantId = (await createTenant(db, code)).id;
  const systemId = (await createSystem(db, tenantId, `${code}-sys`)).id;
  const orderId = (await insertOrder(db, { tenantId, systemId, orderNo: `${code}-order`, cpu: 4, memoryGiB: 8, storageGiB: 100 })).id;
  const vmId = (await insertVm(db, { tenantId, systemId, name: `${code}vm`, cpu: 1, memoryMiB: 1024, rootDiskGiB: 20 })).id;
  const contactId = (await createContact(db, t.keyring, { tenantId, type: 'business', name: `${code} 联系人`, phone: '13800000000', email: `${code}@example.com` })).id;
  const adjustmentId = (await insertAdjustment(db, { tenantId, systemId, vmId, dimension: 'cpu', oldValue: 1, newValue: 2, minutesAgo: 5 })).id;
  const billId = (await insertBillingRecord(db, { tenantId, systemId, billDate: '2026-12-01' })).id;
  const userId = (await createTestUser(db, `${code}-viewer`, { tenantId, role: 'viewer' })).id;
  return { tenantId, systemId, orderId, vmId, contactId, adjustmentId, billId, userId };
}

describe.each(databaseKinds())('tenant isolation on %s', (kind) => {
  let t: TestApp;
  let a: TenantRows;
  let b: TenantRows;
  let adminA: SessionCredentials;

  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: { cookie: adminA.headers.cookie ?? '' } });

  /** Every id of tenant B that a response must never contain. */
  const foreignIds = () => Object.values(b);

  beforeAll(async () => {
    t = await openTestApp(kind);
    a = await seedTenant(t, 'tenant-a');
    b = await seedTenant(t, 'tenant-b');
    await createTestUser(t.handle.database.db, 'a-admin', { tenantId: a.tenantId, role: 'admin' });
    adminA = await loginAs(t.app, 'a-admin');
  });

  afterAll(async () => {
    await t?.close();
  });

  it.each([
    '/api/v1/tenant/profile',
    '/api/v1/systems?page_size=100',
    '/api/v1/orders?page_size=100',
    '/api/v1/orders/list?page_size=100',
    '/api/v1/resource-adjustments?page_size=100',
    '/api/v1/billing-records?page_size=100',
    '/api/v1/tenant/users?page_size=100',
  ])('keeps tenant B out of %s', async (url) => {
    const response = await get(url);
    expect(response.statusCode).toBe(200);
    for (const id of foreignIds()) expect(response.body).not.toContain(id);
    expect(response.body).not.toContain('tenant-b');
  });

  it('still shows tenant A its own rows', async () => {
    expect((await get('/api/v1/systems')).json().items.map((item: { id: string }) => item.id)).toEqual([a.systemId]);
    expect((await get('/api/v1/orders')).json().items.map((item: { systemId: string }) => item.systemId)).toEqual([a.systemId]);
    expect((await get('/api/v1/orders/list')).json().items.map((item: { id: string }) => item.id)).toEqual([a.orderId]);
    expect((await get('/api/v1/resource-adjustments')).json().items.map((item: { id: string }) => item.id)).toEqual([a.adjustmentId]);
    expect((await get('/api/v1/billing-records')).json().items.map((item: { id: string }) => item.id)).toEqual([a.billId]);
    expect((await get('/api/v1/tenant/profile')).json().contacts.map((item: { id: string }) => item.id)).toEqual([a.contactId]);
  });

  it('answers 404 for tenant B’s system exactly as for a missing one', async () => {
    const foreign = await get(`/api/v1/systems/${b.systemId}`);
    const missing = await get('/api/v1/systems/00000000-0000-4000-8000-000000000099');

    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().code).toBe(missing.json().code);
    expect(foreign.json().title).toBe(missing.json().title);
    for (const id of foreignIds().filter((id) => id !== b.systemId)) expect(foreign.body).not.toContain(id);
  });

  it.each([
    ['system_id', () => `/api/v1/orders/list?system_id=${b.systemId}`],
    ['system_id', () => `/api/v1/resource-adjustments?system_id=${b.systemId}`],
    ['vm_id', () => `/api/v1/resource-adjustments?vm_id=${b.vmId}`],
    ['system_id', () => `/api/v1/billing-records?system_id=${b.systemId}`],
  ])('filters by tenant B’s %s to an empty list', async (_filter, url) => {
    const response = await get(url());
    expect(response.statusCode).toBe(200);
    expect(response.json().items).toEqual([]);
    expect(response.json().total).toBe(0);
  });

  it('answers 404 for changing tenant B’s user and changes nothing', async () => {
    const before = await t.handle.database.db.selectFrom('users').selectAll().where('id', '=', b.userId).executeTakeFirstOrThrow();
    const memberships = await t.handle.database.db.selectFrom('tenant_memberships').selectAll().where('user_id', '=', b.userId).execute();

    for (const payload of [{ status: 'disabled' }, { role: 'admin' }, { displayName: 'taken over' }]) {
      const response = await t.app.inject({ method: 'PATCH', url: `/api/v1/tenant/users/${b.userId}`, headers: adminA.headers, payload });
      expect(response.statusCode).toBe(404);
    }

    const after = await t.handle.database.db.selectFrom('users').selectAll().where('id', '=', b.userId).executeTakeFirstOrThrow();
    expect(after).toEqual(before);
    expect(await t.handle.database.db.selectFrom('tenant_memberships').selectAll().where('user_id', '=', b.userId).execute()).toEqual(memberships);
    const audit = await t.handle.database.db.selectFrom('audit_log').select('id').where('target_id', '=', b.userId).execute();
    expect(audit).toEqual([]);
  });

  it('creates users only in the caller’s tenant', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tenant/users',
      headers: adminA.headers,
      payload: { username: 'new-hire', displayName: '新人', password: TEST_PASSWORD, role: 'viewer' },
    });
    expect(response.statusCode).toBe(201);
    const memberships = await t.handle.database.db.selectFrom('tenant_memberships').select('tenant_id').where('user_id', '=', response.json().id).execute();
    expect(memberships).toEqual([{ tenant_id: a.tenantId }]);
  });

  it('forbids tenant A every admin route aimed at tenant B', async () => {
    const attempts: Array<{ method: 'GET' | 'POST' | 'PATCH' | 'DELETE'; url: string; payload?: object }> = [
      { method: 'GET', url: `/api/v1/admin/tenants/${b.tenantId}` },
      { method: 'PATCH', url: `/api/v1/admin/tenants/${b.tenantId}`, payload: { status: 'archived' } },
      { method: 'GET', url: `/api/v1/admin/tenants/${b.tenantId}/contacts` },
      { method: 'PATCH', url: `/api/v1/admin/contacts/${b.contactId}`, payload: { name: 'x' } },
      { method: 'DELETE', url: `/api/v1/admin/contacts/${b.contactId}` },
      { method: 'GET', url: `/api/v1/admin/users/${b.userId}` },
      { method: 'PATCH', url: `/api/v1/admin/users/${b.userId}`, payload: { status: 'disabled' } },
      { method: 'GET', url: `/api/v1/admin/systems/${b.systemId}` },
      { method: 'PATCH', url: `/api/v1/admin/systems/${b.systemId}`, payload: { status: 'retired' } },
      { method: 'GET', url: `/api/v1/admin/orders/${b.orderId}` },
      { method: 'PATCH', url: `/api/v1/admin/orders/${b.orderId}`, payload: { status: 'cancelled' } },
      { method: 'GET', url: `/api/v1/admin/billing-records?tenant_id=${b.tenantId}` },
      { method: 'GET', url: `/api/v1/admin/audit-log?tenant_id=${b.tenantId}` },
    ];
    for (const attempt of attempts) {
      const response = await t.app.inject({ method: attempt.method, url: attempt.url, headers: adminA.headers, ...(attempt.payload ? { payload: attempt.payload } : {}) });
      expect(response.statusCode, `${attempt.method} ${attempt.url}`).toBe(403);
      // The problem's `instance` repeats the requested URL; no other id of tenant B may appear.
      for (const id of foreignIds().filter((id) => !attempt.url.includes(id))) expect(response.body).not.toContain(id);
    }

    const db = t.handle.database.db;
    expect((await db.selectFrom('tenants').select('status').where('id', '=', b.tenantId).executeTakeFirstOrThrow()).status).toBe('active');
    expect((await db.selectFrom('information_systems').select('status').where('id', '=', b.systemId).executeTakeFirstOrThrow()).status).toBe('active');
    expect((await db.selectFrom('resource_orders').select('status').where('id', '=', b.orderId).executeTakeFirstOrThrow()).status).toBe('active');
    expect(await db.selectFrom('contacts').select('id').where('id', '=', b.contactId).execute()).toHaveLength(1);
  });
});
