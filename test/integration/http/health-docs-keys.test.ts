import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring, generateKeyText, parseKeyText } from '../../../src/services/crypto/index.ts';
import { createContact } from '../../../src/services/contacts.ts';
import { createTenant, createTestUser, loginAs } from '../../helpers/fixtures.ts';
import { openTestApp, type TestApp } from '../../helpers/test-app.ts';
import { databaseKinds } from '../../helpers/test-database.ts';

describe.each(databaseKinds())('health, metrics, docs and key rotation on %s', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await openTestApp(kind);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('answers /healthz and /readyz without login', async () => {
    const health = await t.app.inject({ method: 'GET', url: '/healthz' });
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });

    expect(health.statusCode).toBe(200);
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { database: 'ok' } });
  });

  it('sets security headers and echoes the request id', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/healthz' });

    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toBeDefined();
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends no HSTS over plain HTTP and no-store on API answers', async () => {
    const health = await t.app.inject({ method: 'GET', url: '/healthz' });
    const api = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me' });

    expect(health.headers['strict-transport-security']).toBeUndefined();
    expect(String(health.headers['content-security-policy'])).not.toContain('upgrade-insecure-requests');
    expect(api.headers['cache-control']).toBe('no-store');
  });

  it('shows resource names in the request’s language', async () => {
    await createTestUser(t.handle.database.db, 'localized-lee');
    const session = await loginAs(t.app, 'localized-lee');
    const url = '/api/v1/auth/tokens/00000000-0000-4000-8000-000000000009';
    const zh = await t.app.inject({ method: 'DELETE', url, headers: session.headers });
    const en = await t.app.inject({ method: 'DELETE', url, headers: { ...session.headers, 'accept-language': 'en-US' } });

    expect(zh.json().detail).toBe('API 令牌 00000000-0000-4000-8000-000000000009 不存在。');
    expect(en.json().detail).toBe('API token 00000000-0000-4000-8000-000000000009 was not found.');
  });

  it('treats an empty JSON body as no body', async () => {
    await createTestUser(t.handle.database.db, 'empty-body');
    const session = await loginAs(t.app, 'empty-body');
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { ...session.headers, 'content-type': 'application/json' }, payload: '' });

    expect(response.statusCode).toBe(204);
  });

  it('counts requests by route pattern in /metrics', async () => {
    await t.app.inject({ method: 'GET', url: '/api/v1/auth/me' });
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });

    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toMatch(/tenant_portal_http_requests_total\{method="GET",route="\/api\/v1\/auth\/me",status="401"\} \d+/);
  });

  it('serves an OpenAPI 3 document and the docs page', async () => {
    const document = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    const page = await t.app.inject({ method: 'GET', url: '/api/docs/' });

    expect(document.statusCode).toBe(200);
    expect(document.json().openapi).toMatch(/^3\./);
    expect(Object.keys(document.json().paths)).toContain('/api/v1/auth/login');
    expect(page.statusCode).toBe(200);
  });

  it('reveals a contact encrypted under a rotated-out key', async () => {
    const oldKey = parseKeyText(generateKeyText(), 'old');
    const newKey = parseKeyText(generateKeyText(), 'new');
    const db = t.handle.database.db;
    const tenant = await createTenant(db, 'rotate');
    const contact = await createContact(db, new Keyring(oldKey), { tenantId: tenant.id, type: 'technical', name: '王五', phone: '13700001111', email: 'wang@example.com' });

    const rotated = await openTestApp(kind, {}, new Keyring(newKey, [oldKey]));
    try {
      await rotated.handle.database.db.insertInto('tenants').values({ id: tenant.id, code: 'rotate', name: '轮换' }).execute();
      const stored = await db.selectFrom('contacts').selectAll().where('id', '=', contact.id).executeTakeFirstOrThrow();
      await rotated.handle.database.db.insertInto('contacts').values({ ...stored }).execute();
      await createTestUser(rotated.handle.database.db, 'rotator', { platformOperator: true });

      const session = await loginAs(rotated.app, 'rotator');
      const response = await rotated.app.inject({ method: 'POST', url: `/api/v1/admin/contacts/${contact.id}/reveal`, headers: session.headers });

      expect(response.statusCode).toBe(200);
      expect(response.json().phone).toBe('13700001111');
    } finally {
      await rotated.close();
    }
  });

  it('names an unreadable contact without its key', async () => {
    const db = t.handle.database.db;
    const tenant = await createTenant(db, 'lost-key');
    const lostKeyring = new Keyring(parseKeyText(generateKeyText(), 'lost'));
    const contact = await createContact(db, lostKeyring, { tenantId: tenant.id, type: 'technical', name: '赵六', phone: '13700002222', email: null });
    await createTestUser(db, 'lost-key-ops', { platformOperator: true });
    const session = await loginAs(t.app, 'lost-key-ops');

    const response = await t.app.inject({ method: 'POST', url: `/api/v1/admin/contacts/${contact.id}/reveal`, headers: session.headers });

    expect(response.statusCode).toBe(500);
    expect(response.json().code).toBe('CONTACT_UNREADABLE');
    expect(t.logs.text).toContain(`key \\"${lostKeyring.keyIds[0]}\\", which is not in the keyring`);
    const audits = await db.selectFrom('audit_log').select('id').where('target_id', '=', contact.id).where('action', '=', 'contact.reveal').execute();
    expect(audits).toEqual([]);
  });
});
