import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import { evaluateActionProgress } from '../domain/vm-actions.ts';
import type { PendingAction } from '../domain/vm-status.ts';
import { deletePort, deleteVolume, isOpenStackError, listPorts, type OpenStackClient } from '../openstack/index.ts';
import { sharedCloudClients, type CloudClients } from '../services/cloud/cloud-clients.ts';
import { sendServerDelete } from '../services/vms/nova-calls.ts';
import { applyObservation, pollServer, toObservation } from '../services/vms/observe.ts';
import { describeOpenStackError, isTransientOpenStackError } from '../services/vms/openstack-failure.ts';
import { finishOperation } from '../services/vms/operations.ts';
import type { OperationRow, VmRow } from '../services/vms/vm-view.ts';
import type { JobDefinition } from './job-definitions.ts';

export interface WatchDeps {
  database: Database;
  clouds: CloudClients;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
}

export interface WatchOptions {
  /** First wait between two polls, in milliseconds. Default 2000. */
  pollIntervalMs?: number;
  /** Cap on the wait between polls, in milliseconds. Default 15000. */
  maxPollIntervalMs?: number;
  /** Factor by which the wait grows after each poll that shows no end. Default 1.5. */
  backoffFactor?: number;
}

export type WatchResult = 'succeeded' | 'failed' | 'timed_out' | 'already_finished';

const PENDING_BY_KIND: Partial<Record<OperationRow['kind'], PendingAction>> = {
  create: 'creating',
  start: 'starting',
  stop: 'stopping',
  reboot: 'rebooting',
  hard_reboot: 'rebooting',
  delete: 'deleting',
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Follows one operation until Nova shows its end, it fails, or its deadline passes. Each poll
 * writes what changed to the VM. A delete that had to stop the VM first sends the delete once
 * the VM is stopped, and after Nova's 404 removes the ports and boot volume the portal left
 * behind, then soft-deletes the VM. OpenStack errors are thrown, so pg-boss retries the job,
 * and they never mark the VM as failed.
 */
export async function watchOperation(deps: WatchDeps, operationId: string, options: WatchOptions = {}): Promise<WatchResult> {
  let interval = options.pollIntervalMs ?? 2000;
  const maxInterval = options.maxPollIntervalMs ?? 15_000;
  const factor = options.backoffFactor ?? 1.5;

  for (;;) {
    const loaded = await loadOperation(deps.database, operationId);
    if (!loaded) return 'already_finished';
    const { operation, vm } = loaded;

    if (operation.deadline_at !== null && operation.deadline_at.getTime() <= Date.now()) {
      await finishOperation(deps.database.db, operation, {
        status: 'timed_out',
        errorCode: 'DEADLINE_PASSED',
        errorMessage: `Nova did not confirm ${operation.kind} before ${operation.deadline_at.toISOString()}; refresh the VM to see its current state`,
      });
      deps.logger.warn({ operationId, vmId: vm.id, tenantId: vm.tenant_id, kind: operation.kind }, 'operation timed out');
      return 'timed_out';
    }

    const step = await pollOnce(deps, operation, vm);
    if (step !== 'in_progress') return step;

    await sleep(interval);
    interval = Math.min(maxInterval, interval * factor);
  }
}

async function loadOperation(database: Database, operationId: string): Promise<{ operation: OperationRow; vm: VmRow } | null> {
  const operation = await database.db.selectFrom('operation_logs').selectAll().where('id', '=', operationId).executeTakeFirst();
  if (!operation || (operation.status !== 'pending' && operation.status !== 'running') || operation.vm_id === null) return null;

  const vm = await database.db.selectFrom('virtual_machines').selectAll().where('id', '=', operation.vm_id).where('tenant_id', '=', operation.tenant_id).executeTakeFirstOrThrow();
  return { operation, vm };
}

function deletePhaseOf(operation: OperationRow): 'stopping' | 'deleting' {
  return (operation.details as { phase?: string }).phase === 'stopping' ? 'stopping' : 'deleting';
}

async function pollOnce(deps: WatchDeps, operation: OperationRow, vm: VmRow): Promise<WatchResult | 'in_progress'> {
  const logFields = { operationId: operation.id, vmId: vm.id, tenantId: vm.tenant_id, openstackRequestId: operation.openstack_request_id };
  const pending = operation.kind === 'delete' && deletePhaseOf(operation) === 'stopping' ? 'stopping' : PENDING_BY_KIND[operation.kind];
  if (pending === undefined || vm.server_id === null) {
    await finishOperation(deps.database.db, operation, { status: 'failed', errorCode: 'NOT_WATCHABLE', errorMessage: `operation kind ${operation.kind} on a VM without a server cannot be watched` });
    return 'failed';
  }

  const client = deps.clouds.forBinding({ cloud: vm.cloud, region: vm.region, projectId: vm.project_id });
  const server = await pollServer(client, vm.server_id);
  const progress = evaluateActionProgress(pending, toObservation(server));

  // A delete leaves the row to finishDelete, which writes status and deleted_at together.
  const observed = progress.state === 'completed' && pending === 'deleting' ? vm : await applyObservation(deps.database.db, vm, server, 'watch', deps.logger);

  if (progress.state === 'in_progress') return 'in_progress';

  if (progress.state === 'failed') {
    const message = progress.faultMessage ?? (progress.reason === 'not_found' ? 'the Nova server no longer exists' : 'Nova reported ERROR without a fault message');
    await finishOperation(deps.database.db, operation, { status: 'failed', errorCode: progress.reason === 'not_found' ? 'SERVER_NOT_FOUND' : 'SERVER_ERROR', errorMessage: message });
    deps.logger.warn({ ...logFields, reason: progress.reason, faultMessage: message }, 'operation failed');
    return 'failed';
  }

  if (pending === 'stopping' && operation.kind === 'delete') {
    await startDeletePhase(deps, client, operation, observed);
    return 'in_progress';
  }

  if (pending === 'deleting') {
    await finishDelete(deps, client, operation, vm);
  } else {
    await finishOperation(deps.database.db, operation, { status: 'succeeded' });
  }
  deps.logger.info({ ...logFields, kind: operation.kind, status: progress.status }, 'operation succeeded');
  return 'succeeded';
}

/** Sends the delete of a forced delete once the VM is stopped, and records the new phase. */
async function startDeletePhase(deps: WatchDeps, client: OpenStackClient, operation: OperationRow, vm: VmRow): Promise<void> {
  try {
    const sent = await sendServerDelete(client, vm.server_id as string);
    if (sent.requestId) await deps.database.db.updateTable('operation_logs').set({ openstack_request_id: sent.requestId }).where('id', '=', operation.id).execute();
  } catch (error) {
    // A server that is already gone needs no delete, and the next poll gets its 404.
    if (!isOpenStackError(error, 'OS_NOT_FOUND')) throw error;
  }

  await deps.database.db
    .updateTable('operation_logs')
    .set({ details: JSON.stringify({ ...(operation.details as object), phase: 'deleting' }) })
    .where('id', '=', operation.id)
    .execute();
  deps.logger.info({ operationId: operation.id, vmId: vm.id, tenantId: vm.tenant_id }, 'VM stopped; delete sent');
}

/**
 * Removes what Nova leaves after a delete, then soft-deletes the VM and ends the operation. Nova
 * deletes the ports it created itself, so this removes only ports still bound to the server id.
 * It also deletes the boot volume, which the portal creates with delete_on_termination false.
 */
async function finishDelete(deps: WatchDeps, client: OpenStackClient, operation: OperationRow, vm: VmRow): Promise<void> {
  const serverId = vm.server_id as string;
  const ports = await listPorts(client, { deviceId: serverId });
  for (const port of ports) {
    await ignoreNotFound(deletePort(client, port.id));
  }
  if (vm.boot_volume_id !== null) {
    await ignoreNotFound(deleteVolume(client, vm.boot_volume_id));
  }

  await deps.database.transaction(async (trx) => {
    await trx
      .updateTable('virtual_machines')
      .set({ status: 'deleted', deleted_at: sql<Date>`now()`, nova_status: null, nova_task_state: null, updated_at: sql<Date>`now()`, last_synced_at: sql<Date>`now()` })
      .where('id', '=', vm.id)
      .where('tenant_id', '=', vm.tenant_id)
      .execute();
    if (vm.status !== 'deleted') {
      await trx.insertInto('vm_status_history').values({ vm_id: vm.id, tenant_id: vm.tenant_id, from_status: vm.status, to_status: 'deleted', source: 'watch' }).execute();
    }
    await finishOperation(trx, operation, { status: 'succeeded' });
  });
  deps.logger.info({ operationId: operation.id, vmId: vm.id, tenantId: vm.tenant_id, portsDeleted: ports.length, bootVolumeDeleted: vm.boot_volume_id !== null }, 'VM deleted and cleaned up');
}

async function ignoreNotFound(call: Promise<void>): Promise<void> {
  try {
    await call;
  } catch (error) {
    if (!isOpenStackError(error, 'OS_NOT_FOUND')) throw error;
  }
}

/** Runs watchOperation for queued jobs; a thrown OpenStack error makes pg-boss retry with backoff. */
export function createOperationWatchJob(clouds: () => CloudClients = sharedCloudClients): JobDefinition<{ operationId?: string }> {
  return {
    name: 'operation-watch',
    // Longer than the default 10-minute action deadline, so the job itself ends the operation.
    expireInSeconds: 15 * 60,
    retryLimit: 5,
    retryDelaySeconds: 10,
    async handle(payload, { database, logger }) {
      if (typeof payload.operationId !== 'string') {
        logger.error({ payload }, 'operation-watch job has no operationId; the job is dropped');
        return { dropped: 1 };
      }
      try {
        const result = await watchOperation({ database, clouds: clouds(), logger }, payload.operationId);
        return { [result]: 1 };
      } catch (error) {
        // The operation stays open, so the retried job polls again.
        const fields = { operationId: payload.operationId, reason: describeOpenStackError(error) };
        if (isTransientOpenStackError(error)) logger.warn(fields, 'operation-watch poll failed on a transient OpenStack error; pg-boss retries the job');
        else logger.error(fields, 'operation-watch poll failed; pg-boss retries the job up to its retry limit');
        throw error;
      }
    },
  };
}

export const operationWatchJob = createOperationWatchJob();
