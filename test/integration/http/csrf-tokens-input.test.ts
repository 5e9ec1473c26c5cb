import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, createTestUser, loginAs, type SessionCredentials } from '../../helpers/fixtures.ts';
import { openTestApp, type TestApp } from '../../helpers/test-app.ts';
import { databaseKinds } from '../../helpers/test-database.ts';

describe.each(databaseKinds())('CSRF, API tokens and bad input on %s', (kind) => {
  let t: TestApp;
  let session: SessionCredentials;

  const tokenCount = async () => Number((await t.handle.database.db.selectFrom('api_tokens').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    t = await openTestApp(kind, { BODY_LIMIT_BYTES: '2048' });
    const tenant = await createTenant(t.handle.database.db, 'csrf');
    await createTestUser(t.handle.database.db, 'dave', { tenantId: tenant.id, role: 'operator' });
    session = await loginAs(t.app, 'dave');
  });

  afterAll(async () => {
    await t?.close();
  });

  it('rejects a cookie request without X-CSRF-Token and creates nothing', async () => {
    const before = await tokenCount();
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/auth/tokens', headers: { cookie: `tp_session=${session.cookie}` }, payload: { name: 'ci' } });

    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('CSRF_TOKEN_INVALID');
    expect(await tokenCount()).toBe(before);
  });

  it('rejects a wrong X-CSRF-Token', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/tokens',
      headers: { cookie: `tp_session=${session.cookie}`, 'x-csrf-token': 'not-the-token' },
      payload: { name: 'ci' },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('CSRF_TOKEN_INVALID');
  });

  it('creates a token shown once, usable as Bearer without CSRF, then revoked', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/auth/tokens', headers: session.headers, payload: { name: 'deploy script', expiresInDays: 30 } });
    expect(created.statusCode).toBe(201);
    const { token, summary } = created.json();
    expect(token).toMatch(/^tpt_[A-Za-z0-9_-]{43}$/);

    const stored = await t.handle.database.db.selectFrom('api_tokens').select(['token_hash']).where('id', '=', summary.id).executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(token.slice(4));

    const listed = await t.app.inject({ method: 'GET', url: '/api/v1/auth/tokens', headers: { cookie: `tp_session=${session.cookie}` } });
    expect(listed.body).not.toContain(token);
    expect(listed.json().items.map((item: { id: string }) => item.id)).toContain(summary.id);

    const me = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${token}` } });
    expect(me.statusCode).toBe(200);
    expect(me.json().user.username).toBe('dave');

    // A token that made tokens would live on through them after its own revocation.
    const viaToken = await t.app.inject({ method: 'POST', url: '/api/v1/auth/tokens', headers: { authorization: `Bearer ${token}` }, payload: { name: 'second' } });
    expect(viaToken.statusCode).toBe(403);
    expect(viaToken.json().code).toBe('SESSION_REQUIRED');
    const passwordViaToken = await t.app.inject({ method: 'POST', url: '/api/v1/auth/password', headers: { authorization: `Bearer ${token}` }, payload: { currentPassword: 'x', newPassword: 'another-long-pass-42' } });
    expect(passwordViaToken.statusCode).toBe(403);
    expect(passwordViaToken.json().code).toBe('SESSION_REQUIRED');

    const revoked = await t.app.inject({ method: 'DELETE', url: `/api/v1/auth/tokens/${summary.id}`, headers: session.headers });
    expect(revoked.statusCode).toBe(204);

    const afterRevoke = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${token}` } });
    expect(afterRevoke.statusCode).toBe(401);
    expect(afterRevoke.json().code).toBe('AUTH_TOKEN_INVALID');

    const audit = await t.handle.database.db.selectFrom('audit_log').select('action').where('target_id', '=', summary.id).orderBy('occurred_at').execute();
    expect(audit.map((row) => row.action)).toEqual(['api-token.create', 'api-token.revoke']);
  });

  it('rejects an expired token', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/auth/tokens', headers: session.headers, payload: { name: 'short', expiresInDays: 1 } });
    const { token, summary } = created.json();
    await t.handle.database.db.updateTable('api_tokens').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', summary.id).execute();

    const response = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${token}` } });
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('AUTH_TOKEN_INVALID');
  });

  it('answers 404 for revoking another user’s or an unknown token', async () => {
    const response = await t.app.inject({ method: 'DELETE', url: '/api/v1/auth/tokens/00000000-0000-4000-8000-000000000000', headers: session.headers });
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('NOT_FOUND');
  });

  it('rejects malformed JSON with 400 and changes nothing', async () => {
    const before = await tokenCount();
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/tokens',
      headers: { ...session.headers, 'content-type': 'application/json' },
      payload: '{"name": "broken"',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('BODY_MALFORMED');
    expect(await tokenCount()).toBe(before);
  });

  it('rejects an unknown field and names it', async () => {
    const before = await tokenCount();
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/auth/tokens', headers: { ...session.headers, 'accept-language': 'en' }, payload: { name: 'x', admin: true } });
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.errors).toContainEqual({ field: 'admin', code: 'unknown_field', message: 'is not an accepted field' });
    expect(await tokenCount()).toBe(before);
  });

  it('reports out-of-range values by field in Chinese by default', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/auth/tokens', headers: session.headers, payload: { name: '', expiresInDays: 9999 } });
    expect(response.statusCode).toBe(400);
    const fields = response.json().errors.map((error: { field: string; message: string }) => `${error.field}:${error.message}`);
    expect(fields).toContain('name:长度至少为 1');
    expect(fields).toContain('expiresInDays:不能大于 366');
  });

  it('rejects an oversize body with 413', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/auth/tokens', headers: session.headers, payload: { name: 'x'.repeat(4096) } });
    expect(response.statusCode).toBe(413);
    expect(response.json().code).toBe('BODY_TOO_LARGE');
  });

  it('rejects a non-JSON content type with 415', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/tokens',
      headers: { ...session.headers, 'content-type': 'text/plain' },
      payload: 'name=x',
    });
    expect(response.statusCode).toBe(415);
    expect(response.json().code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('rejects an invalid path parameter with 400', async () => {
    const response = await t.app.inject({ method: 'DELETE', url: '/api/v1/auth/tokens/not-a-uuid', headers: session.headers });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0].field).toBe('params.id');
  });

  it('answers unknown routes with problem+json 404', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('ROUTE_NOT_FOUND');
  });
});
