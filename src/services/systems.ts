import type { Selectable } from 'kysely';
import type { Db } from '../db/database.ts';
import { uniqueViolationConstraint } from '../db/errors.ts';
import { fetchPage, likePattern, mapPage, parseSort, type Page, type PageRequest } from '../db/paging.ts';
import type { InformationSystemsTable } from '../db/tables.ts';
import { tenantScope } from '../db/tenant-scope.ts';
import { fieldError, invalidFields } from '../errors/field-error.ts';
import { PortalError } from '../errors/portal-error.ts';
import { auditChange, sentFields, type AuditActor } from './change-audit.ts';

export type SystemStatus = 'active' | 'suspended' | 'retired';
export type BillingMode = 'prepaid' | 'usage';

/** Prices in fen (1/100 yuan): per ordered unit per day for prepaid, per unit-hour used for usage. */
export type PricePlan =
  | { corePerDayFen: number; memoryGiBPerDayFen: number; storageGiBPerDayFen: number }
  | { corePerHourFen: number; memoryGiBPerHourFen: number; storageGiBPerHourFen: number };

const PLAN_KEYS: Record<BillingMode, readonly string[]> = {
  prepaid: ['corePerDayFen', 'memoryGiBPerDayFen', 'storageGiBPerDayFen'],
  usage: ['corePerHourFen', 'memoryGiBPerHourFen', 'storageGiBPerHourFen'],
};

export interface SystemView {
  id: string;
  tenantId: string;
  code: string;
  name: string;
  description: string;
  status: SystemStatus;
  protectionLevel: number | null;
  billingMode: BillingMode;
  pricePlan: Record<string, number>;
  createdAt: string;
  updatedAt: string;
}

type SystemRow = Selectable<InformationSystemsTable>;

export function toSystemView(row: SystemRow): SystemView {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    code: row.code,
    name: row.name,
    description: row.description,
    status: row.status,
    protectionLevel: row.protection_level,
    billingMode: row.billing_mode,
    pricePlan: row.price_plan,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export const SYSTEM_SORT_FIELDS = ['name', 'code', 'created_at'] as const;
export type SystemSortField = (typeof SYSTEM_SORT_FIELDS)[number];

export interface SystemListFilter {
  status?: SystemStatus;
  q?: string;
  sort?: SystemSortField | `-${SystemSortField}`;
}

/**
 * Returns one page of systems. With `scope.tenantId` the query starts from tenantScope, so it
 * carries tenant_id in SQL. A platform operator passes `filterTenantId` instead, or nothing for all.
 */
export async function listSystems(
  db: Db,
  scope: { tenantId: string } | { filterTenantId?: string },
  filter: SystemListFilter,
  page: PageRequest,
): Promise<Page<SystemView>> {
  let filtered = 'tenantId' in scope ? tenantScope(db, scope.tenantId).selectFrom('information_systems') : db.selectFrom('information_systems');
  if ('filterTenantId' in scope && scope.filterTenantId) filtered = filtered.where('tenant_id', '=', scope.filterTenantId);
  if (filter.status) filtered = filtered.where('status', '=', filter.status);
  if (filter.q) {
    const pattern = likePattern(filter.q);
    filtered = filtered.where((eb) => eb.or([eb('code', 'ilike', pattern), eb('name', 'ilike', pattern)]));
  }

  const order = parseSort(filter.sort, 'name');
  const rows = await fetchPage(filtered, (query) => query.selectAll().orderBy(order.field, order.direction).orderBy('id', order.direction), page);
  return mapPage(rows, toSystemView);
}

/** Finds one system; null when it does not exist or, with `tenantId`, belongs to another tenant. */
export async function findSystem(db: Db, id: string, tenantId: string | null): Promise<SystemView | null> {
  const query = tenantId ? tenantScope(db, tenantId).selectFrom('information_systems') : db.selectFrom('information_systems');
  const row = await query.selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toSystemView(row) : null;
}

/** Rejects a price plan whose keys do not belong to the billing mode. */
function assertPlanFitsMode(mode: BillingMode, plan: Record<string, number>, field: string): void {
  const keys = Object.keys(plan).sort();
  const expected = [...PLAN_KEYS[mode]].sort();
  if (keys.length === expected.length && keys.every((key, index) => key === expected[index])) return;

  throw invalidFields([
    fieldError(
      field,
      'not_allowed',
      `计费方式 ${mode} 的价格须包含 ${PLAN_KEYS[mode].join('、')}`,
      `billing mode ${mode} needs a plan with ${PLAN_KEYS[mode].join(', ')}`,
    ),
  ]);
}

function rethrowSystemConflict(error: unknown, values: { code?: string; name?: string }): never {
  switch (uniqueViolationConstraint(error)) {
    case 'information_systems_code_key':
      throw new PortalError('DUPLICATE_VALUE', { field: 'code', value: values.code ?? '' }, { cause: error });
    case 'information_systems_name_key':
      throw new PortalError('DUPLICATE_VALUE', { field: 'name', value: values.name ?? '' }, { cause: error });
    default:
      throw error;
  }
}

export interface NewSystemInput {
  tenantId: string;
  code: string;
  name: string;
  description?: string;
  protectionLevel?: number | null;
  billingMode?: BillingMode;
  pricePlan: PricePlan;
}

/** Creates a system in an existing tenant; null when the tenant does not exist. */
export async function createSystem(db: Db, actor: AuditActor, input: NewSystemInput): Promise<SystemView | null> {
  const billingMode = input.billingMode ?? 'prepaid';
  assertPlanFitsMode(billingMode, input.pricePlan, 'pricePlan');

  try {
    return await db.transaction().execute(async (trx) => {
      const tenant = await trx.selectFrom('tenants').select('id').where('id', '=', input.tenantId).executeTakeFirst();
      if (!tenant) return null;

      const row = await trx
        .insertInto('information_systems')
        .values({
          tenant_id: input.tenantId,
          code: input.code,
          name: input.name,
          description: input.description ?? '',
          protection_level: input.protectionLevel ?? null,
          billing_mode: billingMode,
          price_plan: JSON.stringify(input.pricePlan),
        })
        .returningAll()
        .executeTakeFirstOrThrow();

      await auditChange(trx, actor, { tenantId: input.tenantId, action: 'system.create', targetType: 'information_system', targetId: row.id });
      return toSystemView(row);
    });
  } catch (error) {
    rethrowSystemConflict(error, input);
  }
}

export interface SystemPatch {
  name?: string;
  description?: string;
  status?: SystemStatus;
  protectionLevel?: number | null;
  billingMode?: BillingMode;
  pricePlan?: PricePlan;
}

/** Applies a patch; the resulting plan must fit the resulting billing mode. Null for an unknown system. */
export async function updateSystem(db: Db, actor: AuditActor, id: string, patch: SystemPatch): Promise<SystemView | null> {
  try {
    return await db.transaction().execute(async (trx) => {
      const current = await trx.selectFrom('information_systems').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      if (!current) return null;

      if (patch.billingMode !== undefined || patch.pricePlan !== undefined) {
        assertPlanFitsMode(patch.billingMode ?? current.billing_mode, patch.pricePlan ?? current.price_plan, 'pricePlan');
      }

      const row = await trx
        .updateTable('information_systems')
        .set({
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          ...(patch.status !== undefined ? { status: patch.status } : {}),
          ...(patch.protectionLevel !== undefined ? { protection_level: patch.protectionLevel } : {}),
          ...(patch.billingMode !== undefined ? { billing_mode: patch.billingMode } : {}),
          ...(patch.pricePlan !== undefined ? { price_plan: JSON.stringify(patch.pricePlan) } : {}),
          updated_at: new Date(),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();

      const details: Record<string, unknown> = { fields: sentFields(patch) };
      if (patch.status !== undefined && patch.status !== current.status) details.status = { from: current.status, to: patch.status };
      await auditChange(trx, actor, { tenantId: row.tenant_id, action: 'system.update', targetType: 'information_system', targetId: id, details });
      return toSystemView(row);
    });
  } catch (error) {
    rethrowSystemConflict(error, patch);
  }
}
