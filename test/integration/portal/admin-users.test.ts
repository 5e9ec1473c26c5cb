import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, createTestUser, loginAs, TEST_PASSWORD, type SessionCredentials } from '../../helpers/fixtures.ts';
import { openTestApp, type TestApp } from '../../helpers/test-app.ts';
import { databaseKinds } from '../../helpers/test-database.ts';

const UNKNOWN_ID = '00000000-0000-4000-8000-00000000beef';
const NEW_PASSWORD = 'fresh-password-77';

describe.each(databaseKinds())('user administration on %s', (kind) => {
  let t: TestApp;
  let operator: SessionCredentials;
  let operatorId: string;
  let tenantA: string;
  let tenantB: string;

  const send = (method: 'GET' | 'POST' | 'PATCH', url: string, payload: unknown, session: SessionCredentials) =>
    t.app.inject({ method, url, headers: session.headers, ...(payload !== undefined ? { payload: payload as object } : {}) });

  const sessionCount = async (userId: string) =>
    Number((await t.handle.database.db.selectFrom('sessions').select((eb) => eb.fn.countAll().as('n')).where('user_id', '=', userId).executeTakeFirstOrThrow()).n);

  const userCount = async () => Number((await t.handle.database.db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    t = await openTestApp(kind);
    const db = t.handle.database.db;
    tenantA = (await createTenant(db, 'tenant-a')).id;
    tenantB = (await createTenant(db, 'tenant-b')).id;
    operatorId = (await createTestUser(db, 'root-ruth', { platformOperator: true })).id;
    await createTestUser(db, 'a-admin', { tenantId: tenantA, role: 'admin' });
    await createTestUser(db, 'a-viewer', { tenantId: tenantA, role: 'viewer' });
    await createTestUser(db, 'a-operator', { tenantId: tenantA, role: 'operator' });
    await createTestUser(db, 'b-viewer', { tenantId: tenantB, role: 'viewer' });
    operator = await loginAs(t.app, 'root-ruth');
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('platform operator', () => {
    it('creates a tenant member and audits without the password', async () => {
      const response = await send('POST', '/api/v1/admin/users', { username: 'Li.Lei', displayName: '李雷', password: TEST_PASSWORD, tenantId: tenantA, role: 'operator' }, operator);
      expect(response.statusCode).toBe(201);
      const user = response.json();
      expect(user).toMatchObject({ username: 'Li.Lei', displayName: '李雷', isPlatformOperator: false, status: 'active', role: 'operator', tenant: { id: tenantA, code: 'tenant-a' } });
      expect(response.body).not.toContain(TEST_PASSWORD);
      expect(response.body).not.toContain('argon2');

      const audit = await t.handle.database.db.selectFrom('audit_log').selectAll().where('target_id', '=', user.id).execute();
      expect(audit.map((row) => row.action)).toEqual(['user.create']);
      expect(audit[0]?.tenant_id).toBe(tenantA);
      expect(JSON.stringify(audit[0]?.details)).not.toContain(TEST_PASSWORD);

      const login = await loginAs(t.app, 'li.lei');
      expect(login.csrfToken).toBeTruthy();
    });

    it('creates a platform operator without tenant', async () => {
      const response = await send('POST', '/api/v1/admin/users', { username: 'ops2', password: TEST_PASSWORD, isPlatformOperator: true }, operator);
      expect(response.statusCode).toBe(201);
      expect(response.json()).toMatchObject({ isPlatformOperator: true, tenant: null, role: null, displayName: 'ops2' });
    });

    it('rejects a duplicate username in any case with 409', async () => {
      const before = await userCount();
      const response = await send('POST', '/api/v1/admin/users', { username: 'LI.LEI', password: TEST_PASSWORD }, operator);
      expect(response.statusCode).toBe(409);
      expect(response.json().code).toBe('DUPLICATE_VALUE');
      expect(response.json().detail).toContain('用户名');
      expect(response.json().detail).toContain('LI.LEI');
      expect(await userCount()).toBe(before);
    });

    it.each([
      [{ username: 'x', password: TEST_PASSWORD }, 'username', 'format'],
      [{ username: 'has space', password: TEST_PASSWORD }, 'username', 'format'],
      [{ username: 'valid1', password: TEST_PASSWORD, role: 'owner', tenantId: UNKNOWN_ID }, 'role', 'not_allowed'],
      [{ username: 'valid1', password: TEST_PASSWORD, tenantId: 'abc' }, 'tenantId', 'format'],
      [{ username: 'valid1', password: TEST_PASSWORD, isPlatformOperator: 'yes' }, 'isPlatformOperator', 'type'],
      [{ username: 'valid1', password: TEST_PASSWORD, email: 'x@example.com' }, 'email', 'unknown_field'],
      [{ username: 'valid1' }, 'password', 'required'],
      [{ username: 'valid1', password: TEST_PASSWORD, role: 'admin' }, 'role', 'not_allowed'],
    ])('rejects the user %j and creates nothing', async (payload, field, code) => {
      const before = await userCount();
      const response = await send('POST', '/api/v1/admin/users', payload, operator);
      expect(response.statusCode).toBe(400);
      expect(response.json().errors).toContainEqual(expect.objectContaining({ field, code }));
      expect(await userCount()).toBe(before);
    });

    it('rejects a weak password and an unknown tenant', async () => {
      const weak = await send('POST', '/api/v1/admin/users', { username: 'weakling', password: 'short' }, operator);
      expect(weak.statusCode).toBe(400);
      expect(weak.json().code).toBe('PASSWORD_TOO_WEAK');

      const unknown = await send('POST', '/api/v1/admin/users', { username: 'orphan', password: TEST_PASSWORD, tenantId: UNKNOWN_ID }, operator);
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().detail).toContain('租户');
    });

    it('lists users with tenant filter and search', async () => {
      const inA = (await send('GET', `/api/v1/admin/users?tenant_id=${tenantA}&page_size=100`, undefined, operator)).json();
      expect(inA.items.map((user: { username: string }) => user.username).sort()).toEqual(['Li.Lei', 'a-admin', 'a-operator', 'a-viewer'].sort());

      const searched = (await send('GET', '/api/v1/admin/users?q=%E6%9D%8E', undefined, operator)).json();
      expect(searched.items.map((user: { username: string }) => user.username)).toEqual(['Li.Lei']);

      const detail = await send('GET', `/api/v1/admin/users/${operatorId}`, undefined, operator);
      expect(detail.json()).toMatchObject({ username: 'root-ruth', isPlatformOperator: true });
      expect((await send('GET', `/api/v1/admin/users/${UNKNOWN_ID}`, undefined, operator)).statusCode).toBe(404);
    });

    it('disables a user and ends their sessions', async () => {
      const viewer = await loginAs(t.app, 'b-viewer');
      const user = (await send('GET', `/api/v1/admin/users?q=b-viewer`, undefined, operator)).json().items[0];
      expect(await sessionCount(user.id)).toBe(1);

      const response = await send('PATCH', `/api/v1/admin/users/${user.id}`, { status: 'disabled' }, operator);
      expect(response.statusCode).toBe(200);
      expect(response.json().status).toBe('disabled');
      expect(await sessionCount(user.id)).toBe(0);

      const after = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: viewer.headers.cookie ?? '' } });
      expect(after.statusCode).toBe(401);
      const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'b-viewer', password: TEST_PASSWORD } });
      expect(login.statusCode).not.toBe(200);

      const audit = await t.handle.database.db.selectFrom('audit_log').selectAll().where('target_id', '=', user.id).where('action', '=', 'user.update').execute();
      expect(audit[0]?.details).toMatchObject({ status: { from: 'active', to: 'disabled' }, sessionsEnded: true });

      const enabled = await send('PATCH', `/api/v1/admin/users/${user.id}`, { status: 'active' }, operator);
      expect(enabled.json().status).toBe('active');
    });

    it('moves a user to another tenant, changes the role and removes the membership', async () => {
      const user = (await send('GET', `/api/v1/admin/users?q=a-operator`, undefined, operator)).json().items[0];

      const moved = await send('PATCH', `/api/v1/admin/users/${user.id}`, { tenantId: tenantB, role: 'admin' }, operator);
      expect(moved.json()).toMatchObject({ tenant: { id: tenantB }, role: 'admin' });

      const roleOnly = await send('PATCH', `/api/v1/admin/users/${user.id}`, { role: 'viewer' }, operator);
      expect(roleOnly.json()).toMatchObject({ tenant: { id: tenantB }, role: 'viewer' });

      const memberships = await t.handle.database.db.selectFrom('tenant_memberships').selectAll().where('user_id', '=', user.id).execute();
      expect(memberships.map((row) => [row.tenant_id, row.role])).toEqual([[tenantB, 'viewer']]);

      const removed = await send('PATCH', `/api/v1/admin/users/${user.id}`, { tenantId: null }, operator);
      expect(removed.json()).toMatchObject({ tenant: null, role: null });

      const noTenantRole = await send('PATCH', `/api/v1/admin/users/${user.id}`, { role: 'admin' }, operator);
      expect(noTenantRole.statusCode).toBe(400);
      expect(noTenantRole.json().errors[0].field).toBe('role');

      const unknownTenant = await send('PATCH', `/api/v1/admin/users/${user.id}`, { tenantId: UNKNOWN_ID }, operator);
      expect(unknownTenant.statusCode).toBe(404);
    });

    it('rejects disabling oneself', async () => {
      const response = await send('PATCH', `/api/v1/admin/users/${operatorId}`, { status: 'disabled' }, operator);
      expect(response.statusCode).toBe(409);
      expect(response.json().code).toBe('SELF_CHANGE_FORBIDDEN');
    });

    it('resets a password and ends the user’s sessions', async () => {
      const viewer = await loginAs(t.app, 'a-viewer');
      const user = (await send('GET', `/api/v1/admin/users?q=a-viewer`, undefined, operator)).json().items[0];

      const weak = await send('POST', `/api/v1/admin/users/${user.id}/reset-password`, { password: 'abc' }, operator);
      expect(weak.statusCode).toBe(400);
      expect(weak.json().code).toBe('PASSWORD_TOO_WEAK');
      expect(await sessionCount(user.id)).toBe(1);

      const response = await send('POST', `/api/v1/admin/users/${user.id}/reset-password`, { password: NEW_PASSWORD }, operator);
      expect(response.statusCode).toBe(204);
      expect(await sessionCount(user.id)).toBe(0);
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: viewer.headers.cookie ?? '' } })).statusCode).toBe(401);
      await loginAs(t.app, 'a-viewer', NEW_PASSWORD);

      const audit = await t.handle.database.db.selectFrom('audit_log').selectAll().where('target_id', '=', user.id).where('action', '=', 'user.reset-password').execute();
      expect(audit).toHaveLength(1);
      expect(JSON.stringify(audit[0]?.details)).not.toContain(NEW_PASSWORD);

      expect((await send('POST', `/api/v1/admin/users/${UNKNOWN_ID}/reset-password`, { password: NEW_PASSWORD }, operator)).statusCode).toBe(404);
    });

    it('forbids tenant users the admin user routes', async () => {
      const admin = await loginAs(t.app, 'a-admin');
      const responses = await Promise.all([
        send('GET', '/api/v1/admin/users', undefined, admin),
        send('GET', `/api/v1/admin/users/${operatorId}`, undefined, admin),
        send('POST', '/api/v1/admin/users', { username: 'sneaky', password: TEST_PASSWORD, isPlatformOperator: true }, admin),
        send('PATCH', `/api/v1/admin/users/${operatorId}`, { status: 'disabled' }, admin),
        send('POST', `/api/v1/admin/users/${operatorId}/reset-password`, { password: NEW_PASSWORD }, admin),
      ]);
      for (const response of responses) {
        expect(response.statusCode).toBe(403);
        expect(response.json().code).toBe('FORBIDDEN');
      }
    });
  });

  describe('tenant admin', () => {
    let admin: SessionCredentials;

    beforeAll(async () => {
      admin = await loginAs(t.app, 'a-admin');
    });

    it('lists only the tenant’s users without platform operators', async () => {
      await t.handle.database.db.insertInto('tenant_memberships').values({ user_id: operatorId, tenant_id: tenantA, role: 'admin' }).execute();
      const response = await send('GET', '/api/v1/tenant/users?page_size=100', undefined, admin);
      expect(response.statusCode).toBe(200);
      const names = response.json().items.map((user: { username: string }) => user.username);
      expect(names).toContain('a-admin');
      expect(names).not.toContain('root-ruth');
      expect(names).not.toContain('b-viewer');
      for (const user of response.json().items) expect(user.tenant.id).toBe(tenantA);
    });

    it('creates a user in its own tenant', async () => {
      const response = await send('POST', '/api/v1/tenant/users', { username: 'han.meimei', displayName: '韩梅梅', password: TEST_PASSWORD, role: 'viewer' }, admin);
      expect(response.statusCode).toBe(201);
      expect(response.json()).toMatchObject({ tenant: { id: tenantA }, role: 'viewer', isPlatformOperator: false });
    });

    it.each([
      [{ username: 'x1', displayName: 'x', password: TEST_PASSWORD, role: 'viewer', tenantId: UNKNOWN_ID }, 'tenantId', 'unknown_field'],
      [{ username: 'x1', displayName: 'x', password: TEST_PASSWORD, role: 'viewer', isPlatformOperator: true }, 'isPlatformOperator', 'unknown_field'],
      [{ username: 'x1', displayName: 'x', password: TEST_PASSWORD, role: 'root' }, 'role', 'not_allowed'],
      [{ username: 'x1', displayName: 'x', password: TEST_PASSWORD }, 'role', 'required'],
    ])('rejects the tenant user %j', async (payload, field, code) => {
      const before = await userCount();
      const response = await send('POST', '/api/v1/tenant/users', payload, admin);
      expect(response.statusCode).toBe(400);
      expect(response.json().errors).toContainEqual(expect.objectContaining({ field, code }));
      expect(await userCount()).toBe(before);
    });

    it('changes role and status of its own users', async () => {
      const user = (await send('GET', '/api/v1/tenant/users?q=han', undefined, admin)).json().items[0];
      const promoted = await send('PATCH', `/api/v1/tenant/users/${user.id}`, { role: 'operator' }, admin);
      expect(promoted.statusCode).toBe(200);
      expect(promoted.json().role).toBe('operator');

      const disabled = await send('PATCH', `/api/v1/tenant/users/${user.id}`, { status: 'disabled' }, admin);
      expect(disabled.json().status).toBe('disabled');
    });

    it('answers 404 for platform operators and other tenants’ users', async () => {
      const bViewer = await t.handle.database.db.selectFrom('users').select('id').where('username', '=', 'b-viewer').executeTakeFirstOrThrow();
      for (const id of [operatorId, bViewer.id, UNKNOWN_ID]) {
        const response = await send('PATCH', `/api/v1/tenant/users/${id}`, { status: 'disabled' }, admin);
        expect(response.statusCode).toBe(404);
      }
      const rows = await t.handle.database.db.selectFrom('users').select('status').where('id', 'in', [operatorId, bViewer.id]).execute();
      expect(rows.map((row) => row.status)).toEqual(['active', 'active']);
    });

    it('rejects demoting itself and tenantId in a patch', async () => {
      const self = (await send('GET', '/api/v1/tenant/users?q=a-admin', undefined, admin)).json().items[0];
      const demote = await send('PATCH', `/api/v1/tenant/users/${self.id}`, { role: 'viewer' }, admin);
      expect(demote.statusCode).toBe(409);
      expect(demote.json().code).toBe('SELF_CHANGE_FORBIDDEN');

      const move = await send('PATCH', `/api/v1/tenant/users/${self.id}`, { tenantId: tenantB }, admin);
      expect(move.statusCode).toBe(400);
    });

    it('forbids viewers and operators to manage users', async () => {
      const viewer = await loginAs(t.app, 'Li.Lei');
      const responses = await Promise.all([
        send('GET', '/api/v1/tenant/users', undefined, viewer),
        send('POST', '/api/v1/tenant/users', { username: 'x2', displayName: 'x', password: TEST_PASSWORD, role: 'admin' }, viewer),
        send('PATCH', `/api/v1/tenant/users/${operatorId}`, { role: 'admin' }, viewer),
      ]);
      for (const response of responses) expect(response.statusCode).toBe(403);
    });
  });
});
