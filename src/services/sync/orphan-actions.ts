import { sql } from 'kysely';
import type { NamedVm, OrphanKind } from '../../domain/orphan-servers.ts';
import { deleteServer, isOpenStackError } from '../../openstack/index.ts';
import { OPERATION_WATCH_JOB } from '../vms/context.ts';
import { describeOpenStackError } from '../vms/openstack-failure.ts';
import { claimDeletion, markDeletionGone, recordOrphan, releaseDeletion, resolveServer, type CloudPlace, type OrphanRow, type OrphanServerFacts } from './orphan-records.ts';
import type { SweepRun } from './orphan-sweep.ts';

// What the sweep does with one server once decideOrphan has chosen: link it, delete it, or report it.

/** New orphans logged one by one in a run; the run's last log line counts the rest. */
const MAX_ORPHAN_LOG_LINES = 50;

/** A listed server, reduced to what the sweep keeps in memory. */
export interface ListedServer {
  id: string;
  name: string;
  projectId: string;
  status: string;
  /** The `portal_vm_id` metadata, or null without one. */
  portalVmId: string | null;
  attachedVolumeIds: string[];
}

/** The VM record a server's `portal_vm_id` names, with the ids its operation log needs. */
export interface NamedVmRow {
  id: string;
  tenantId: string;
  systemId: string;
  facts: NamedVm;
}

/**
 * Records the server as the server of its VM, which the create request could not do because its
 * process stopped after Nova's create. The update applies only while the record is still creating
 * without a server, so a late create request or vm-sync that linked it first wins.
 */
export async function linkCreatingVm(run: SweepRun, place: CloudPlace, server: ListedServer, vm: NamedVmRow): Promise<void> {
  const linked = await run.deps.database.transaction(async (trx) => {
    const updated = await trx
      .updateTable('virtual_machines')
      .set({ server_id: server.id, updated_at: sql<Date>`now()` })
      .where('id', '=', vm.id)
      .where('tenant_id', '=', vm.tenantId)
      .where('server_id', 'is', null)
      .where('deleted_at', 'is', null)
      .where('status', '=', 'creating')
      .returning(['id', 'pending_action', 'pending_operation_id'])
      .executeTakeFirst();
    if (!updated) return undefined;

    // Nova accepted the create, which the create request would have recorded by marking its operation running.
    if (updated.pending_action === 'creating' && updated.pending_operation_id !== null) {
      await trx.updateTable('operation_logs').set({ status: 'running' }).where('id', '=', updated.pending_operation_id).where('status', '=', 'pending').execute();
    }
    await resolveServer(trx, place, server.id, 'linked', run.now);
    return updated;
  });
  if (!linked) return;

  run.counts.linked += 1;
  const fields = { vmId: vm.id, tenantId: vm.tenantId, serverId: server.id, projectId: server.projectId, operationId: linked.pending_operation_id };
  run.deps.logger.info(fields, 'orphan-sweep linked a server to the VM record it was created for');

  if (linked.pending_action === 'creating' && linked.pending_operation_id !== null && run.deps.queue) {
    try {
      await run.deps.queue.send(OPERATION_WATCH_JOB, { operationId: linked.pending_operation_id }, { singletonKey: linked.pending_operation_id });
    } catch (error) {
      // The link is committed and a rerun would not send the watch again, so the failure is logged rather than raised.
      run.deps.logger.error({ ...fields, err: error }, 'failed to enqueue operation-watch for a linked create; vm-sync completes it once Nova shows the server ACTIVE');
    }
  }
}

/**
 * Deletes in Nova the server of a create that the portal recorded as failed. The orphan row is
 * claimed first, so of two sweeps at once only one sends the delete. A rejected delete reopens the
 * row for the next run, and a 404 resolves it as `gone`.
 */
export async function deleteFailedCreateServer(run: SweepRun, place: CloudPlace, server: ListedServer, vm: NamedVmRow): Promise<void> {
  const db = run.deps.database.db;
  const rowId = await claimDeletion(db, place, orphanFacts(server), run.now, run.graceMs);
  if (rowId === null) return;

  const fields = { vmId: vm.id, tenantId: vm.tenantId, serverId: server.id, projectId: server.projectId, cloud: place.cloud, region: place.region };
  const client = run.deps.clouds.forBinding({ cloud: place.cloud, region: place.region, projectId: server.projectId });
  run.counts.openstackCalls += 1;
  let requestId: string | null;
  try {
    requestId = (await deleteServer(client, server.id)).requestId;
  } catch (error) {
    if (isOpenStackError(error, 'OS_NOT_FOUND')) {
      await markDeletionGone(db, rowId);
      run.counts.resolvedGone += 1;
      return;
    }
    await releaseDeletion(db, rowId, run.now);
    run.failures.push(error);
    run.deps.logger.warn({ ...fields, reason: describeOpenStackError(error) }, 'orphan-sweep failed to delete the server of a failed create; the next run tries again');
    return;
  }

  await db
    .insertInto('operation_logs')
    .values({
      tenant_id: vm.tenantId,
      vm_id: vm.id,
      system_id: vm.systemId,
      kind: 'sync',
      status: 'succeeded',
      openstack_request_id: requestId,
      finished_at: sql<Date>`now()`,
      details: JSON.stringify({ deletedServerId: server.id, reason: 'the Nova server of a create the portal recorded as failed' }),
    })
    .execute();
  run.counts.deleted += 1;
  // NOTE: a boot volume made with delete_on_termination false outlives the server; its id is logged for an operator.
  run.deps.logger.info({ ...fields, openstackRequestId: requestId, attachedVolumeIds: server.attachedVolumeIds }, 'orphan-sweep deleted the server of a failed create');
}

/**
 * Records an orphan for operators, and logs it the first time it is seen. A server whose open row
 * already stores what the listing shows is only added to `unchanged`, whose rows the caller
 * touches in one statement, so a run over many known orphans costs few writes.
 */
export async function reportOrphan(run: SweepRun, place: CloudPlace, server: ListedServer, kind: OrphanKind, openRow: OrphanRow | undefined, unchanged: string[]): Promise<void> {
  if (openRow !== undefined && storesListing(openRow, server, kind)) {
    unchanged.push(openRow.id);
    return;
  }

  const recorded = await recordOrphan(run.deps.database.db, place, orphanFacts(server), kind, run.now, run.graceMs);
  if (recorded !== 'new') return;

  run.counts.reported += 1;
  if (run.orphansLogged >= MAX_ORPHAN_LOG_LINES) {
    run.orphansNotLogged += 1;
    return;
  }
  run.orphansLogged += 1;
  const fields = { cloud: place.cloud, region: place.region, projectId: server.projectId, serverId: server.id, serverName: server.name, novaStatus: server.status, portalVmId: server.portalVmId, kind };
  if (kind === 'failed_create') {
    run.deps.logger.info(fields, 'orphan-sweep found the server of a failed create; it is deleted when the grace period ends');
  } else {
    run.deps.logger.warn(fields, 'orphan-sweep found a server that no VM record owns; it is kept and listed at /api/v1/admin/orphans');
  }
}

function storesListing(row: OrphanRow, server: ListedServer, kind: OrphanKind): boolean {
  return row.kind === kind && row.server_name === server.name && row.nova_status === server.status && row.portal_vm_id === server.portalVmId;
}

function orphanFacts(server: ListedServer): OrphanServerFacts {
  return { projectId: server.projectId, serverId: server.id, serverName: server.name, novaStatus: server.status, portalVmId: server.portalVmId };
}
