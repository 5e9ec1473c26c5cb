import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login } from '../../../src/services/auth/login.ts';
import { createTenant, createTestUser, loginAs, TEST_PASSWORD } from '../../helpers/fixtures.ts';
import { openTestApp, type TestApp } from '../../helpers/test-app.ts';
import { databaseKinds } from '../../helpers/test-database.ts';

describe.each(databaseKinds())('login and sessions on %s', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await openTestApp(kind, { LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', LOGIN_MAX_FAILURES_PER_ADDRESS: '50', LOGIN_LOCK_MINUTES: '15' });
    const tenant = await createTenant(t.handle.database.db, 'acme');
    await createTestUser(t.handle.database.db, 'alice', { tenantId: tenant.id, role: 'admin' });
    await createTestUser(t.handle.database.db, 'locked-bob', { tenantId: tenant.id });
    await createTestUser(t.handle.database.db, 'window-carol', { tenantId: tenant.id });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('sets an HttpOnly SameSite=Strict cookie and returns the CSRF token', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'alice', password: TEST_PASSWORD } });

    expect(response.statusCode).toBe(200);
    const setCookie = String(response.headers['set-cookie']);
    expect(setCookie).toMatch(/tp_session=/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const body = response.json();
    expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body.role).toBe('admin');
    expect(body.tenant.code).toBe('acme');
  });

  it('returns the same identity from /auth/me', async () => {
    const session = await loginAs(t.app, 'alice');
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: `tp_session=${session.cookie}` } });

    expect(response.statusCode).toBe(200);
    expect(response.json().user.username).toBe('alice');
    expect(response.json().csrfToken).toBe(session.csrfToken);
  });

  it('rejects a wrong password with localized problem+json', async () => {
    const zh = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'alice', password: 'wrong-password-1' } });
    const en = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'alice', password: 'wrong-password-1' },
      headers: { 'accept-language': 'en-US,en;q=0.9' },
    });

    expect(zh.statusCode).toBe(401);
    expect(zh.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(zh.json().code).toBe('AUTH_INVALID_CREDENTIALS');
    expect(zh.json().title).toBe('用户名或密码错误');
    expect(en.json().title).toBe('Invalid username or password');
    expect(zh.headers['set-cookie']).toBeUndefined();
  });

  it('answers an unknown username exactly like a wrong password', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'nobody', password: 'whatever-123' } });

    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('AUTH_INVALID_CREDENTIALS');
  });

  it('locks an account after repeated failures even for the right password', async () => {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const failed = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'locked-bob', password: 'bad-password-9' } });
      expect(failed.statusCode).toBe(401);
    }

    const locked = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'locked-bob', password: TEST_PASSWORD } });
    expect(locked.statusCode).toBe(429);
    expect(locked.json().code).toBe('AUTH_ACCOUNT_LOCKED');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(800);
    expect(locked.json().detail).toMatch(/秒后重试/);
  });

  it('unlocks an account once the window has passed', async () => {
    const db = t.handle.database.db;
    const policies = { session: t.config.session, throttle: t.config.loginThrottle };
    const start = new Date();
    const attempt = (password: string, at: Date) => login(db, policies, { username: 'window-carol', password, clientAddress: '192.0.2.7', userAgent: null }, at);

    for (let i = 0; i < 3; i += 1) await expect(attempt('bad-password-9', start)).rejects.toMatchObject({ code: 'AUTH_INVALID_CREDENTIALS' });
    await expect(attempt(TEST_PASSWORD, new Date(start.getTime() + 60_000))).rejects.toMatchObject({ code: 'AUTH_ACCOUNT_LOCKED' });

    const afterWindow = new Date(start.getTime() + t.config.loginThrottle.windowMs + 1000);
    await expect(attempt(TEST_PASSWORD, afterWindow)).resolves.toMatchObject({ tenantId: expect.any(String) });
  });

  it('throttles one client address across accounts', async () => {
    const strict = await openTestApp(kind, { LOGIN_MAX_FAILURES_PER_ADDRESS: '2', LOGIN_MAX_FAILURES_PER_ACCOUNT: '100' });
    try {
      for (const username of ['spray-1', 'spray-2']) {
        const failed = await strict.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: 'guess-1234' } });
        expect(failed.statusCode).toBe(401);
      }
      const third = await strict.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'spray-3', password: 'guess-1234' } });
      expect(third.statusCode).toBe(429);
      expect(third.json().code).toBe('AUTH_ADDRESS_THROTTLED');
    } finally {
      await strict.close();
    }
  });

  it('ends the session on logout', async () => {
    const session = await loginAs(t.app, 'alice');
    const logout = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: session.headers });
    expect(logout.statusCode).toBe(204);
    expect(String(logout.headers['set-cookie'])).toMatch(/tp_session=;/);

    const after = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: `tp_session=${session.cookie}` } });
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe('AUTH_SESSION_EXPIRED');
  });

  it('expires a session that stayed idle past the idle timeout', async () => {
    const session = await loginAs(t.app, 'alice');
    const idleSince = new Date(Date.now() - t.config.session.idleTimeoutMs - 1000);
    await t.handle.database.db.updateTable('sessions').set({ last_seen_at: idleSince }).where('user_id', 'is not', null).where('csrf_token', '=', session.csrfToken).execute();

    const response = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: `tp_session=${session.cookie}` } });
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('AUTH_SESSION_EXPIRED');
  });

  it('expires a session past its absolute lifetime despite activity', async () => {
    const session = await loginAs(t.app, 'alice');
    await t.handle.database.db
      .updateTable('sessions')
      .set({ created_at: new Date(Date.now() - 2 * 86_400_000), expires_at: new Date(Date.now() - 1000), last_seen_at: new Date() })
      .where('csrf_token', '=', session.csrfToken)
      .execute();

    const response = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: `tp_session=${session.cookie}` } });
    expect(response.statusCode).toBe(401);
  });

  it('requires login for protected routes', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me' });
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('AUTH_REQUIRED');
  });
});
