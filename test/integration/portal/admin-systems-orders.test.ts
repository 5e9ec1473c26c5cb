import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, createTestUser, loginAs, type SessionCredentials } from '../../helpers/fixtures.ts';
import { openTestApp, type TestApp } from '../../helpers/test-app.ts';
import { databaseKinds } from '../../helpers/test-database.ts';

const UNKNOWN_ID = '00000000-0000-4000-8000-00000000cafe';
const PREPAID_PLAN = { corePerDayFen: 500, memoryGiBPerDayFen: 200, storageGiBPerDayFen: 2 };
const USAGE_PLAN = { corePerHourFen: 30, memoryGiBPerHourFen: 10, storageGiBPerHourFen: 1 };

describe.each(databaseKinds())('admin systems and orders on %s', (kind) => {
  let t: TestApp;
  let operator: SessionCredentials;
  let tenantAdmin: SessionCredentials;
  let tenantId: string;
  let otherTenantId: string;
  let systemId: string;

  const send = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, session: SessionCredentials = operator) =>
    t.app.inject({ method, url, headers: session.headers, ...(payload !== undefined ? { payload: payload as object } : {}) });

  const count = async (table: 'information_systems' | 'resource_orders') =>
    Number((await t.handle.database.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  const validOrder = (overrides: Record<string, unknown> = {}) => ({
    systemId,
    orderNo: `ORD-${Math.random().toString(36).slice(2, 10)}`,
    cpuCores: 8,
    memoryGiB: 32,
    storageGiB: 500,
    validFrom: '2026-01-01T00:00:00+08:00',
    validTo: '2027-01-01T00:00:00+08:00',
    ...overrides,
  });

  beforeAll(async () => {
    t = await openTestApp(kind);
    const db = t.handle.database.db;
    tenantId = (await createTenant(db, 'finance-bureau')).id;
    otherTenantId = (await createTenant(db, 'tax-bureau')).id;
    await createTestUser(db, 'root-rose', { platformOperator: true });
    await createTestUser(db, 'fin-admin', { tenantId, role: 'admin' });
    operator = await loginAs(t.app, 'root-rose');
    tenantAdmin = await loginAs(t.app, 'fin-admin');
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('systems', () => {
    it('creates a prepaid system and audits it', async () => {
      const response = await send('POST', '/api/v1/admin/systems', { tenantId, code: 'budget', name: '预算管理系统', protectionLevel: 3, billingMode: 'prepaid', pricePlan: PREPAID_PLAN });
      expect(response.statusCode).toBe(201);
      const system = response.json();
      systemId = system.id;
      expect(system).toMatchObject({ tenantId, code: 'budget', status: 'active', protectionLevel: 3, billingMode: 'prepaid', pricePlan: PREPAID_PLAN });

      const audit = await t.handle.database.db.selectFrom('audit_log').selectAll().where('target_id', '=', systemId).execute();
      expect(audit.map((row) => [row.action, row.tenant_id])).toEqual([['system.create', tenantId]]);
    });

    it('allows the same code in another tenant but not twice in one', async () => {
      const other = await send('POST', '/api/v1/admin/systems', { tenantId: otherTenantId, code: 'budget', name: '预算管理系统', pricePlan: PREPAID_PLAN });
      expect(other.statusCode).toBe(201);

      const duplicate = await send('POST', '/api/v1/admin/systems', { tenantId, code: 'budget', name: '另一个', pricePlan: PREPAID_PLAN });
      expect(duplicate.statusCode).toBe(409);
      expect(duplicate.json()).toMatchObject({ code: 'DUPLICATE_VALUE' });
      expect(duplicate.json().detail).toContain('budget');
    });

    it.each([
      [{ code: 'x1', name: 'x', pricePlan: PREPAID_PLAN, protectionLevel: 6 }, 'protectionLevel'],
      [{ code: 'x1', name: 'x', pricePlan: PREPAID_PLAN, protectionLevel: 0 }, 'protectionLevel'],
      [{ code: 'x1', name: 'x', pricePlan: PREPAID_PLAN, billingMode: 'monthly' }, 'billingMode'],
      [{ code: 'x1', name: 'x', pricePlan: { corePerDayFen: -1, memoryGiBPerDayFen: 1, storageGiBPerDayFen: 1 } }, 'pricePlan.corePerDayFen'],
      [{ code: 'x1', name: 'x', pricePlan: { corePerDayFen: 1.5, memoryGiBPerDayFen: 1, storageGiBPerDayFen: 1 } }, 'pricePlan.corePerDayFen'],
      [{ code: 'x1', name: 'x', pricePlan: USAGE_PLAN }, 'pricePlan'],
      [{ code: 'x1', name: 'x', pricePlan: PREPAID_PLAN, billingMode: 'usage' }, 'pricePlan'],
      [{ code: 'X_1', name: 'x', pricePlan: PREPAID_PLAN }, 'code'],
      [{ code: 'x1', name: 'x', pricePlan: PREPAID_PLAN, vip: true }, 'vip'],
    ])('rejects the system %j and creates nothing', async (payload, field) => {
      const before = await count('information_systems');
      const response = await send('POST', '/api/v1/admin/systems', { tenantId, ...payload });
      expect(response.statusCode).toBe(400);
      expect(response.json().errors.map((error: { field: string }) => error.field)).toContain(field);
      expect(await count('information_systems')).toBe(before);
    });

    it('answers 404 for a system in an unknown tenant', async () => {
      const response = await send('POST', '/api/v1/admin/systems', { tenantId: UNKNOWN_ID, code: 'ghost', name: 'ghost', pricePlan: PREPAID_PLAN });
      expect(response.statusCode).toBe(404);
      expect(response.json().detail).toContain('租户');
    });

    it('switches to usage billing only with a matching plan', async () => {
      const modeOnly = await send('PATCH', `/api/v1/admin/systems/${systemId}`, { billingMode: 'usage' });
      expect(modeOnly.statusCode).toBe(400);
      expect(modeOnly.json().errors[0].field).toBe('pricePlan');

      const switched = await send('PATCH', `/api/v1/admin/systems/${systemId}`, { billingMode: 'usage', pricePlan: USAGE_PLAN });
      expect(switched.statusCode).toBe(200);
      expect(switched.json()).toMatchObject({ billingMode: 'usage', pricePlan: USAGE_PLAN });

      const cleared = await send('PATCH', `/api/v1/admin/systems/${systemId}`, { protectionLevel: null, status: 'suspended', name: '预算系统' });
      expect(cleared.json()).toMatchObject({ protectionLevel: null, status: 'suspended', name: '预算系统' });

      expect((await send('PATCH', `/api/v1/admin/systems/${UNKNOWN_ID}`, { name: 'x' })).statusCode).toBe(404);
      expect((await send('PATCH', `/api/v1/admin/systems/${systemId}`, { tenantId: otherTenantId })).statusCode).toBe(400);
    });

    it('lists, filters and gets systems', async () => {
      const byTenant = (await send('GET', `/api/v1/admin/systems?tenant_id=${tenantId}`)).json();
      expect(byTenant.items.map((item: { tenantId: string }) => item.tenantId)).toEqual([tenantId]);

      const all = (await send('GET', '/api/v1/admin/systems?q=budget')).json();
      expect(all.total).toBe(2);

      const suspended = (await send('GET', '/api/v1/admin/systems?status=suspended')).json();
      expect(suspended.items.map((item: { id: string }) => item.id)).toEqual([systemId]);

      const detail = await send('GET', `/api/v1/admin/systems/${systemId}`);
      expect(detail.statusCode).toBe(200);
      expect(detail.json()).toMatchObject({ system: { id: systemId }, orders: [], capacity: { ordered: { cpu: 0 } } });
      expect((await send('GET', `/api/v1/admin/systems/${UNKNOWN_ID}`)).statusCode).toBe(404);
    });
  });

  describe('orders', () => {
    let orderId: string;

    it('creates an order whose tenant comes from the system', async () => {
      const response = await send('POST', '/api/v1/admin/orders', validOrder({ orderNo: 'CZ-2026-001' }));
      expect(response.statusCode).toBe(201);
      const order = response.json();
      orderId = order.id;
      expect(order).toMatchObject({ tenantId, systemId, orderNo: 'CZ-2026-001', cpuCores: 8, status: 'active', validFrom: '2025-12-31T16:00:00.000Z' });

      const audit = await t.handle.database.db.selectFrom('audit_log').selectAll().where('target_id', '=', orderId).execute();
      expect(audit.map((row) => [row.action, row.tenant_id])).toEqual([['order.create', tenantId]]);
    });

    it('rejects a tenantId in the body', async () => {
      const response = await send('POST', '/api/v1/admin/orders', validOrder({ tenantId: otherTenantId }));
      expect(response.statusCode).toBe(400);
      expect(response.json().errors).toContainEqual(expect.objectContaining({ field: 'tenantId', code: 'unknown_field' }));
    });

    it('rejects a duplicate order number with 409', async () => {
      const before = await count('resource_orders');
      const response = await send('POST', '/api/v1/admin/orders', validOrder({ orderNo: 'CZ-2026-001' }));
      expect(response.statusCode).toBe(409);
      expect(response.json().code).toBe('DUPLICATE_VALUE');
      expect(response.json().detail).toContain('CZ-2026-001');
      expect(await count('resource_orders')).toBe(before);
    });

    it.each([
      [{ cpuCores: -1 }, 'cpuCores', 'too_small'],
      [{ cpuCores: 2.5 }, 'cpuCores', 'type'],
      [{ cpuCores: 0, memoryGiB: 0, storageGiB: 0 }, 'cpuCores', 'too_small'],
      [{ validFrom: 'yesterday' }, 'validFrom', 'format'],
      [{ validTo: '2025-06-01T00:00:00Z' }, 'validTo', 'too_small'],
      [{ validTo: '2026-01-01T00:00:00+08:00' }, 'validTo', 'too_small'],
      [{ status: 'done' }, 'status', 'not_allowed'],
      [{ orderNo: '' }, 'orderNo', 'too_short'],
      [{ systemId: 'nope' }, 'systemId', 'format'],
    ])('rejects the order %j and creates nothing', async (overrides, field, code) => {
      const before = await count('resource_orders');
      const response = await send('POST', '/api/v1/admin/orders', validOrder(overrides));
      expect(response.statusCode).toBe(400);
      expect(response.json().errors).toContainEqual(expect.objectContaining({ field, code }));
      expect(await count('resource_orders')).toBe(before);
    });

    it('answers 404 for an order of an unknown system', async () => {
      const response = await send('POST', '/api/v1/admin/orders', validOrder({ systemId: UNKNOWN_ID }));
      expect(response.statusCode).toBe(404);
      expect(response.json().detail).toContain('信息系统');
    });

    it('changes validity, then cancels, after which the order is final', async () => {
      const extended = await send('PATCH', `/api/v1/admin/orders/${orderId}`, { validTo: '2028-01-01T00:00:00Z' });
      expect(extended.statusCode).toBe(200);
      expect(extended.json().validTo).toBe('2028-01-01T00:00:00.000Z');

      const inverted = await send('PATCH', `/api/v1/admin/orders/${orderId}`, { validFrom: '2029-01-01T00:00:00Z' });
      expect(inverted.statusCode).toBe(400);

      const cancelled = await send('PATCH', `/api/v1/admin/orders/${orderId}`, { status: 'cancelled' });
      expect(cancelled.json().status).toBe('cancelled');

      const revived = await send('PATCH', `/api/v1/admin/orders/${orderId}`, { status: 'active' });
      expect(revived.statusCode).toBe(409);
      expect(revived.json().code).toBe('STATUS_TRANSITION_INVALID');

      const moved = await send('PATCH', `/api/v1/admin/orders/${orderId}`, { validTo: '2030-01-01T00:00:00Z' });
      expect(moved.statusCode).toBe(409);

      const audit = await t.handle.database.db.selectFrom('audit_log').selectAll().where('target_id', '=', orderId).orderBy('occurred_at').execute();
      expect(audit.map((row) => row.action)).toEqual(['order.create', 'order.update', 'order.update']);
      expect(audit[2]?.details).toMatchObject({ status: { from: 'active', to: 'cancelled' } });
    });

    it('moves a pending order to active', async () => {
      const pending = (await send('POST', '/api/v1/admin/orders', validOrder({ status: 'pending' }))).json();
      const active = await send('PATCH', `/api/v1/admin/orders/${pending.id}`, { status: 'active' });
      expect(active.json().status).toBe('active');
      const back = await send('PATCH', `/api/v1/admin/orders/${pending.id}`, { status: 'pending' });
      expect(back.statusCode).toBe(409);
    });

    it('lists orders with filters and gets one', async () => {
      const otherSystem = (await send('GET', `/api/v1/admin/systems?tenant_id=${otherTenantId}`)).json().items[0];
      await send('POST', '/api/v1/admin/orders', validOrder({ systemId: otherSystem.id, orderNo: 'TAX-1' }));

      const byTenant = (await send('GET', `/api/v1/admin/orders?tenant_id=${otherTenantId}`)).json();
      expect(byTenant.items.map((order: { orderNo: string }) => order.orderNo)).toEqual(['TAX-1']);

      const cancelled = (await send('GET', `/api/v1/admin/orders?system_id=${systemId}&status=cancelled`)).json();
      expect(cancelled.items.map((order: { id: string }) => order.id)).toEqual([orderId]);

      const newest = (await send('GET', '/api/v1/admin/orders?page_size=1')).json();
      expect(newest.items[0].orderNo).toBe('TAX-1');

      expect((await send('GET', `/api/v1/admin/orders/${orderId}`)).json().orderNo).toBe('CZ-2026-001');
      expect((await send('GET', `/api/v1/admin/orders/${UNKNOWN_ID}`)).statusCode).toBe(404);
      expect((await send('PATCH', `/api/v1/admin/orders/${UNKNOWN_ID}`, { status: 'cancelled' })).statusCode).toBe(404);
    });
  });

  it('forbids tenant admins every admin system and order route', async () => {
    const responses = await Promise.all([
      send('GET', '/api/v1/admin/systems', undefined, tenantAdmin),
      send('GET', `/api/v1/admin/systems/${systemId}`, undefined, tenantAdmin),
      send('POST', '/api/v1/admin/systems', { tenantId, code: 'mine', name: 'mine', pricePlan: PREPAID_PLAN }, tenantAdmin),
      send('PATCH', `/api/v1/admin/systems/${systemId}`, { name: 'mine' }, tenantAdmin),
      send('GET', '/api/v1/admin/orders', undefined, tenantAdmin),
      send('POST', '/api/v1/admin/orders', validOrder(), tenantAdmin),
    ]);
    for (const response of responses) {
      expect(response.statusCode).toBe(403);
      expect(response.json().code).toBe('FORBIDDEN');
    }
  });
});
