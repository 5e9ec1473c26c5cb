import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContact } from '../../../src/services/contacts.ts';
import { createTenant, createTestUser, loginAs } from '../../helpers/fixtures.ts';
import { openTestApp, type TestApp } from '../../helpers/test-app.ts';
import { databaseKinds } from '../../helpers/test-database.ts';

const PHONE = '13812341234';
const EMAIL = 'zhang.san@example.com';

describe.each(databaseKinds())('roles, personal data and logs on %s', (kind) => {
  let t: TestApp;
  let contactId: string;

  beforeAll(async () => {
    t = await openTestApp(kind);
    const db = t.handle.database.db;
    const tenant = await createTenant(db, 'people');
    await createTestUser(db, 'viewer-vic', { tenantId: tenant.id, role: 'viewer' });
    await createTestUser(db, 'admin-ada', { tenantId: tenant.id, role: 'admin' });
    await createTestUser(db, 'operator-olga', { platformOperator: true });
    contactId = (await createContact(db, t.keyring, { tenantId: tenant.id, type: 'business', name: '张三', phone: PHONE, email: EMAIL })).id;
  });

  afterAll(async () => {
    await t?.close();
  });

  it('stores contact phone and email encrypted with their masked forms', async () => {
    const row = await t.handle.database.db.selectFrom('contacts').selectAll().where('id', '=', contactId).executeTakeFirstOrThrow();

    expect(row.phone_encrypted).toMatch(/^v1\./);
    expect(row.phone_encrypted).not.toContain(PHONE);
    expect(row.email_encrypted).not.toContain('zhang');
    expect(row.phone_masked).toBe('138****1234');
    expect(row.email_masked).toBe('z***@example.com');
  });

  it.each(['viewer-vic', 'admin-ada'])('forbids %s to reveal personal data', async (username) => {
    const session = await loginAs(t.app, username);
    const response = await t.app.inject({ method: 'POST', url: `/api/v1/admin/contacts/${contactId}/reveal`, headers: session.headers });

    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('FORBIDDEN');
    expect(response.body).not.toContain(PHONE);
  });

  it('reveals to a platform operator and writes one audit row per reveal', async () => {
    const session = await loginAs(t.app, 'operator-olga');
    const response = await t.app.inject({ method: 'POST', url: `/api/v1/admin/contacts/${contactId}/reveal`, headers: session.headers });

    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ phone: PHONE, email: EMAIL, name: '张三' });

    const audit = await t.handle.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'contact.reveal').where('target_id', '=', contactId).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]?.request_id).toBe(response.headers['x-request-id']);
    expect(JSON.stringify(audit[0]?.details)).not.toContain(PHONE);
  });

  it('answers 404 and audits nothing for an unknown contact', async () => {
    const session = await loginAs(t.app, 'operator-olga');
    const unknown = '00000000-0000-4000-8000-000000000001';
    const response = await t.app.inject({ method: 'POST', url: `/api/v1/admin/contacts/${unknown}/reveal`, headers: session.headers });

    expect(response.statusCode).toBe(404);
    const audit = await t.handle.database.db.selectFrom('audit_log').select('id').where('target_id', '=', unknown).execute();
    expect(audit).toEqual([]);
  });

  it('keeps passwords and phone numbers out of every log line', async () => {
    const failing = await openTestApp(kind, {}, t.keyring, (app) => {
      app.post('/test/echo-failure', { config: { access: 'public' } }, async () => {
        throw new Error('handler failed on purpose');
      });
    });
    try {
      await checkRedaction(failing);
    } finally {
      await failing.close();
    }
  });

  async function checkRedaction(t: TestApp): Promise<void> {
    await createTestUser(t.handle.database.db, 'admin-ada');
    await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin-ada', password: 'Sup3rSecretPassw0rd' } });
    const failure = await t.app.inject({
      method: 'POST',
      url: '/test/echo-failure',
      headers: { authorization: 'Bearer tpt_leaky', cookie: 'tp_session=cookie-secret-value' },
      payload: { password: 'Sup3rSecretPassw0rd', phone: PHONE, email: EMAIL, contacts: [{ phone: PHONE, email: EMAIL }] },
    });

    expect(failure.statusCode).toBe(500);
    expect(failure.json().code).toBe('INTERNAL');
    expect(t.logs.text).toContain('unhandled error');
    expect(t.logs.text).toContain('[redacted]');
    for (const secret of ['Sup3rSecretPassw0rd', PHONE, EMAIL, 'tpt_leaky', 'cookie-secret-value']) {
      expect(t.logs.text).not.toContain(secret);
    }
  }

  it('puts the request id on every request log line', async () => {
    await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { 'x-request-id': 'trace-abc-12345' } });
    const line = t.logs.lines.map((entry) => JSON.parse(entry)).find((entry) => entry.requestId === 'trace-abc-12345');

    expect(line).toMatchObject({ msg: 'request rejected', status: 401, route: '/api/v1/auth/me' });
  });
});
