import type { Selectable } from 'kysely';
import type { Db } from '../db/database.ts';
import { uniqueViolationConstraint } from '../db/errors.ts';
import type { TenantsTable } from '../db/tables.ts';
import { fieldError, invalidFields } from '../errors/field-error.ts';
import { PortalError } from '../errors/portal-error.ts';
import { fetchPage, likePattern, mapPage, parseSort, type Page, type PageRequest } from '../db/paging.ts';
import { auditChange, sentFields, type AuditActor } from './change-audit.ts';

export type TenantStatus = 'active' | 'suspended' | 'archived';

/** The OpenStack project a tenant's VMs live in. */
export interface ProjectBinding {
  cloud: string;
  region: string | null;
  projectId: string;
  projectName: string | null;
}

export interface TenantView {
  id: string;
  code: string;
  name: string;
  status: TenantStatus;
  description: string;
  binding: ProjectBinding | null;
  createdAt: string;
  updatedAt: string;
}

type TenantRow = Selectable<TenantsTable>;

export function toTenantView(row: TenantRow): TenantView {
  const binding = row.cloud !== null && row.project_id !== null
    ? { cloud: row.cloud, region: row.region, projectId: row.project_id, projectName: row.project_name }
    : null;
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    status: row.status,
    description: row.description,
    binding,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export const TENANT_SORT_FIELDS = ['name', 'code', 'created_at'] as const;
export type TenantSortField = (typeof TENANT_SORT_FIELDS)[number];

export interface TenantListFilter {
  status?: TenantStatus;
  q?: string;
  sort?: TenantSortField | `-${TenantSortField}`;
}

export async function listTenants(db: Db, filter: TenantListFilter, page: PageRequest): Promise<Page<TenantView>> {
  let filtered = db.selectFrom('tenants');
  if (filter.status) filtered = filtered.where('status', '=', filter.status);
  if (filter.q) {
    const pattern = likePattern(filter.q);
    filtered = filtered.where((eb) => eb.or([eb('code', 'ilike', pattern), eb('name', 'ilike', pattern)]));
  }

  const order = parseSort(filter.sort, 'name');
  const rows = await fetchPage(filtered, (query) => query.selectAll().orderBy(order.field, order.direction).orderBy('id', order.direction), page);
  return mapPage(rows, toTenantView);
}

export async function findTenant(db: Db, id: string): Promise<TenantView | null> {
  const row = await db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toTenantView(row) : null;
}

/** The binding fields of a create or update request; null clears a field, undefined keeps it. */
export interface BindingInput {
  cloud?: string | null;
  region?: string | null;
  projectId?: string | null;
  projectName?: string | null;
}

type BindingColumns = Pick<TenantRow, 'cloud' | 'region' | 'project_id' | 'project_name'>;

/**
 * Merges a binding request into the current binding. Cloud and project id are set together or
 * cleared together, because a tenant is bound to one whole project or to none. Clearing them also
 * clears region and project name, and those two cannot be set on an unbound tenant.
 */
export function resolveBinding(current: BindingColumns, input: BindingInput): BindingColumns {
  const merged: BindingColumns = {
    cloud: input.cloud === undefined ? current.cloud : input.cloud,
    region: input.region === undefined ? current.region : input.region,
    project_id: input.projectId === undefined ? current.project_id : input.projectId,
    project_name: input.projectName === undefined ? current.project_name : input.projectName,
  };

  if ((merged.cloud === null) !== (merged.project_id === null)) {
    const missing = merged.cloud === null ? 'cloud' : 'projectId';
    throw invalidFields([
      fieldError(missing, 'required', '云和项目 ID 须同时填写或同时清空', 'cloud and projectId must be set together or both be null'),
    ]);
  }

  if (merged.cloud === null) {
    const stray = (['region', 'projectName'] as const).filter((field) => typeof input[field] === 'string');
    if (stray.length > 0) {
      throw invalidFields(stray.map((field) => fieldError(field, 'not_allowed', '未绑定项目的租户不能设置此字段', 'cannot be set on a tenant without a project binding')));
    }
    return { cloud: null, region: null, project_id: null, project_name: null };
  }
  return merged;
}

/** Maps a unique violation on the tenants table to a 409 naming the field; rethrows anything else. */
function rethrowTenantConflict(error: unknown, values: { code?: string; name?: string; binding: BindingColumns }): never {
  switch (uniqueViolationConstraint(error)) {
    case 'tenants_code_key':
      throw new PortalError('DUPLICATE_VALUE', { field: 'code', value: values.code ?? '' }, { cause: error });
    case 'tenants_name_key':
      throw new PortalError('DUPLICATE_VALUE', { field: 'name', value: values.name ?? '' }, { cause: error });
    case 'tenants_project_key':
      throw new PortalError(
        'PROJECT_ALREADY_BOUND',
        { cloud: values.binding.cloud ?? '', region: values.binding.region ?? '-', projectId: values.binding.project_id ?? '' },
        { cause: error },
      );
    default:
      throw error;
  }
}

export interface NewTenantInput extends BindingInput {
  code: string;
  name: string;
  description?: string;
}

export async function createTenant(db: Db, actor: AuditActor, input: NewTenantInput): Promise<TenantView> {
  const binding = resolveBinding({ cloud: null, region: null, project_id: null, project_name: null }, input);

  try {
    return await db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('tenants')
        .values({ code: input.code, name: input.name, description: input.description ?? '', ...binding })
        .returningAll()
        .executeTakeFirstOrThrow();

      await auditChange(trx, actor, { tenantId: row.id, action: 'tenant.create', targetType: 'tenant', targetId: row.id, details: { bound: binding.cloud !== null } });
      return toTenantView(row);
    });
  } catch (error) {
    rethrowTenantConflict(error, { code: input.code, name: input.name, binding });
  }
}

export interface TenantPatch extends BindingInput {
  name?: string;
  description?: string;
  status?: TenantStatus;
}

/** Applies a patch, including binding or unbinding the project and status changes; null for an unknown tenant. */
export async function updateTenant(db: Db, actor: AuditActor, id: string, patch: TenantPatch): Promise<TenantView | null> {
  let binding: BindingColumns | null = null;

  try {
    return await db.transaction().execute(async (trx) => {
      const current = await trx.selectFrom('tenants').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      if (!current) return null;

      binding = resolveBinding(current, patch);
      const row = await trx
        .updateTable('tenants')
        .set({
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          ...(patch.status !== undefined ? { status: patch.status } : {}),
          ...binding,
          updated_at: new Date(),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();

      const details: Record<string, unknown> = { fields: sentFields(patch) };
      if (patch.status !== undefined && patch.status !== current.status) details.status = { from: current.status, to: patch.status };
      await auditChange(trx, actor, { tenantId: id, action: 'tenant.update', targetType: 'tenant', targetId: id, details });
      return toTenantView(row);
    });
  } catch (error) {
    rethrowTenantConflict(error, { ...(patch.name !== undefined ? { name: patch.name } : {}), binding: binding ?? { cloud: null, region: null, project_id: null, project_name: null } });
  }
}
