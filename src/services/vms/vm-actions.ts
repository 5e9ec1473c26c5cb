import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Trx } from '../../db/database.ts';
import { decideVmAction, type VmAction } from '../../domain/vm-actions.ts';
import { isPendingAction, isPortalVmStatus, type PortalVmStatus } from '../../domain/vm-status.ts';
import { PortalError } from '../../errors/portal-error.ts';
import { isOpenStackError } from '../../openstack/index.ts';
import { tenantScope } from '../../db/tenant-scope.ts';
import type { VmCaller, VmServiceDeps } from './context.ts';
import { enqueueWatch } from './create-vm.ts';
import { sendServerAction, sendServerDelete, type PowerAction } from './nova-calls.ts';
import { pollServer } from './observe.ts';
import { describeOpenStackError, portalErrorFor, requestIdOf } from './openstack-failure.ts';
import { finishOperation, markOperationRunning } from './operations.ts';
import { toOperationView, type OperationRow, type OperationView, type VmRow } from './vm-view.ts';

/** Phase of a delete that stops a running VM first; the watch job moves it from `stopping` to `deleting`. */
export type DeletePhase = 'stopping' | 'deleting';

type Accepted = { kind: 'done'; operation: OperationRow } | { kind: 'call'; operation: OperationRow; vm: VmRow; stopFirst: boolean };

/**
 * Requests a power action or a delete. In one transaction the VM row is locked and the domain
 * rules decide; an accepted action sets the pending action and writes the operation. Nova is
 * called after the commit, and the operation-watch job confirms the outcome.
 */
export async function requestVmAction(deps: VmServiceDeps, caller: VmCaller, vmId: string, action: VmAction, options: { force?: boolean } = {}): Promise<OperationView> {
  const accepted = await deps.database.transaction((trx) => acceptAction(deps, trx, caller, vmId, action, options.force === true));
  if (accepted.kind === 'done') {
    caller.log.info({ userId: caller.userId, tenantId: caller.tenantId, vmId, operationId: accepted.operation.id, action }, 'VM action needs no Nova call');
    return toOperationView(accepted.operation);
  }

  const { operation, vm, stopFirst } = accepted;
  const serverId = vm.server_id as string;
  const client = deps.clouds.forBinding({ cloud: vm.cloud, region: vm.region, projectId: vm.project_id });

  try {
    const sent = action === 'delete' && !stopFirst ? await sendServerDelete(client, serverId) : await sendServerAction(client, serverId, powerActionFor(action));
    const running = await markOperationRunning(deps.database.db, operation.id, sent.requestId);
    caller.log.info({ userId: caller.userId, tenantId: caller.tenantId, vmId, operationId: operation.id, openstackRequestId: sent.requestId, action }, 'Nova accepted the VM action');
    await enqueueWatch(deps, caller, operation.id);
    return toOperationView(running);
  } catch (error) {
    return handleNovaFailure(deps, caller, vm, operation, action, error);
  }
}

function powerActionFor(action: VmAction): PowerAction {
  return action === 'delete' ? 'stop' : action;
}

async function acceptAction(deps: VmServiceDeps, trx: Trx, caller: VmCaller, vmId: string, action: VmAction, force: boolean): Promise<Accepted> {
  const vm = await tenantScope(trx, caller.tenantId).selectFrom('virtual_machines').selectAll().where('id', '=', vmId).forUpdate().executeTakeFirst();
  if (!vm) throw new PortalError('NOT_FOUND', { resource: 'VM', id: vmId });

  const status: PortalVmStatus = isPortalVmStatus(vm.status) ? vm.status : 'unknown';
  const pending = vm.pending_action !== null && isPendingAction(vm.pending_action) ? vm.pending_action : null;
  const decision = decideVmAction({ action, status, pendingAction: pending, force });

  if (decision.kind === 'conflict') {
    if (decision.reason === 'pending_action') throw new PortalError('VM_ACTION_PENDING', { vm: vm.name, pendingAction: pending ?? '', action });
    if (decision.reason === 'force_required') throw new PortalError('VM_FORCE_REQUIRED', { vm: vm.name });
    throw new PortalError('VM_INVALID_STATE', { vm: vm.name, state: status, action, allowed: decision.allowedStatuses.join(', ') });
  }

  if (decision.kind === 'already') {
    return { kind: 'done', operation: await insertOperation(trx, caller, vm, action, 'succeeded', null, {}) };
  }

  // A VM whose create failed before Nova returned a server id has nothing to act on in Nova.
  if (vm.server_id === null) {
    if (action !== 'delete') throw new PortalError('VM_INVALID_STATE', { vm: vm.name, state: status, action, allowed: 'running, stopped' });
    const operation = await insertOperation(trx, caller, vm, action, 'succeeded', null, {});
    await trx
      .updateTable('virtual_machines')
      .set({ status: 'deleted', deleted_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
      .where('id', '=', vm.id)
      .where('tenant_id', '=', vm.tenant_id)
      .execute();
    await trx.insertInto('vm_status_history').values({ vm_id: vm.id, tenant_id: vm.tenant_id, from_status: vm.status, to_status: 'deleted', source: 'action' }).execute();
    return { kind: 'done', operation };
  }

  const deadline = new Date(Date.now() + deps.actionDeadlineMs);
  const details = action === 'delete' ? { phase: (decision.needsStopFirst ? 'stopping' : 'deleting') satisfies DeletePhase } : {};
  const operation = await insertOperation(trx, caller, vm, action, 'pending', deadline, details);
  await trx
    .updateTable('virtual_machines')
    .set({ pending_action: decision.pending, pending_operation_id: operation.id, pending_deadline_at: deadline, updated_at: sql<Date>`now()` })
    .where('id', '=', vm.id)
    .where('tenant_id', '=', vm.tenant_id)
    .execute();

  return { kind: 'call', operation, vm, stopFirst: decision.needsStopFirst };
}

function insertOperation(trx: Trx, caller: VmCaller, vm: VmRow, action: VmAction, status: 'pending' | 'succeeded', deadline: Date | null, details: Record<string, unknown>): Promise<OperationRow> {
  return trx
    .insertInto('operation_logs')
    .values({
      id: randomUUID(),
      tenant_id: caller.tenantId,
      vm_id: vm.id,
      system_id: vm.system_id,
      kind: action,
      status,
      requested_by: caller.userId,
      request_id: caller.requestId,
      deadline_at: deadline,
      ...(status === 'succeeded' ? { finished_at: sql<Date>`now()` } : {}),
      details: JSON.stringify(details),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Records a failed Nova call, then returns the operation or raises the error for the caller. A
 * timeout leaves the outcome unknown, because Nova may have acted, so the operation keeps running
 * and the watch job decides. A delete that finds the server gone has reached its target.
 */
async function handleNovaFailure(deps: VmServiceDeps, caller: VmCaller, vm: VmRow, operation: OperationRow, action: VmAction, error: unknown): Promise<OperationView> {
  const openstackRequestId = requestIdOf(error);
  const logFields = { userId: caller.userId, tenantId: caller.tenantId, vmId: vm.id, operationId: operation.id, openstackRequestId, action };

  if (isOpenStackError(error, 'OS_TIMEOUT') || (action === 'delete' && isOpenStackError(error, 'OS_NOT_FOUND'))) {
    caller.log.warn({ ...logFields, err: error }, 'Nova call ended without a clear outcome; the operation-watch job confirms it');
    const running = await markOperationRunning(deps.database.db, operation.id, openstackRequestId);
    await enqueueWatch(deps, caller, operation.id);
    return toOperationView(running);
  }

  const reason = describeOpenStackError(error);
  caller.log.warn({ ...logFields, err: error }, 'Nova rejected the VM action');
  await finishOperation(deps.database.db, operation, { status: 'failed', errorCode: (error as { code?: string }).code ?? 'INTERNAL', errorMessage: reason, openstackRequestId });

  if (isOpenStackError(error, 'OS_CONFLICT')) {
    const novaState = error.conflict?.vmState ?? error.openstackMessage ?? 'unknown';
    throw new PortalError('VM_INVALID_STATE', { vm: vm.name, state: `${novaState} (Nova)`, action, allowed: '-' }, { cause: error });
  }

  if (isOpenStackError(error, 'OS_NOT_FOUND')) {
    // Confirms that the server is gone, rather than a wrong endpoint returning 404.
    const server = await pollServer(deps.clouds.forBinding({ cloud: vm.cloud, region: vm.region, projectId: vm.project_id }), vm.server_id as string).catch(() => undefined);
    if (server === null) throw new PortalError('NOT_FOUND', { resource: 'Nova server', id: vm.server_id as string }, { cause: error });
  }
  throw portalErrorFor(error);
}
