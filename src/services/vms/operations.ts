import { sql } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';
import type { OperationRow } from './vm-view.ts';

/** Operation kinds of the VM actions; `create` and `delete` complete the list. */
export type OperationKind = OperationRow['kind'];

/** Marks an operation as running after OpenStack accepted the call. */
export async function markOperationRunning(db: DbOrTrx, operationId: string, openstackRequestId: string | null): Promise<OperationRow> {
  return db
    .updateTable('operation_logs')
    .set({ status: 'running', openstack_request_id: openstackRequestId })
    .where('id', '=', operationId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface OperationOutcome {
  status: 'succeeded' | 'failed' | 'timed_out';
  errorCode?: string | null;
  errorMessage?: string | null;
  openstackRequestId?: string | null;
}

/**
 * Ends an operation and clears the VM's pending action when it is still this operation's. Only
 * an operation that is pending or running changes, so a second finisher (watch and sync) is a no-op.
 */
export async function finishOperation(db: DbOrTrx, operation: Pick<OperationRow, 'id' | 'vm_id' | 'tenant_id'>, outcome: OperationOutcome): Promise<OperationRow | undefined> {
  const finished = await db
    .updateTable('operation_logs')
    .set({
      status: outcome.status,
      finished_at: sql<Date>`now()`,
      error_code: outcome.errorCode ?? null,
      error_message: outcome.errorMessage ?? null,
      ...(outcome.openstackRequestId ? { openstack_request_id: outcome.openstackRequestId } : {}),
    })
    .where('id', '=', operation.id)
    .where('status', 'in', ['pending', 'running'])
    .returningAll()
    .executeTakeFirst();

  if (operation.vm_id !== null) {
    await clearPendingAction(db, operation.vm_id, operation.tenant_id, operation.id);
  }
  return finished;
}

/** Clears the VM's pending action if it belongs to `operationId`. */
export async function clearPendingAction(db: DbOrTrx, vmId: string, tenantId: string, operationId: string): Promise<void> {
  await db
    .updateTable('virtual_machines')
    .set({ pending_action: null, pending_operation_id: null, pending_deadline_at: null, updated_at: sql<Date>`now()` })
    .where('id', '=', vmId)
    .where('tenant_id', '=', tenantId)
    .where('pending_operation_id', '=', operationId)
    .execute();
}
