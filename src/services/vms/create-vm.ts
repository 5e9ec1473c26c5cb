import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { checkNovaLimits } from '../../domain/capacity.ts';
import { MIB_PER_GIB } from '../../domain/flavor-choice.ts';
import { checkVmName } from '../../domain/validation-limits.ts';
import { fieldError, invalidFields } from '../../errors/field-error.ts';
import { PortalError } from '../../errors/portal-error.ts';
import { quotaExceededParams } from '../../errors/problem-params.ts';
import { getComputeLimits, type BlockDeviceMapping } from '../../openstack/index.ts';
import { tenantScope } from '../../db/tenant-scope.ts';
import { assertCapacity, remainingCapacity } from './capacity-check.ts';
import { choosePlacement, type Placement, type PlacementRequest } from './catalog-choice.ts';
import { loadTenantCloud, OPERATION_WATCH_JOB, type TenantCloud, type VmCaller, type VmServiceDeps } from './context.ts';
import { sendServerCreate } from './nova-calls.ts';
import { describeOpenStackError, portalErrorFor, requestIdOf } from './openstack-failure.ts';
import { finishOperation, markOperationRunning } from './operations.ts';
import { toVmView, type VmRow, type VmView } from './vm-view.ts';

export interface CreateVmRequest extends PlacementRequest {
  systemId: string;
  name: string;
  description?: string | undefined;
}

/**
 * Creates a VM: checks the request, chooses image, flavor and network, checks the system's
 * capacity, then Nova's project limits, then in one transaction checks the capacity again under a
 * row lock and writes the VM
 * (status creating) and its operation. Nova is called after the commit. The server carries the
 * VM id in its metadata, so a crash in between leaves a server that can be linked to its row.
 * A failure after the row exists keeps the row as `error` with the reason.
 */
export async function createVm(deps: VmServiceDeps, caller: VmCaller, request: CreateVmRequest): Promise<VmView> {
  const name = checkVmName(request.name);
  if (!name.ok) {
    throw invalidFields([
      fieldError('name', 'format', '名称须以字母开头，只含字母、数字和连字符，不以连字符结尾，最长 63 个字符。', 'The name must start with a letter, contain only letters, digits and hyphens, not end with a hyphen, and be at most 63 characters.'),
    ]);
  }

  const tenant = await loadTenantCloud(deps, caller.tenantId);
  await loadActiveSystem(deps, caller.tenantId, request.systemId);

  const placement = await choosePlacement(deps.catalog, tenant.binding, request);
  // The ordered capacity is checked first, so a request over it is refused as such without a call
  // to Nova. The check runs again under the system lock when the row is written.
  await deps.database.transaction(async (trx) => assertCapacity(await remainingCapacity(trx, caller.tenantId, request.systemId), placementSize(placement)));
  await checkProjectLimits(deps, tenant, placement);

  const { vm, operationId } = await insertVmAndOperation(deps, caller, tenant, request, placement);
  caller.log.info({ userId: caller.userId, tenantId: caller.tenantId, vmId: vm.id, operationId }, 'VM create accepted; calling Nova');

  return toVmView(await callNovaCreate(deps, caller, tenant, vm, operationId, placement));
}

/** Returns the capacity a placement takes from its system: cores, memory in GiB, root disk in GiB. */
function placementSize(placement: Placement) {
  const flavor = placement.flavor.flavor;
  return { cpu: flavor.vcpus, memoryGiB: flavor.ramMiB / MIB_PER_GIB, storageGiB: placement.flavor.rootDiskGiB };
}

async function loadActiveSystem(deps: VmServiceDeps, tenantId: string, systemId: string): Promise<void> {
  const system = await tenantScope(deps.database.db, tenantId).selectFrom('information_systems').select(['id', 'code', 'status']).where('id', '=', systemId).executeTakeFirst();
  if (!system) throw new PortalError('NOT_FOUND', { resource: 'information system', id: systemId });
  if (system.status !== 'active') throw new PortalError('SYSTEM_NOT_ACTIVE', { system: system.code, status: system.status });
}

/** Rejects the request before any change when Nova's `/limits` shows the project quota cannot take it. */
async function checkProjectLimits(deps: VmServiceDeps, tenant: TenantCloud, placement: Placement): Promise<void> {
  let limits;
  try {
    limits = await getComputeLimits(deps.clouds.forBinding(tenant.binding));
  } catch (error) {
    throw portalErrorFor(error);
  }

  const check = checkNovaLimits(
    { ...limits, maxTotalRAMSize: limits.maxTotalRAMSizeMiB, totalRAMUsed: limits.totalRAMUsedMiB },
    { instances: 1, cores: placement.flavor.flavor.vcpus, ramMiB: placement.flavor.flavor.ramMiB },
  );
  if (!check.ok) {
    throw new PortalError('QUOTA_EXCEEDED', quotaExceededParams(check.exceeded));
  }
}

async function insertVmAndOperation(deps: VmServiceDeps, caller: VmCaller, tenant: TenantCloud, request: CreateVmRequest, placement: Placement) {
  const vmId = randomUUID();
  const operationId = randomUUID();
  const flavor = placement.flavor.flavor;
  const deadline = new Date(Date.now() + deps.actionDeadlineMs);

  const vm = await deps.database.transaction(async (trx) => {
    // The lock serialises creates in one system, so two requests cannot both take the last capacity.
    await sql`select id from information_systems where id = ${request.systemId} and tenant_id = ${caller.tenantId} for update`.execute(trx);

    const remaining = await remainingCapacity(trx, caller.tenantId, request.systemId);
    assertCapacity(remaining, placementSize(placement));

    const inserted = await trx
      .insertInto('virtual_machines')
      .values({
        id: vmId,
        tenant_id: caller.tenantId,
        system_id: request.systemId,
        name: request.name,
        description: request.description ?? '',
        cloud: tenant.binding.cloud,
        region: tenant.binding.region,
        project_id: tenant.binding.projectId,
        flavor_id: flavor.id,
        flavor_name: flavor.name,
        image_id: placement.image.id,
        image_name: placement.image.name,
        os_distro: placement.image.osDistro ?? request.os?.distro ?? null,
        os_version: placement.image.osVersion ?? request.os?.version ?? null,
        network_id: placement.network.id,
        network_name: placement.network.name,
        cpu_cores: flavor.vcpus,
        memory_mib: flavor.ramMiB,
        root_disk_gib: placement.flavor.rootDiskGiB,
        status: 'creating',
        pending_action: 'creating',
        pending_operation_id: operationId,
        pending_deadline_at: deadline,
        created_by: caller.userId,
      })
      .returningAll()
      .executeTakeFirstOrThrow();

    await trx
      .insertInto('operation_logs')
      .values({
        id: operationId,
        tenant_id: caller.tenantId,
        vm_id: vmId,
        system_id: request.systemId,
        kind: 'create',
        status: 'pending',
        requested_by: caller.userId,
        request_id: caller.requestId,
        deadline_at: deadline,
        details: JSON.stringify({ flavorId: flavor.id, imageId: placement.image.id, networkId: placement.network.id, bootFromVolume: placement.flavor.bootFromVolume }),
      })
      .execute();

    await trx.insertInto('vm_status_history').values({ vm_id: vmId, tenant_id: caller.tenantId, from_status: null, to_status: 'creating', source: 'action' }).execute();
    return inserted;
  });

  return { vm, operationId };
}

async function callNovaCreate(deps: VmServiceDeps, caller: VmCaller, tenant: TenantCloud, vm: VmRow, operationId: string, placement: Placement): Promise<VmRow> {
  const choice = placement.flavor;
  const blockDeviceMappings: BlockDeviceMapping[] | undefined = choice.bootFromVolume
    ? [{ sourceType: 'image', destinationType: 'volume', uuid: placement.image.id, bootIndex: 0, volumeSize: choice.volumeSizeGiB, deleteOnTermination: false }]
    : undefined;

  try {
    const created = await sendServerCreate(deps.clouds.forBinding(tenant.binding), {
      name: vm.name,
      flavorId: choice.flavor.id,
      ...(choice.bootFromVolume ? {} : { imageId: placement.image.id }),
      networks: [{ uuid: placement.network.id }],
      ...(blockDeviceMappings ? { blockDeviceMappings } : {}),
      metadata: { portal_vm_id: vm.id, portal_tenant: tenant.code },
    });

    const updated = await deps.database.transaction(async (trx) => {
      await markOperationRunning(trx, operationId, created.requestId);
      return trx
        .updateTable('virtual_machines')
        .set({ server_id: created.serverId, updated_at: sql<Date>`now()` })
        .where('id', '=', vm.id)
        .where('tenant_id', '=', vm.tenant_id)
        .returningAll()
        .executeTakeFirstOrThrow();
    });
    caller.log.info({ userId: caller.userId, tenantId: caller.tenantId, vmId: vm.id, operationId, serverId: created.serverId, openstackRequestId: created.requestId }, 'Nova accepted the VM create');

    await enqueueWatch(deps, caller, operationId);
    return updated;
  } catch (error) {
    const reason = describeOpenStackError(error);
    const openstackRequestId = requestIdOf(error);
    caller.log.warn({ err: error, userId: caller.userId, tenantId: caller.tenantId, vmId: vm.id, operationId, openstackRequestId }, 'Nova create failed; the VM is kept with status error');

    await deps.database.transaction(async (trx) => {
      await trx.updateTable('virtual_machines').set({ status: 'error', fault_message: reason, updated_at: sql<Date>`now()` }).where('id', '=', vm.id).where('tenant_id', '=', vm.tenant_id).execute();
      await trx.insertInto('vm_status_history').values({ vm_id: vm.id, tenant_id: vm.tenant_id, from_status: 'creating', to_status: 'error', source: 'action' }).execute();
      await finishOperation(trx, { id: operationId, vm_id: vm.id, tenant_id: vm.tenant_id }, { status: 'failed', errorCode: errorCodeOf(error), errorMessage: reason, openstackRequestId });
    });
    const failure = portalErrorFor(error);
    // The error VM row stays, so a retry with the same Idempotency-Key must not create a second one.
    throw new PortalError(failure.code, failure.params, { headers: failure.headers, cause: error, committed: true });
  }
}

function errorCodeOf(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'INTERNAL';
}

/**
 * Sends an operation-watch job. A failed send is logged and not raised, because the Nova call has
 * already been made.
 */
export async function enqueueWatch(deps: VmServiceDeps, caller: VmCaller, operationId: string): Promise<void> {
  if (!deps.queue) return;
  try {
    await deps.queue.send(OPERATION_WATCH_JOB, { operationId }, { singletonKey: operationId });
  } catch (error) {
    // NOTE: without the watch, nothing ends this operation until a sync job exists to do it.
    caller.log.error({ err: error, userId: caller.userId, tenantId: caller.tenantId, operationId }, 'failed to enqueue operation-watch; the operation stays open');
  }
}
