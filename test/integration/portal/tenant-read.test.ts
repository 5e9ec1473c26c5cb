import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContact } from '../../../src/services/contacts.ts';
import { createSystem, createTenant, createTestUser, loginAs, type SessionCredentials } from '../../helpers/fixtures.ts';
import { openTestApp, type TestApp } from '../../helpers/test-app.ts';
import { databaseKinds } from '../../helpers/test-database.ts';
import { insertAdjustment, insertOrder, insertVm } from './seed.ts';

const PHONE = '13912345678';
const EMAIL = 'wang.wu@example.com';

describe.each(databaseKinds())('tenant read endpoints on %s', (kind) => {
  let t: TestApp;
  let tenantId: string;
  let viewer: SessionCredentials;
  let alpha: { id: string };
  let beta: { id: string };
  let empty: { id: string };
  let vmId: string;

  const get = (url: string, session: SessionCredentials = viewer, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url, headers: { cookie: session.headers.cookie ?? '', ...headers } });

  beforeAll(async () => {
    t = await openTestApp(kind);
    const db = t.handle.database.db;
    const tenant = await createTenant(db, 'reader', '读取租户');
    tenantId = tenant.id;
    await db.updateTable('tenants').set({ cloud: 'sim', region: 'RegionOne', project_id: 'p-reader', project_name: 'reader', description: '测试' }).where('id', '=', tenantId).execute();
    await createContact(db, t.keyring, { tenantId, type: 'business', name: '王五', phone: PHONE, email: EMAIL });
    await createTestUser(db, 'viewer-vera', { tenantId, role: 'viewer' });
    await createTestUser(db, 'lonely-lu');
    await createTestUser(db, 'operator-otto', { platformOperator: true });

    alpha = await createSystem(db, tenantId, 'alpha');
    beta = await createSystem(db, tenantId, 'beta');
    empty = await createSystem(db, tenantId, 'gamma');
    await db.updateTable('information_systems').set({ status: 'suspended' }).where('id', '=', empty.id).execute();

    // alpha: two valid active orders count; pending, cancelled, expired and future ones do not.
    await insertOrder(db, { tenantId, systemId: alpha.id, orderNo: 'A-1', cpu: 16, memoryGiB: 64, storageGiB: 1000 });
    await insertOrder(db, { tenantId, systemId: alpha.id, orderNo: 'A-2', cpu: 8, memoryGiB: 32, storageGiB: 500 });
    await insertOrder(db, { tenantId, systemId: alpha.id, orderNo: 'A-pending', cpu: 100, memoryGiB: 100, storageGiB: 100, status: 'pending' });
    await insertOrder(db, { tenantId, systemId: alpha.id, orderNo: 'A-cancelled', cpu: 100, memoryGiB: 100, storageGiB: 100, status: 'cancelled' });
    await insertOrder(db, { tenantId, systemId: alpha.id, orderNo: 'A-expired', cpu: 100, memoryGiB: 100, storageGiB: 100, fromDays: -400, toDays: -1 });
    await insertOrder(db, { tenantId, systemId: alpha.id, orderNo: 'A-future', cpu: 100, memoryGiB: 100, storageGiB: 100, fromDays: 1, toDays: 30 });
    // beta: one order, used beyond it.
    await insertOrder(db, { tenantId, systemId: beta.id, orderNo: 'B-1', cpu: 2, memoryGiB: 4, storageGiB: 50 });

    // alpha: two live VMs and a deleted one that must not count.
    vmId = (await insertVm(db, { tenantId, systemId: alpha.id, name: 'web1', cpu: 4, memoryMiB: 8192, rootDiskGiB: 40, volumeGiB: 100 })).id;
    await insertVm(db, { tenantId, systemId: alpha.id, name: 'web2', cpu: 2, memoryMiB: 1536, rootDiskGiB: 20 });
    await insertVm(db, { tenantId, systemId: alpha.id, name: 'old1', cpu: 32, memoryMiB: 65536, rootDiskGiB: 500, deleted: true });
    await insertVm(db, { tenantId, systemId: beta.id, name: 'db1', cpu: 4, memoryMiB: 4096, rootDiskGiB: 60 });

    await insertAdjustment(db, { tenantId, systemId: alpha.id, vmId, dimension: 'cpu', oldValue: 2, newValue: 4, minutesAgo: 30 });
    await insertAdjustment(db, { tenantId, systemId: alpha.id, vmId, dimension: 'memory', oldValue: 4, newValue: 8, minutesAgo: 20 });
    await insertAdjustment(db, { tenantId, systemId: beta.id, vmId: null, dimension: 'storage', oldValue: 100, newValue: 50, minutesAgo: 10 });

    viewer = await loginAs(t.app, 'viewer-vera');
  });

  afterAll(async () => {
    await t?.close();
  });

  it('returns the profile with binding and masked contacts', async () => {
    const response = await get('/api/v1/tenant/profile');
    expect(response.statusCode).toBe(200);
    const body = response.json();

    expect(body.tenant).toEqual({ id: tenantId, code: 'reader', name: '读取租户', status: 'active', description: '测试' });
    expect(body.binding).toEqual({ cloud: 'sim', region: 'RegionOne', projectId: 'p-reader', projectName: 'reader' });
    expect(body.contacts).toHaveLength(1);
    expect(body.contacts[0]).toMatchObject({ name: '王五', phoneMasked: '139****5678', emailMasked: 'w***@example.com' });
    expect(response.body).not.toContain(PHONE);
    expect(response.body).not.toContain('wang.wu');
    expect(response.body).not.toContain('v1.');
  });

  it('answers NO_TENANT for a platform operator outside any tenant', async () => {
    const session = await loginAs(t.app, 'operator-otto');
    const response = await get('/api/v1/systems', session);
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('NO_TENANT');
  });

  it('answers NO_TENANT for a user without tenant or role', async () => {
    const session = await loginAs(t.app, 'lonely-lu');
    const response = await get('/api/v1/tenant/profile', session);
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('NO_TENANT');
  });

  it('requires a session', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/tenant/profile' });
    expect(response.statusCode).toBe(401);
  });

  it('lists systems with paging, filter, search and sort', async () => {
    const all = (await get('/api/v1/systems')).json();
    expect(all.total).toBe(3);
    expect(all.page).toBe(1);
    expect(all.page_size).toBe(20);
    expect(all.items.map((item: { code: string }) => item.code)).toEqual(['alpha', 'beta', 'gamma']);

    const second = (await get('/api/v1/systems?page=2&page_size=2')).json();
    expect(second.items.map((item: { code: string }) => item.code)).toEqual(['gamma']);
    expect(second.total).toBe(3);

    const beyond = (await get('/api/v1/systems?page=5&page_size=2')).json();
    expect(beyond.items).toEqual([]);
    expect(beyond.total).toBe(3);

    const suspended = (await get('/api/v1/systems?status=suspended')).json();
    expect(suspended.items.map((item: { code: string }) => item.code)).toEqual(['gamma']);

    const searched = (await get(`/api/v1/systems?q=${encodeURIComponent('系统 BE')}`)).json();
    expect(searched.items.map((item: { code: string }) => item.code)).toEqual(['beta']);

    const wildcard = (await get('/api/v1/systems?q=%25')).json();
    expect(wildcard.total).toBe(0);

    const descending = (await get('/api/v1/systems?sort=-name')).json();
    expect(descending.items.map((item: { code: string }) => item.code)).toEqual(['gamma', 'beta', 'alpha']);
  });

  it.each([
    ['page=0', 'querystring.page', 'too_small'],
    ['page_size=101', 'querystring.page_size', 'too_large'],
    ['page_size=abc', 'querystring.page_size', 'type'],
    ['sort=password', 'querystring.sort', 'not_allowed'],
    ['status=deleted', 'querystring.status', 'not_allowed'],
    ['tenant_id=00000000-0000-4000-8000-000000000000', 'querystring.tenant_id', 'unknown_field'],
  ])('rejects the query %s', async (query, field, code) => {
    const response = await get(`/api/v1/systems?${query}`);
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('VALIDATION_FAILED');
    expect(response.json().errors).toContainEqual(expect.objectContaining({ field, code }));
  });

  it('returns one system with orders and capacity', async () => {
    const response = await get(`/api/v1/systems/${alpha.id}`);
    expect(response.statusCode).toBe(200);
    const body = response.json();

    expect(body.system).toMatchObject({ id: alpha.id, code: 'alpha', tenantId });
    expect(body.orders.map((order: { orderNo: string }) => order.orderNo).sort()).toEqual(['A-1', 'A-2', 'A-cancelled', 'A-expired', 'A-future', 'A-pending']);
    expect(body.capacity.ordered).toEqual({ cpu: 24, memoryGiB: 96, storageGiB: 1500 });
  });

  it('answers 404 for an unknown system and 400 for a malformed id', async () => {
    const unknown = await get('/api/v1/systems/00000000-0000-4000-8000-000000000000');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('NOT_FOUND');

    const malformed = await get('/api/v1/systems/42');
    expect(malformed.statusCode).toBe(400);
  });

  it('computes capacity per system from valid active orders and live VMs', async () => {
    const response = await get('/api/v1/orders');
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.total).toBe(3);

    const bySystem = new Map(body.items.map((item: { systemCode: string }) => [item.systemCode, item]));
    // alpha: orders A-1 + A-2; VMs web1 (4 cores, 8 GiB, 40 + 100 GiB) and web2 (2 cores, 1.5 GiB, 20 GiB).
    expect(bySystem.get('alpha')).toMatchObject({
      systemId: alpha.id,
      ordered: { cpu: 24, memoryGiB: 96, storageGiB: 1500 },
      used: { cpu: 6, memoryGiB: 9.5, storageGiB: 160 },
      remaining: { cpu: 18, memoryGiB: 86.5, storageGiB: 1340 },
    });
    // beta: 2 cores ordered and 4 used, so remaining goes below zero.
    expect(bySystem.get('beta')).toMatchObject({
      ordered: { cpu: 2, memoryGiB: 4, storageGiB: 50 },
      used: { cpu: 4, memoryGiB: 4, storageGiB: 60 },
      remaining: { cpu: -2, memoryGiB: 0, storageGiB: -10 },
    });
    expect(bySystem.get('gamma')).toMatchObject({
      systemStatus: 'suspended',
      ordered: { cpu: 0, memoryGiB: 0, storageGiB: 0 },
      used: { cpu: 0, memoryGiB: 0, storageGiB: 0 },
      remaining: { cpu: 0, memoryGiB: 0, storageGiB: 0 },
    });
  });

  it('pages capacity by system', async () => {
    const body = (await get('/api/v1/orders?page=2&page_size=1')).json();
    expect(body.items.map((item: { systemCode: string }) => item.systemCode)).toEqual(['beta']);
    expect(body.total).toBe(3);
  });

  it('lists order rows with filters', async () => {
    const all = (await get('/api/v1/orders/list?page_size=100')).json();
    expect(all.total).toBe(7);

    const cancelled = (await get(`/api/v1/orders/list?system_id=${alpha.id}&status=cancelled`)).json();
    expect(cancelled.items.map((order: { orderNo: string }) => order.orderNo)).toEqual(['A-cancelled']);

    const byNumber = (await get('/api/v1/orders/list?sort=order_no&page_size=2')).json();
    expect(byNumber.items.map((order: { orderNo: string }) => order.orderNo)).toEqual(['A-1', 'A-2']);
  });

  it('lists resource adjustments newest first with filters', async () => {
    const all = (await get('/api/v1/resource-adjustments')).json();
    expect(all.items.map((item: { dimension: string }) => item.dimension)).toEqual(['storage', 'memory', 'cpu']);
    expect(all.items[0]).toMatchObject({ subject: 'system', vmId: null, oldValue: 100, newValue: 50, direction: 'decrease' });

    const bySystem = (await get(`/api/v1/resource-adjustments?system_id=${alpha.id}`)).json();
    expect(bySystem.total).toBe(2);

    const byVm = (await get(`/api/v1/resource-adjustments?vm_id=${vmId}&dimension=cpu`)).json();
    expect(byVm.items).toHaveLength(1);
    expect(byVm.items[0]).toMatchObject({ oldValue: 2, newValue: 4, direction: 'increase' });

    const bad = await get('/api/v1/resource-adjustments?dimension=gpu');
    expect(bad.statusCode).toBe(400);
  });

  it('answers in English when asked', async () => {
    const response = await get('/api/v1/systems/00000000-0000-4000-8000-000000000000', viewer, { 'accept-language': 'en-US' });
    expect(response.json().detail).toBe('information system 00000000-0000-4000-8000-000000000000 was not found.');
  });
});
