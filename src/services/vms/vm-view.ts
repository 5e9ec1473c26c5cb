import type { Selectable } from 'kysely';
import type { OperationLogsTable, VirtualMachinesTable } from '../../db/tables.ts';

export type VmRow = Selectable<VirtualMachinesTable>;
export type OperationRow = Selectable<OperationLogsTable>;

const isoOrNull = (value: Date | null) => (value ? value.toISOString() : null);

/** Converts a VM row to its API form; memory is in MiB, as Nova's flavor gives it. */
export function toVmView(vm: VmRow) {
  return {
    id: vm.id,
    systemId: vm.system_id,
    name: vm.name,
    description: vm.description,
    status: vm.status,
    pendingAction: vm.pending_action,
    pendingOperationId: vm.pending_operation_id,
    pendingDeadlineAt: isoOrNull(vm.pending_deadline_at),
    serverId: vm.server_id,
    flavor: { id: vm.flavor_id, name: vm.flavor_name },
    image: { id: vm.image_id, name: vm.image_name },
    os: { distro: vm.os_distro, version: vm.os_version },
    network: { id: vm.network_id, name: vm.network_name },
    cpu: vm.cpu_cores,
    memoryMiB: vm.memory_mib,
    rootDiskGiB: vm.root_disk_gib,
    volumeGiB: vm.volume_gib,
    bootVolumeId: vm.boot_volume_id,
    primaryIp: vm.primary_ip,
    addresses: vm.addresses as VmAddressView[],
    faultMessage: vm.fault_message,
    nova: { status: vm.nova_status, vmState: vm.nova_vm_state, taskState: vm.nova_task_state, powerState: vm.power_state },
    createdAt: vm.created_at.toISOString(),
    updatedAt: vm.updated_at.toISOString(),
    launchedAt: isoOrNull(vm.launched_at),
    lastSyncedAt: isoOrNull(vm.last_synced_at),
    deletedAt: isoOrNull(vm.deleted_at),
  };
}

export interface VmAddressView {
  network: string;
  addr: string;
  version: number;
  type: string;
  mac: string | null;
}

export type VmView = ReturnType<typeof toVmView>;

/** Converts an operation log row to its API form. */
export function toOperationView(operation: OperationRow) {
  return {
    id: operation.id,
    vmId: operation.vm_id,
    kind: operation.kind,
    status: operation.status,
    requestId: operation.request_id,
    openstackRequestId: operation.openstack_request_id,
    startedAt: operation.started_at.toISOString(),
    finishedAt: isoOrNull(operation.finished_at),
    deadlineAt: isoOrNull(operation.deadline_at),
    errorCode: operation.error_code,
    errorMessage: operation.error_message,
  };
}

export type OperationView = ReturnType<typeof toOperationView>;
