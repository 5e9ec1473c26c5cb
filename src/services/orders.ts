import type { Selectable } from 'kysely';
import type { Db } from '../db/database.ts';
import { uniqueViolationConstraint } from '../db/errors.ts';
import { fetchPage, mapPage, parseSort, type Page, type PageRequest } from '../db/paging.ts';
import type { ResourceOrdersTable } from '../db/tables.ts';
import { tenantScope } from '../db/tenant-scope.ts';
import { fieldError, invalidFields } from '../errors/field-error.ts';
import { PortalError } from '../errors/portal-error.ts';
import { auditChange, sentFields, type AuditActor } from './change-audit.ts';

export type OrderStatus = 'pending' | 'active' | 'cancelled';

export interface OrderView {
  id: string;
  tenantId: string;
  systemId: string;
  orderNo: string;
  cpuCores: number;
  memoryGiB: number;
  storageGiB: number;
  validFrom: string;
  validTo: string;
  status: OrderStatus;
  createdAt: string;
  updatedAt: string;
}

type OrderRow = Selectable<ResourceOrdersTable>;

export function toOrderView(row: OrderRow): OrderView {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    systemId: row.system_id,
    orderNo: row.order_no,
    cpuCores: row.cpu_cores,
    memoryGiB: row.memory_gib,
    storageGiB: row.storage_gib,
    validFrom: row.valid_from.toISOString(),
    validTo: row.valid_to.toISOString(),
    status: row.status,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export const ORDER_SORT_FIELDS = ['created_at', 'valid_from', 'valid_to', 'order_no'] as const;
export type OrderSortField = (typeof ORDER_SORT_FIELDS)[number];

export interface OrderListFilter {
  tenantId?: string;
  systemId?: string;
  status?: OrderStatus;
  sort?: OrderSortField | `-${OrderSortField}`;
}

/**
 * Returns one page of orders. With `scopeTenantId` the query starts from tenantScope. A platform
 * operator passes null and may filter by tenant instead.
 */
export async function listOrders(db: Db, scopeTenantId: string | null, filter: OrderListFilter, page: PageRequest): Promise<Page<OrderView>> {
  let filtered = scopeTenantId ? tenantScope(db, scopeTenantId).selectFrom('resource_orders') : db.selectFrom('resource_orders');
  if (filter.tenantId) filtered = filtered.where('tenant_id', '=', filter.tenantId);
  if (filter.systemId) filtered = filtered.where('system_id', '=', filter.systemId);
  if (filter.status) filtered = filtered.where('status', '=', filter.status);

  const order = parseSort(filter.sort, '-created_at');
  const rows = await fetchPage(filtered, (query) => query.selectAll().orderBy(order.field, order.direction).orderBy('id', order.direction), page);
  return mapPage(rows, toOrderView);
}

/** Returns every order of one system, newest validity first. */
export async function ordersOfSystem(db: Db, systemId: string, tenantId: string): Promise<OrderView[]> {
  // NOTE: not paged, because a system has a few orders a year; GET /orders/list pages them.
  const rows = await tenantScope(db, tenantId).selectFrom('resource_orders').selectAll().where('system_id', '=', systemId).orderBy('valid_from', 'desc').orderBy('id').execute();
  return rows.map(toOrderView);
}

export async function findOrder(db: Db, id: string): Promise<OrderView | null> {
  const row = await db.selectFrom('resource_orders').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toOrderView(row) : null;
}

function assertAmounts(amounts: { cpuCores: number; memoryGiB: number; storageGiB: number }): void {
  if (amounts.cpuCores + amounts.memoryGiB + amounts.storageGiB > 0) return;

  throw invalidFields(
    (['cpuCores', 'memoryGiB', 'storageGiB'] as const).map((field) =>
      fieldError(field, 'too_small', 'CPU、内存和存储不能全部为 0', 'cpuCores, memoryGiB and storageGiB cannot all be 0'),
    ),
  );
}

function assertPeriod(validFrom: Date, validTo: Date): void {
  if (validTo.getTime() > validFrom.getTime()) return;

  throw invalidFields([fieldError('validTo', 'too_small', '结束时间须晚于开始时间', 'must be later than validFrom')]);
}

function rethrowOrderConflict(error: unknown, orderNo: string): never {
  if (uniqueViolationConstraint(error) === 'resource_orders_order_no_key') {
    throw new PortalError('DUPLICATE_VALUE', { field: 'orderNo', value: orderNo }, { cause: error });
  }
  throw error;
}

export interface NewOrderInput {
  systemId: string;
  orderNo: string;
  cpuCores: number;
  memoryGiB: number;
  storageGiB: number;
  validFrom: Date;
  validTo: Date;
  status?: OrderStatus;
}

/** Creates an order for an existing system; the tenant is the system's. Null when the system does not exist. */
export async function createOrder(db: Db, actor: AuditActor, input: NewOrderInput): Promise<OrderView | null> {
  assertAmounts(input);
  assertPeriod(input.validFrom, input.validTo);

  try {
    return await db.transaction().execute(async (trx) => {
      const system = await trx.selectFrom('information_systems').select(['id', 'tenant_id']).where('id', '=', input.systemId).executeTakeFirst();
      if (!system) return null;

      const row = await trx
        .insertInto('resource_orders')
        .values({
          tenant_id: system.tenant_id,
          system_id: system.id,
          order_no: input.orderNo,
          cpu_cores: input.cpuCores,
          memory_gib: input.memoryGiB,
          storage_gib: input.storageGiB,
          valid_from: input.validFrom,
          valid_to: input.validTo,
          status: input.status ?? 'active',
        })
        .returningAll()
        .executeTakeFirstOrThrow();

      await auditChange(trx, actor, { tenantId: system.tenant_id, action: 'order.create', targetType: 'resource_order', targetId: row.id, details: { systemId: system.id, status: row.status } });
      return toOrderView(row);
    });
  } catch (error) {
    rethrowOrderConflict(error, input.orderNo);
  }
}

// A cancelled order is final; a pending order becomes active or cancelled; an active one may be cancelled.
const ALLOWED_MOVES: Record<OrderStatus, readonly OrderStatus[]> = {
  pending: ['active', 'cancelled'],
  active: ['cancelled'],
  cancelled: [],
};

export interface OrderPatch {
  status?: OrderStatus;
  validFrom?: Date;
  validTo?: Date;
}

/** Changes an order's status or validity period; null for an unknown order. */
export async function updateOrder(db: Db, actor: AuditActor, id: string, patch: OrderPatch): Promise<OrderView | null> {
  return db.transaction().execute(async (trx) => {
    const current = await trx.selectFrom('resource_orders').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!current) return null;

    if (current.status === 'cancelled' || (patch.status !== undefined && patch.status !== current.status && !ALLOWED_MOVES[current.status].includes(patch.status))) {
      throw new PortalError('STATUS_TRANSITION_INVALID', { resource: 'order', from: current.status, to: patch.status ?? current.status });
    }
    assertPeriod(patch.validFrom ?? current.valid_from, patch.validTo ?? current.valid_to);

    const row = await trx
      .updateTable('resource_orders')
      .set({
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        ...(patch.validFrom !== undefined ? { valid_from: patch.validFrom } : {}),
        ...(patch.validTo !== undefined ? { valid_to: patch.validTo } : {}),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();

    const details: Record<string, unknown> = { fields: sentFields(patch) };
    if (patch.status !== undefined && patch.status !== current.status) details.status = { from: current.status, to: patch.status };
    await auditChange(trx, actor, { tenantId: row.tenant_id, action: 'order.update', targetType: 'resource_order', targetId: id, details });
    return toOrderView(row);
  });
}
