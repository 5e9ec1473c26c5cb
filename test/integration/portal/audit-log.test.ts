import type { AuditLogEntryView } from '../../../src/services/audit-log.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, createTestUser, loginAs, TEST_PASSWORD, type SessionCredentials } from '../../helpers/fixtures.ts';
import { openTestApp, type TestApp } from '../../helpers/test-app.ts';
import { databaseKinds } from '../../helpers/test-database.ts';

type AuditItem = AuditLogEntryView;

interface AuditPage {
  items: AuditItem[];
  total: number;
}

const PHONE = '13912345678';

describe.each(databaseKinds())('GET /api/v1/admin/audit-log on %s', (kind) => {
  let t: TestApp;
  let operator: SessionCredentials;
  let tenantAdmin: SessionCredentials;
  let operatorId: string;
  let tenantAdminId: string;
  let tenantId: string;
  let newTenantId: string;
  let contactId: string;
  let revealRequestId: string;
  let tokenId: string;

  const get = (session: SessionCredentials, url: string, language = 'zh-CN') =>
    t.app.inject({ method: 'GET', url, headers: { cookie: session.headers.cookie ?? '', 'accept-language': language } });
  const list = async (query: string) => {
    const response = await get(operator, `/api/v1/admin/audit-log?page_size=100${query}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as AuditPage;
  };

  beforeAll(async () => {
    t = await openTestApp(kind);
    const db = t.handle.database.db;
    tenantId = (await createTenant(db, 'audited')).id;
    operatorId = (await createTestUser(db, 'audit-operator', { platformOperator: true })).id;
    tenantAdminId = (await createTestUser(db, 'audit-tenant-admin', { tenantId, role: 'admin' })).id;
    operator = await loginAs(t.app, 'audit-operator');
    tenantAdmin = await loginAs(t.app, 'audit-tenant-admin');

    // An admin action, a personal-data reveal and a sign-in credential, in this order.
    const tenant = await t.app.inject({ method: 'POST', url: '/api/v1/admin/tenants', headers: operator.headers, payload: { code: 'audit-new', name: '审计新租户' } });
    expect(tenant.statusCode, tenant.body).toBe(201);
    newTenantId = tenant.json().id;

    const contact = await t.app.inject({
      method: 'POST',
      url: `/api/v1/admin/tenants/${tenantId}/contacts`,
      headers: operator.headers,
      payload: { type: 'security', name: '安全联系人', phone: PHONE },
    });
    expect(contact.statusCode, contact.body).toBe(201);
    contactId = contact.json().id;

    const reveal = await t.app.inject({ method: 'POST', url: `/api/v1/admin/contacts/${contactId}/reveal`, headers: operator.headers });
    expect(reveal.statusCode, reveal.body).toBe(200);
    revealRequestId = String(reveal.headers['x-request-id']);

    const token = await t.app.inject({ method: 'POST', url: '/api/v1/auth/tokens', headers: tenantAdmin.headers, payload: { name: 'nightly report' } });
    expect(token.statusCode, token.body).toBe(201);
    tokenId = token.json().summary.id;
  });

  afterAll(async () => {
    await t?.close();
  });

  it('lists entries newest first with their actors', async () => {
    const body = await list('');

    expect(body.items.map((item) => item.action)).toEqual(['api-token.create', 'contact.reveal', 'contact.create', 'tenant.create']);
    expect(body.total).toBe(4);
    expect(body.items.map((item) => item.actorUsername)).toEqual(['audit-tenant-admin', 'audit-operator', 'audit-operator', 'audit-operator']);
  });

  it('shows a reveal with actor and request', async () => {
    const body = await list('&action=contact.reveal');

    expect(body.items).toHaveLength(1);
    const reveal = body.items[0] as AuditItem;
    expect(reveal).toMatchObject({
      actorUserId: operatorId,
      actorUsername: 'audit-operator',
      tenantId,
      targetType: 'contact',
      targetId: contactId,
      requestId: revealRequestId,
      details: { fields: ['phone'] },
    });
    expect(reveal.clientAddress).toBe('127.0.0.1');
    expect(JSON.stringify(body)).not.toContain(PHONE);
  });

  it('shows the API token a tenant user created', async () => {
    const body = await list(`&actor_user_id=${tenantAdminId}`);

    expect(body.items.map((item) => [item.action, item.targetType, item.targetId, item.tenantId])).toEqual([['api-token.create', 'api_token', tokenId, tenantId]]);
  });

  it.each([
    ['tenant_id', () => `&tenant_id=${tenantId}`, ['api-token.create', 'contact.reveal', 'contact.create']],
    ['target', () => `&target_type=tenant&target_id=${newTenantId}`, ['tenant.create']],
    ['target_type', () => '&target_type=contact', ['contact.reveal', 'contact.create']],
    ['actor and action', () => `&actor_user_id=${operatorId}&action=tenant.create`, ['tenant.create']],
    ['an unknown action', () => '&action=vm.teleport', []],
  ])('filters by %s', async (_case, query, expected) => {
    const body = await list(query());
    expect(body.items.map((item) => item.action)).toEqual(expected);
    expect(body.total).toBe(expected.length);
  });

  it('filters by time with from inclusive and to exclusive', async () => {
    const all = await list('');
    const reveal = all.items.find((item) => item.action === 'contact.reveal') as AuditItem;
    const at = encodeURIComponent(reveal.occurredAt);

    expect((await list(`&from=${at}`)).items.map((item) => item.action)).toContain('contact.reveal');
    expect((await list(`&to=${at}`)).items.map((item) => item.action)).not.toContain('contact.reveal');
    expect((await list(`&from=${encodeURIComponent('2000-01-01T00:00:00+08:00')}&to=${encodeURIComponent('2000-01-02T00:00:00+08:00')}`)).total).toBe(0);
  });

  it('pages without overlap', async () => {
    const first = (await get(operator, '/api/v1/admin/audit-log?page_size=3&page=1')).json() as AuditPage;
    const second = (await get(operator, '/api/v1/admin/audit-log?page_size=3&page=2')).json() as AuditPage;

    expect(first.items).toHaveLength(3);
    expect(second.items).toHaveLength(1);
    expect(new Set([...first.items, ...second.items].map((item) => item.id)).size).toBe(4);
  });

  it('forbids tenant users the audit log', async () => {
    const response = await get(tenantAdmin, '/api/v1/admin/audit-log');

    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('FORBIDDEN');
    expect(response.body).not.toContain(contactId);
  });

  it('records a password reset with its operator', async () => {
    // Runs after the tests that count every entry, because it adds one.
    const reset = await t.app.inject({ method: 'POST', url: `/api/v1/admin/users/${tenantAdminId}/reset-password`, headers: operator.headers, payload: { password: TEST_PASSWORD } });
    expect(reset.statusCode, reset.body).toBe(204);
    const body = await list(`&target_id=${tenantAdminId}`);

    expect(body.items.map((item) => [item.action, item.actorUsername])).toEqual([['user.reset-password', 'audit-operator']]);
  });

  it.each([
    ['from=2026-12-01', 'querystring.from', 'format'],
    ['to=2026-12-01T25:00:00Z', 'querystring.to', 'format'],
    ['from=2026-12-01T10:00:00', 'querystring.from', 'format'],
    ['from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z', 'querystring.to', 'too_small'],
    ['from=2026-12-01T00:00:00Z&to=2026-12-01T08:00:00%2B08:00', 'querystring.to', 'too_small'],
    ['actor_user_id=operator', 'querystring.actor_user_id', 'format'],
    ['action=', 'querystring.action', 'too_short'],
    ['username=audit-operator', 'querystring.username', 'unknown_field'],
  ])('rejects %s with 400', async (query, field, code) => {
    const chinese = await get(operator, `/api/v1/admin/audit-log?${query}`, 'zh-CN');
    const english = await get(operator, `/api/v1/admin/audit-log?${query}`, 'en-US');

    expect(chinese.statusCode).toBe(400);
    expect(chinese.json().code).toBe('VALIDATION_FAILED');
    expect(chinese.json().title).toBe('请求参数无效');
    expect(english.json().title).toBe('Invalid request');
    expect(chinese.json().errors).toContainEqual(expect.objectContaining({ field, code }));
    expect(english.json().errors).toContainEqual(expect.objectContaining({ field, code }));
  });
});
