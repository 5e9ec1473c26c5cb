import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billDay } from '../../../src/services/billing/bill-day.ts';
import { createTestUser, loginAs, type SessionCredentials } from '../../helpers/fixtures.ts';
import { openTestApp, type TestApp } from '../../helpers/test-app.ts';
import { databaseKinds } from '../../helpers/test-database.ts';
import { billingRecordOf, createBilledSystem, insertVm, SHANGHAI } from './billing-fixtures.ts';

const DAYS = ['2026-11-29', '2026-11-30', '2026-12-01'] as const;

interface BillingRecordItem {
  id: string;
  tenantId: string;
  systemId: string;
  billDate: string;
  timeZone: string;
  billingMode: string;
  ordered: { cpu: number; memoryGiB: number; storageGiB: number };
  usage: { coreHours: number; memoryGiBHours: number; storageGiBHours: number };
  amountFen: number;
  currency: string;
  createdAt: string;
}

interface BillingPage {
  items: BillingRecordItem[];
  page: number;
  page_size: number;
  total: number;
}

describe.each(databaseKinds())('billing record lists on %s', (kind) => {
  let t: TestApp;
  let tenantA: string;
  let tenantB: string;
  let prepaidA: string;
  let usageA: string;
  let systemB: string;
  let viewerA: SessionCredentials;
  let operator: SessionCredentials;

  const getAs = (session: SessionCredentials, url: string, language = 'zh-CN') =>
    t.app.inject({ method: 'GET', url, headers: { cookie: session.headers.cookie ?? '', 'accept-language': language } });

  beforeAll(async () => {
    t = await openTestApp(kind);
    const db = t.handle.database.db;

    const prepaid = await createBilledSystem(db, { mode: 'prepaid', createdAt: '2026-11-20T00:00:00Z' });
    tenantA = prepaid.tenantId;
    prepaidA = prepaid.systemId;
    usageA = (await createBilledSystem(db, { mode: 'usage', createdAt: '2026-11-20T00:00:00Z', tenantId: tenantA })).systemId;
    const other = await createBilledSystem(db, { mode: 'prepaid', createdAt: '2026-11-20T00:00:00Z' });
    tenantB = other.tenantId;
    systemB = other.systemId;

    // A VM gives the usage system hours and a non-zero amount.
    await insertVm(db, { tenantId: tenantA, systemId: usageA }, { cpuCores: 2, memoryMib: 4096, rootDiskGib: 40 }, '2026-11-25T00:00:00Z');
    for (const day of DAYS) await billDay(db, day, SHANGHAI);

    await createTestUser(db, 'bill-viewer', { tenantId: tenantA, role: 'viewer' });
    await createTestUser(db, 'bill-operator', { platformOperator: true });
    viewerA = await loginAs(t.app, 'bill-viewer');
    operator = await loginAs(t.app, 'bill-operator');
  });

  afterAll(async () => {
    await t?.close();
  });

  it('shows a viewer only its own tenant’s records, newest day first', async () => {
    const response = await getAs(viewerA, '/api/v1/billing-records?page_size=100');
    expect(response.statusCode).toBe(200);
    const body = response.json() as BillingPage;

    expect(body.total).toBe(6);
    expect(new Set(body.items.map((item) => item.tenantId))).toEqual(new Set([tenantA]));
    expect(body.items.map((item) => item.systemId)).not.toContain(systemB);
    expect(response.body).not.toContain(tenantB);
    expect(body.items.map((item) => item.billDate)).toEqual(['2026-12-01', '2026-12-01', '2026-11-30', '2026-11-30', '2026-11-29', '2026-11-29']);
  });

  it('returns the stored figures of a record as numbers', async () => {
    const body = (await getAs(viewerA, `/api/v1/billing-records?system_id=${usageA}&from=2026-11-30&to=2026-11-30`)).json() as BillingPage;
    const stored = await billingRecordOf(t.handle.database.db, usageA, '2026-11-30');

    expect(body.items).toHaveLength(1);
    const item = body.items[0] as BillingRecordItem;
    expect(item).toEqual({
      id: stored?.id,
      tenantId: tenantA,
      systemId: usageA,
      billDate: '2026-11-30',
      timeZone: SHANGHAI,
      billingMode: 'usage',
      ordered: { cpu: 0, memoryGiB: 0, storageGiB: 0 },
      usage: { coreHours: 48, memoryGiBHours: 96, storageGiBHours: 960 },
      amountFen: Number(stored?.amount_fen),
      currency: 'CNY',
      createdAt: stored?.created_at.toISOString(),
    });
    expect(item.amountFen).toBeGreaterThan(0);
  });

  it.each([
    ['system_id', () => `system_id=${prepaidA}`, 3],
    ['from', () => 'from=2026-11-30', 4],
    ['to', () => 'to=2026-11-29', 2],
    ['from and to', () => 'from=2026-11-30&to=2026-12-01', 4],
    ['a day before every record', () => 'to=2026-11-01', 0],
    ['another tenant’s system', () => `system_id=${systemB}`, 0],
  ])('filters the tenant list by %s', async (_case, query, expected) => {
    const response = await getAs(viewerA, `/api/v1/billing-records?page_size=100&${query()}`);
    expect(response.statusCode).toBe(200);
    expect((response.json() as BillingPage).total).toBe(expected);
  });

  it('pages without overlap', async () => {
    const first = (await getAs(viewerA, '/api/v1/billing-records?page_size=4&page=1')).json() as BillingPage;
    const second = (await getAs(viewerA, '/api/v1/billing-records?page_size=4&page=2')).json() as BillingPage;

    expect(first.items).toHaveLength(4);
    expect(second.items).toHaveLength(2);
    const ids = [...first.items, ...second.items].map((item) => item.id);
    expect(new Set(ids).size).toBe(6);
  });

  it('lists every tenant’s records for a platform operator', async () => {
    const body = (await getAs(operator, '/api/v1/admin/billing-records?page_size=100')).json() as BillingPage;

    expect(body.total).toBe(9);
    expect(new Set(body.items.map((item) => item.tenantId))).toEqual(new Set([tenantA, tenantB]));
  });

  it('filters the operator list by tenant, system and days', async () => {
    const byTenant = (await getAs(operator, `/api/v1/admin/billing-records?tenant_id=${tenantB}`)).json() as BillingPage;
    expect(byTenant.total).toBe(3);
    expect(byTenant.items.map((item) => item.systemId)).toEqual([systemB, systemB, systemB]);

    const bySystem = (await getAs(operator, `/api/v1/admin/billing-records?system_id=${usageA}&from=2026-12-01`)).json() as BillingPage;
    expect(bySystem.items.map((item) => [item.systemId, item.billDate])).toEqual([[usageA, '2026-12-01']]);

    const mismatched = (await getAs(operator, `/api/v1/admin/billing-records?tenant_id=${tenantB}&system_id=${usageA}`)).json() as BillingPage;
    expect(mismatched.total).toBe(0);
  });

  it('forbids tenant users the operator list', async () => {
    const response = await getAs(viewerA, '/api/v1/admin/billing-records');

    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('FORBIDDEN');
    expect(response.body).not.toContain(systemB);
  });

  it('rejects a platform operator without a tenant on the tenant list', async () => {
    const response = await getAs(operator, '/api/v1/billing-records');

    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('NO_TENANT');
  });

  it.each([
    ['/api/v1/billing-records?from=2026-02-30', 'querystring.from', 'format'],
    ['/api/v1/billing-records?to=2026-12-01T00:00:00Z', 'querystring.to', 'format'],
    ['/api/v1/billing-records?from=2026-12-02&to=2026-12-01', 'querystring.to', 'too_small'],
    ['/api/v1/billing-records?system_id=not-a-uuid', 'querystring.system_id', 'format'],
    ['/api/v1/billing-records?tenant_id=00000000-0000-4000-8000-000000000001', 'querystring.tenant_id', 'unknown_field'],
    ['/api/v1/billing-records?page_size=101', 'querystring.page_size', 'too_large'],
    ['/api/v1/admin/billing-records?from=yesterday', 'querystring.from', 'format'],
    ['/api/v1/admin/billing-records?tenant_id=abc', 'querystring.tenant_id', 'format'],
  ])('rejects %s with 400', async (url, field, code) => {
    const session = url.includes('/admin/') ? operator : viewerA;
    const chinese = await getAs(session, url, 'zh-CN');
    const english = await getAs(session, url, 'en-US');

    expect(chinese.statusCode).toBe(400);
    expect(chinese.headers['content-type']).toContain('application/problem+json');
    expect(chinese.json().code).toBe('VALIDATION_FAILED');
    expect(chinese.json().title).toBe('请求参数无效');
    expect(english.json().title).toBe('Invalid request');
    expect(chinese.json().errors).toContainEqual(expect.objectContaining({ field, code }));
    expect(english.json().errors).toContainEqual(expect.objectContaining({ field, code }));
  });

  it('names both days when from is after to', async () => {
    const english = await getAs(viewerA, '/api/v1/billing-records?from=2026-12-02&to=2026-12-01', 'en-US');
    const chinese = await getAs(viewerA, '/api/v1/billing-records?from=2026-12-02&to=2026-12-01', 'zh-CN');

    expect(english.json().errors[0].message).toContain('2026-12-02');
    expect(english.json().errors[0].message).toContain('2026-12-01');
    expect(chinese.json().errors[0].message).toContain('开始日期 2026-12-02');
  });
});
