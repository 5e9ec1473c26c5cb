import type { Db } from '../../db/database.ts';
import { permissionsOf } from '../../domain/roles.ts';
import type { Principal } from './principal.ts';

/**
 * Loads the user and the role in the given tenant in one query. With no tenant given, the user's
 * oldest membership is used. Returns null for an unknown or disabled user.
 */
export async function loadPrincipal(
  db: Db,
  input: { userId: string; tenantId: string | null; via: Principal['via']; csrfToken: string | null; sessionIdHash: string | null },
): Promise<Principal | null> {
  const row = await db
    .selectFrom('users')
    .leftJoin('tenant_memberships as m', (join) => {
      const joined = join.onRef('m.user_id', '=', 'users.id');
      return input.tenantId ? joined.on('m.tenant_id', '=', input.tenantId) : joined;
    })
    .select(['users.id', 'users.username', 'users.display_name', 'users.is_platform_operator', 'users.status', 'm.tenant_id', 'm.role'])
    .where('users.id', '=', input.userId)
    .orderBy('m.created_at', 'asc')
    .limit(1)
    .executeTakeFirst();
  if (!row || row.status !== 'active') return null;

  const holder = { isPlatformOperator: row.is_platform_operator, tenantRole: row.role ?? null };
  return {
    userId: row.id,
    username: row.username,
    displayName: row.display_name,
    isPlatformOperator: row.is_platform_operator,
    tenantId: row.tenant_id ?? null,
    tenantRole: row.role ?? null,
    permissions: permissionsOf(holder),
    via: input.via,
    csrfToken: input.csrfToken,
    sessionIdHash: input.sessionIdHash,
  };
}
