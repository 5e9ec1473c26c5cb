import type { Db } from '../../db/database.ts';
import { PortalError } from '../../errors/portal-error.ts';
import { accountKey, addressKey, checkThrottle, clearAccountFailures, recordFailure, type ThrottlePolicy } from './login-throttle.ts';
import { verifyAgainstDummy, verifyPassword } from './passwords.ts';
import { createSession, type CreatedSession, type SessionPolicy } from './session-store.ts';

export interface LoginInput {
  username: string;
  password: string;
  clientAddress: string;
  userAgent: string | null;
}

export interface LoginPolicies {
  session: SessionPolicy;
  throttle: ThrottlePolicy;
}

export type LoginOutcome = CreatedSession & { userId: string; tenantId: string | null };

/**
 * Checks a username and password and opens a session. The lock check comes before the password
 * check, so a locked account cannot be guessed at; unknown usernames cost the same time as known ones.
 */
export async function login(db: Db, policies: LoginPolicies, input: LoginInput, now = new Date()): Promise<LoginOutcome> {
  const keys = { account: accountKey(input.username), address: addressKey(input.clientAddress) };

  const throttle = await checkThrottle(db, keys, now);
  if (throttle.locked) {
    const code = throttle.scope === 'account' ? 'AUTH_ACCOUNT_LOCKED' : 'AUTH_ADDRESS_THROTTLED';
    throw new PortalError(code, { retryAfterSeconds: throttle.retryAfterSeconds }, { headers: { 'retry-after': String(throttle.retryAfterSeconds) } });
  }

  const user = await db
    .selectFrom('users')
    .select(['id', 'password_hash', 'status'])
    .where((eb) => eb(eb.fn('lower', ['username']), '=', input.username.trim().toLowerCase()))
    .executeTakeFirst();
  const valid = user ? await verifyPassword(user.password_hash, input.password) : await verifyAgainstDummy(input.password);

  if (!user || !valid) {
    await recordFailure(db, policies.throttle, keys, now);
    throw new PortalError('AUTH_INVALID_CREDENTIALS');
  }
  if (user.status !== 'active') {
    throw new PortalError('AUTH_ACCOUNT_DISABLED');
  }

  await clearAccountFailures(db, keys.account);
  const membership = await db
    .selectFrom('tenant_memberships')
    .select('tenant_id')
    .where('user_id', '=', user.id)
    .orderBy('created_at', 'asc')
    .limit(1)
    .executeTakeFirst();
  const tenantId = membership?.tenant_id ?? null;

  const session = await createSession(db, policies.session, {
    userId: user.id,
    tenantId,
    clientAddress: input.clientAddress,
    userAgent: input.userAgent,
  });
  await db.updateTable('users').set({ last_login_at: now }).where('id', '=', user.id).execute();

  return { ...session, userId: user.id, tenantId };
}
