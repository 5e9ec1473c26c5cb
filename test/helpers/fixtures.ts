import type { Db } from '../../src/db/database.ts';
import type { TenantRole } from '../../src/domain/roles.ts';
import { createUser } from '../../src/services/users.ts';
import type { PortalApp } from '../../src/http/app.ts';
import { sessionCookieFrom } from './test-app.ts';

export const TEST_PASSWORD = 'correct-horse-42';

export async function createTenant(db: Db, code: string, name = `租户 ${code}`): Promise<{ id: string }> {
  return db.insertInto('tenants').values({ code, name }).returning('id').executeTakeFirstOrThrow();
}

export async function createSystem(db: Db, tenantId: string, code: string): Promise<{ id: string }> {
  return db.insertInto('information_systems').values({ tenant_id: tenantId, code, name: `系统 ${code}`, price_plan: '{}' }).returning('id').executeTakeFirstOrThrow();
}

export async function createTestUser(
  db: Db,
  username: string,
  options: { tenantId?: string; role?: TenantRole; platformOperator?: boolean } = {},
): Promise<{ id: string }> {
  return createUser(db, {
    username,
    password: TEST_PASSWORD,
    isPlatformOperator: options.platformOperator ?? false,
    ...(options.tenantId ? { membership: { tenantId: options.tenantId, role: options.role ?? 'viewer' } } : {}),
  });
}

export interface SessionCredentials {
  cookie: string;
  csrfToken: string;
  /** Headers for a state-changing request made with this session. */
  headers: Record<string, string>;
}

export async function loginAs(app: PortalApp, username: string, password = TEST_PASSWORD): Promise<SessionCredentials> {
  const response = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
  if (response.statusCode !== 200) throw new Error(`login as ${username} failed with ${response.statusCode}: ${response.body}`);

  const cookie = sessionCookieFrom(response.headers['set-cookie']);
  const csrfToken = (response.json() as { csrfToken: string }).csrfToken;
  return { cookie, csrfToken, headers: { cookie: `tp_session=${cookie}`, 'x-csrf-token': csrfToken } };
}
