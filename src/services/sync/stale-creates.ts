import { sql } from 'kysely';
import type { Database, Trx } from '../../db/database.ts';
import { finishOperation } from '../vms/operations.ts';
import type { VmRow } from '../vms/vm-view.ts';
import type { BoundCloud } from './server-listings.ts';

// VM records left in `creating` without a server: the portal wrote the row, and then either the
// process stopped before Nova's create was sent, or Nova accepted nothing. Such a record takes
// capacity and shows a create that will never finish, so after a deadline it ends as `error`.

/** Operation error code of a create ended because its server never appeared. */
export const SERVER_NEVER_APPEARED = 'SERVER_NEVER_APPEARED';

/**
 * Lists the live VMs of the bound projects of one cloud and region that are in `creating` without
 * a server id and were created at or before `createdBefore`.
 */
export async function findStaleCreates(database: Database, bound: BoundCloud, createdBefore: Date): Promise<VmRow[]> {
  if (bound.projectIds.length === 0) return [];

  let query = database.db
    .selectFrom('virtual_machines')
    .selectAll()
    .where('cloud', '=', bound.cloud)
    .where('project_id', 'in', bound.projectIds)
    .where('status', '=', 'creating')
    .where('server_id', 'is', null)
    .where('deleted_at', 'is', null)
    .where('created_at', '<=', createdBefore);
  query = bound.region === null ? query.where('region', 'is', null) : query.where('region', '=', bound.region);
  return query.execute();
}

/**
 * Ends one stale create as `error` with `faultMessage`: the VM status, a status-history row and the
 * create operation, in one transaction under the VM's row lock. Returns false without a change when
 * the record has moved on since it was read (a server was linked, or it was deleted or failed).
 */
export async function endStaleCreate(database: Database, vm: VmRow, faultMessage: string): Promise<boolean> {
  return database.transaction(async (trx) => {
    const locked = await trx.selectFrom('virtual_machines').selectAll().where('id', '=', vm.id).where('tenant_id', '=', vm.tenant_id).forUpdate().executeTakeFirst();
    if (!locked || locked.deleted_at !== null || locked.status !== 'creating' || locked.server_id !== null) return false;

    await trx
      .updateTable('virtual_machines')
      .set({ status: 'error', fault_message: faultMessage, updated_at: sql<Date>`now()` })
      .where('id', '=', locked.id)
      .where('tenant_id', '=', locked.tenant_id)
      .execute();
    await trx.insertInto('vm_status_history').values({ vm_id: locked.id, tenant_id: locked.tenant_id, from_status: 'creating', to_status: 'error', source: 'sync' }).execute();

    const operationId = await openCreateOperation(trx, locked);
    if (operationId !== null) {
      await finishOperation(trx, { id: operationId, vm_id: locked.id, tenant_id: locked.tenant_id }, { status: 'failed', errorCode: SERVER_NEVER_APPEARED, errorMessage: faultMessage });
    }
    return true;
  });
}

/** Finds the VM's pending create operation, or else its newest create operation still pending or running. */
async function openCreateOperation(trx: Trx, vm: VmRow): Promise<string | null> {
  if (vm.pending_action === 'creating' && vm.pending_operation_id !== null) return vm.pending_operation_id;

  const row = await trx
    .selectFrom('operation_logs')
    .select('id')
    .where('vm_id', '=', vm.id)
    .where('tenant_id', '=', vm.tenant_id)
    .where('kind', '=', 'create')
    .where('status', 'in', ['pending', 'running'])
    .orderBy('started_at', 'desc')
    .executeTakeFirst();
  return row?.id ?? null;
}
