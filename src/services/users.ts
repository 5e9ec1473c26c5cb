import type { Db } from '../db/database.ts';
import type { TenantRole } from '../domain/roles.ts';
import { PortalError } from '../errors/portal-error.ts';
import { deleteUserSessions } from './auth/session-store.ts';
import { hashPassword, isAcceptablePassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './auth/passwords.ts';

export interface NewUserInput {
  username: string;
  password: string;
  displayName?: string;
  isPlatformOperator?: boolean;
  membership?: { tenantId: string; role: TenantRole };
}

function assertPassword(password: string): void {
  if (!isAcceptablePassword(password)) {
    throw new PortalError('PASSWORD_TOO_WEAK', { min: PASSWORD_MIN_LENGTH, max: PASSWORD_MAX_LENGTH });
  }
}

/** Creates a user and, when given, its tenant membership in one transaction. */
export async function createUser(db: Db, input: NewUserInput): Promise<{ id: string }> {
  assertPassword(input.password);
  const passwordHash = await hashPassword(input.password);

  const existing = await db.selectFrom('users').select('id').where((eb) => eb(eb.fn('lower', ['username']), '=', input.username.toLowerCase())).executeTakeFirst();
  if (existing) {
    throw new PortalError('DUPLICATE_VALUE', { field: 'username', value: input.username });
  }

  return db.transaction().execute(async (trx) => {
    const user = await trx
      .insertInto('users')
      .values({
        username: input.username,
        display_name: input.displayName ?? input.username,
        password_hash: passwordHash,
        is_platform_operator: input.isPlatformOperator ?? false,
      })
      .returning('id')
      .executeTakeFirstOrThrow();

    if (input.membership) {
      await trx.insertInto('tenant_memberships').values({ user_id: user.id, tenant_id: input.membership.tenantId, role: input.membership.role }).execute();
    }
    return user;
  });
}

/** Sets a new password and ends every session of the user; returns false for an unknown username. */
export async function resetPassword(db: Db, username: string, password: string): Promise<boolean> {
  assertPassword(password);
  const passwordHash = await hashPassword(password);

  const user = await db
    .updateTable('users')
    .set({ password_hash: passwordHash, password_changed_at: new Date(), updated_at: new Date() })
    .where((eb) => eb(eb.fn('lower', ['username']), '=', username.toLowerCase()))
    .returning('id')
    .executeTakeFirst();
  if (!user) return false;

  await deleteUserSessions(db, user.id);
  return true;
}
