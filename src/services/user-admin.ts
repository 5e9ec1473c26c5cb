import { sql, type SelectQueryBuilder } from 'kysely';
import type { Db, Trx } from '../db/database.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { fetchPage, likePattern, mapPage, parseSort, type Page, type PageRequest } from '../db/paging.ts';
import type { DatabaseSchema } from '../db/tables.ts';
import type { TenantRole } from '../domain/roles.ts';
import { fieldError, invalidFields } from '../errors/field-error.ts';
import { PortalError } from '../errors/portal-error.ts';
import { hashPassword, isAcceptablePassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './auth/passwords.ts';
import { auditChange, sentFields, type AuditActor } from './change-audit.ts';
import { createUser } from './users.ts';

// User administration for platform operators (every user) and tenant admins (their tenant's
// users only). The admin API treats a user as a member of at most one tenant: setting a tenant
// replaces the membership, and lists show the oldest membership when a user has several.

export type UserStatus = 'active' | 'disabled';

export interface UserView {
  id: string;
  username: string;
  displayName: string;
  isPlatformOperator: boolean;
  status: UserStatus;
  tenant: { id: string; code: string; name: string } | null;
  role: TenantRole | null;
  createdAt: string;
  lastLoginAt: string | null;
}

type UsersQuery = SelectQueryBuilder<DatabaseSchema, 'users', object>;

/** Adds the columns of a user view; `tenantId` picks that tenant's membership, otherwise the oldest. */
function selectUserView(query: UsersQuery, tenantId: string | null) {
  return query
    .leftJoinLateral(
      (eb) => {
        let membership = eb
          .selectFrom('tenant_memberships as m')
          .innerJoin('tenants as t', 't.id', 'm.tenant_id')
          .select(['m.tenant_id', 'm.role', 't.code as tenant_code', 't.name as tenant_name'])
          .whereRef('m.user_id', '=', 'users.id');
        if (tenantId) membership = membership.where('m.tenant_id', '=', tenantId);
        return membership.orderBy('m.created_at').orderBy('m.tenant_id').limit(1).as('membership');
      },
      (join) => join.onTrue(),
    )
    .select([
      'users.id',
      'users.username',
      'users.display_name',
      'users.is_platform_operator',
      'users.status',
      'users.created_at',
      'users.last_login_at',
      'membership.tenant_id',
      'membership.role',
      'membership.tenant_code',
      'membership.tenant_name',
    ]);
}

interface UserViewRow {
  id: string;
  username: string;
  display_name: string;
  is_platform_operator: boolean;
  status: UserStatus;
  created_at: Date;
  last_login_at: Date | null;
  tenant_id: string | null;
  role: TenantRole | null;
  tenant_code: string | null;
  tenant_name: string | null;
}

function toUserView(row: UserViewRow): UserView {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    isPlatformOperator: row.is_platform_operator,
    status: row.status,
    tenant: row.tenant_id ? { id: row.tenant_id, code: row.tenant_code ?? '', name: row.tenant_name ?? '' } : null,
    role: row.role,
    createdAt: row.created_at.toISOString(),
    lastLoginAt: row.last_login_at ? row.last_login_at.toISOString() : null,
  };
}

export const USER_SORT_FIELDS = ['username', 'created_at'] as const;
export type UserSortField = (typeof USER_SORT_FIELDS)[number];

export interface UserListFilter {
  /** Platform operators only: users with a membership in this tenant. */
  tenantId?: string;
  status?: UserStatus;
  q?: string;
  sort?: UserSortField | `-${UserSortField}`;
}

/**
 * Returns one page of users. With `scopeTenantId` (a tenant admin) only that tenant's members who
 * are not platform operators are listed, and the membership condition is in SQL.
 */
export async function listUsers(db: Db, scopeTenantId: string | null, filter: UserListFilter, page: PageRequest): Promise<Page<UserView>> {
  let filtered: UsersQuery = db.selectFrom('users');
  const memberOf = scopeTenantId ?? filter.tenantId;
  if (memberOf) {
    filtered = filtered.where((eb) =>
      eb.exists(eb.selectFrom('tenant_memberships as tm').select(sql.lit(1).as('one')).whereRef('tm.user_id', '=', 'users.id').where('tm.tenant_id', '=', memberOf)),
    );
  }
  if (scopeTenantId) filtered = filtered.where('users.is_platform_operator', '=', false);
  if (filter.status) filtered = filtered.where('users.status', '=', filter.status);
  if (filter.q) {
    const pattern = likePattern(filter.q);
    filtered = filtered.where((eb) => eb.or([eb('users.username', 'ilike', pattern), eb('users.display_name', 'ilike', pattern)]));
  }

  const order = parseSort(filter.sort, 'username');
  const rows = await fetchPage(
    filtered,
    (query) => selectUserView(query, memberOf ?? null).orderBy(`users.${order.field}`, order.direction).orderBy('users.id', order.direction),
    page,
  );
  return mapPage(rows, toUserView);
}

/** Finds one user; with `scopeTenantId`, only a member of that tenant who is not a platform operator. */
export async function findUser(db: Db | Trx, id: string, scopeTenantId: string | null): Promise<UserView | null> {
  let query: UsersQuery = db.selectFrom('users').where('users.id', '=', id);
  if (scopeTenantId) {
    query = query
      .where('users.is_platform_operator', '=', false)
      .where((eb) => eb.exists(eb.selectFrom('tenant_memberships as tm').select(sql.lit(1).as('one')).whereRef('tm.user_id', '=', 'users.id').where('tm.tenant_id', '=', scopeTenantId)));
  }
  const row = await selectUserView(query, scopeTenantId).executeTakeFirst();
  return row ? toUserView(row) : null;
}

function assertPassword(password: string): void {
  if (!isAcceptablePassword(password)) {
    throw new PortalError('PASSWORD_TOO_WEAK', { min: PASSWORD_MIN_LENGTH, max: PASSWORD_MAX_LENGTH });
  }
}

async function assertTenantExists(db: Db | Trx, tenantId: string): Promise<void> {
  const tenant = await db.selectFrom('tenants').select('id').where('id', '=', tenantId).executeTakeFirst();
  if (!tenant) throw new PortalError('NOT_FOUND', { resource: 'tenant', id: tenantId });
}

export interface NewAccountInput {
  username: string;
  password: string;
  displayName?: string;
  isPlatformOperator?: boolean;
  tenantId?: string;
  role?: TenantRole;
}

/** Creates a user with an optional tenant membership (role defaults to viewer) and audits it. */
export async function createAccount(db: Db, actor: AuditActor, input: NewAccountInput): Promise<UserView> {
  if (input.role !== undefined && input.tenantId === undefined) {
    throw invalidFields([fieldError('role', 'not_allowed', '设置角色时须同时指定租户 tenantId', 'needs a tenantId')]);
  }
  assertPassword(input.password);
  if (input.tenantId) await assertTenantExists(db, input.tenantId);

  // Checked here as well as by the unique index, so the common case costs no password hash.
  const existing = await db.selectFrom('users').select('id').where((eb) => eb(eb.fn('lower', ['username']), '=', input.username.toLowerCase())).executeTakeFirst();
  if (existing) throw new PortalError('DUPLICATE_VALUE', { field: 'username', value: input.username });

  let created: { id: string };
  try {
    created = await createUser(db, {
      username: input.username,
      password: input.password,
      ...(input.displayName !== undefined ? { displayName: input.displayName } : {}),
      isPlatformOperator: input.isPlatformOperator ?? false,
      ...(input.tenantId ? { membership: { tenantId: input.tenantId, role: input.role ?? 'viewer' } } : {}),
    });
  } catch (error) {
    if (isUniqueViolation(error, 'users_username_key')) {
      throw new PortalError('DUPLICATE_VALUE', { field: 'username', value: input.username }, { cause: error });
    }
    throw error;
  }

  await auditChange(db, actor, {
    tenantId: input.tenantId ?? null,
    action: 'user.create',
    targetType: 'user',
    targetId: created.id,
    details: { isPlatformOperator: input.isPlatformOperator ?? false, role: input.tenantId ? (input.role ?? 'viewer') : null },
  });
  const view = await findUser(db, created.id, null);
  if (!view) throw new Error(`user ${created.id} vanished right after it was created`);
  return view;
}

export interface UserPatch {
  displayName?: string;
  status?: UserStatus;
  /** Platform operators only: the user's one tenant, or null to remove every membership. */
  tenantId?: string | null;
  role?: TenantRole;
}

/**
 * Changes a user. With `scopeTenantId` (a tenant admin) only that tenant's non-operator members
 * can be found, and a role change applies to that tenant's membership. Disabling a user or moving
 * them to another tenant ends their sessions. A caller cannot disable their own account or change
 * their own role or tenant. Returns null for a user outside the scope.
 *
 * NOTE: the status is the account's, so a tenant admin who disables a user who also belongs to
 * another tenant disables them there too.
 */
export async function updateAccount(db: Db, actor: AuditActor, id: string, patch: UserPatch, scopeTenantId: string | null): Promise<UserView | null> {
  const changesAccess = patch.status === 'disabled' || patch.role !== undefined || patch.tenantId !== undefined;
  if (id === actor.actorUserId && changesAccess) throw new PortalError('SELF_CHANGE_FORBIDDEN');

  return db.transaction().execute(async (trx) => {
    // Lock first, so the state read next is the one this update builds on.
    await trx.selectFrom('users').select('id').where('id', '=', id).forUpdate().execute();
    const current = await findUser(trx, id, scopeTenantId);
    if (!current) return null;

    if (patch.displayName !== undefined || patch.status !== undefined) {
      await trx
        .updateTable('users')
        .set({
          ...(patch.displayName !== undefined ? { display_name: patch.displayName } : {}),
          ...(patch.status !== undefined ? { status: patch.status } : {}),
          updated_at: new Date(),
        })
        .where('id', '=', id)
        .execute();
    }

    const movedTenant = await applyMembershipChange(trx, id, current, patch, scopeTenantId);
    const endSessions = (patch.status === 'disabled' && current.status !== 'disabled') || movedTenant;
    if (endSessions) await trx.deleteFrom('sessions').where('user_id', '=', id).execute();

    const details: Record<string, unknown> = { fields: sentFields(patch), sessionsEnded: endSessions };
    if (patch.status !== undefined && patch.status !== current.status) details.status = { from: current.status, to: patch.status };
    if (patch.role !== undefined) details.role = { from: current.role, to: patch.role };
    await auditChange(trx, actor, { tenantId: scopeTenantId ?? patch.tenantId ?? current.tenant?.id ?? null, action: 'user.update', targetType: 'user', targetId: id, details });

    const updated = await findUser(trx, id, scopeTenantId);
    if (!updated) throw new Error(`user ${id} vanished during its update`);
    return updated;
  });
}

/** Applies tenant and role changes; returns true when the user's tenant changed. */
async function applyMembershipChange(trx: Trx, userId: string, current: UserView, patch: UserPatch, scopeTenantId: string | null): Promise<boolean> {
  if (scopeTenantId) {
    if (patch.role !== undefined) {
      await trx.updateTable('tenant_memberships').set({ role: patch.role }).where('user_id', '=', userId).where('tenant_id', '=', scopeTenantId).execute();
    }
    return false;
  }

  if (patch.tenantId === null) {
    if (patch.role !== undefined) throw invalidFields([fieldError('role', 'not_allowed', '移出租户时不能设置角色', 'cannot be set when tenantId is null')]);
    const removed = await trx.deleteFrom('tenant_memberships').where('user_id', '=', userId).executeTakeFirst();
    return Number(removed.numDeletedRows) > 0;
  }

  if (patch.tenantId !== undefined) {
    await assertTenantExists(trx, patch.tenantId);
    const role = patch.role ?? (current.tenant?.id === patch.tenantId ? current.role : null) ?? 'viewer';
    const others = await trx.deleteFrom('tenant_memberships').where('user_id', '=', userId).where('tenant_id', '<>', patch.tenantId).executeTakeFirst();
    await trx
      .insertInto('tenant_memberships')
      .values({ user_id: userId, tenant_id: patch.tenantId, role })
      .onConflict((conflict) => conflict.columns(['user_id', 'tenant_id']).doUpdateSet({ role }))
      .execute();
    return Number(others.numDeletedRows) > 0 || current.tenant?.id !== patch.tenantId;
  }

  if (patch.role !== undefined) {
    if (!current.tenant) throw invalidFields([fieldError('role', 'not_allowed', '该用户不属于任何租户，请同时指定 tenantId', 'the user has no tenant; send tenantId as well')]);
    await trx.updateTable('tenant_memberships').set({ role: patch.role }).where('user_id', '=', userId).execute();
  }
  return false;
}

/** Sets a new password and ends every session of the user; null for a user outside the scope. */
export async function resetAccountPassword(db: Db, actor: AuditActor, id: string, password: string): Promise<UserView | null> {
  assertPassword(password);
  const current = await findUser(db, id, null);
  if (!current) return null;

  const passwordHash = await hashPassword(password);
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ password_hash: passwordHash, password_changed_at: new Date(), updated_at: new Date() }).where('id', '=', id).execute();
    await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
    await auditChange(trx, actor, { tenantId: current.tenant?.id ?? null, action: 'user.reset-password', targetType: 'user', targetId: id });
  });
  return current;
}
