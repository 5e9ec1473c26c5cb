import { isDeepStrictEqual } from 'node:util';
import { sql } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';
import { parseServerAddresses, type NovaAddresses } from '../../domain/addresses.ts';
import type { NovaObservation } from '../../domain/vm-actions.ts';
import { mapNovaServerNotFound, mapNovaServerState } from '../../domain/vm-status.ts';
import { getServer, isOpenStackError, type OpenStackClient, type Server } from '../../openstack/index.ts';
import type { VmLog } from './context.ts';
import type { VmRow } from './vm-view.ts';

/** A server as polled: the server itself, or null after a 404. */
export type PolledServer = Server | null;

/** Reads the server; a 404 returns null, any other failure is thrown. */
export async function pollServer(client: OpenStackClient, serverId: string): Promise<PolledServer> {
  try {
    return await getServer(client, serverId);
  } catch (error) {
    if (isOpenStackError(error, 'OS_NOT_FOUND')) return null;
    throw error;
  }
}

/** Converts a polled server to the domain's observation for `evaluateActionProgress`. */
export function toObservation(server: PolledServer): NovaObservation {
  if (server === null) return { notFound: true };
  return { status: server.status, taskState: server.taskState, vmState: server.vmState, fault: server.fault };
}

/** Converts the client's address lists to Nova's wire form, which `parseServerAddresses` validates. */
function toNovaAddresses(server: Server): NovaAddresses {
  const result: Record<string, { addr: string; version: number; 'OS-EXT-IPS:type'?: string; 'OS-EXT-IPS-MAC:mac_addr'?: string }[]> = {};
  for (const [network, entries] of Object.entries(server.addresses)) {
    result[network] = entries.map((entry) => ({
      addr: entry.addr,
      version: entry.version,
      ...(entry.type === null ? {} : { 'OS-EXT-IPS:type': entry.type }),
      ...(entry.macAddr === null ? {} : { 'OS-EXT-IPS-MAC:mac_addr': entry.macAddr }),
    }));
  }
  return result;
}

/** Computes the VM columns that follow Nova from one observation. */
export function observedColumns(vm: VmRow, server: PolledServer, log: VmLog) {
  if (server === null) {
    const mapped = mapNovaServerNotFound();
    return { status: mapped.status, nova_status: null, nova_task_state: null, nova_vm_state: null };
  }

  const mapped = mapNovaServerState(server);
  if (!mapped.recognised) {
    log.warn({ vmId: vm.id, serverId: server.id, novaStatus: server.status }, 'Nova reported a status the portal does not map; showing unknown');
  }

  const parsed = parseServerAddresses(toNovaAddresses(server), vm.network_name ?? undefined);
  if (parsed.rejected.length > 0) {
    log.warn({ vmId: vm.id, serverId: server.id, rejected: parsed.rejected.length }, 'Nova returned invalid addresses; they are left out');
  }

  const bootVolumeId = vm.boot_volume_id ?? (vm.image_id !== null && server.imageId === null ? (server.attachedVolumeIds[0] ?? null) : null);

  return {
    status: mapped.status,
    nova_status: mapped.novaStatus,
    nova_task_state: mapped.taskState,
    nova_vm_state: mapped.vmState,
    power_state: server.powerState,
    // A fault is kept after the VM leaves ERROR only until Nova reports a new state without one.
    fault_message: mapped.status === 'error' ? (mapped.faultMessage ?? vm.fault_message) : null,
    primary_ip: parsed.primaryIp,
    addresses: parsed.addresses,
    floating_ips: parsed.floating,
    launched_at: server.launchedAt,
    nova_updated_at: server.updated,
    boot_volume_id: bootVolumeId,
    ...observedSize(vm, server, bootVolumeId),
  };
}

/**
 * Returns the size columns that follow the server's flavor, so a resize done outside the portal
 * shows and is billed. Nova embeds the flavor's size from microversion 2.47; before that the server
 * names only the flavor id, and the stored size is kept.
 */
function observedSize(vm: VmRow, server: Server, bootVolumeId: string | null) {
  const { flavor } = server;
  if (flavor.vcpus === null || flavor.ramMiB === null || flavor.vcpus <= 0 || flavor.ramMiB <= 0) return {};

  // A volume-booted server's root disk is the volume, so the flavor's disk size does not apply.
  const bootsFromImage = bootVolumeId === null && server.imageId !== null;
  return {
    cpu_cores: flavor.vcpus,
    memory_mib: flavor.ramMiB,
    ...(bootsFromImage && flavor.diskGiB !== null && flavor.diskGiB > 0 ? { root_disk_gib: flavor.diskGiB } : {}),
    // From 2.47 Nova embeds the flavor without its id. After a resize the stored id would name the
    // old flavor, so it is replaced by what Nova sent (null from 2.47).
    ...(flavor.name === null || flavor.name === vm.flavor_name ? {} : { flavor_name: flavor.name, flavor_id: flavor.id }),
  };
}

/**
 * Returns the observed columns whose value differs from the VM row, ready to write (JSON
 * columns as text). An empty object means Nova shows nothing new.
 */
export function changedColumns(vm: VmRow, observed: Record<string, unknown>): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(observed)) {
    if (!sameColumnValue(column, vm[column as keyof VmRow], value)) {
      changes[column] = JSON_COLUMNS.has(column) ? JSON.stringify(value) : value;
    }
  }
  return changes;
}

const JSON_COLUMNS = new Set(['addresses', 'floating_ips']);

const jsonRoundTrip = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

/**
 * Compares a stored column value with a newly observed one. jsonb returns object keys in its own
 * order, so JSON columns are compared as structures after a JSON round trip, not as text.
 */
export function sameColumnValue(column: string, current: unknown, next: unknown): boolean {
  if (JSON_COLUMNS.has(column)) return isDeepStrictEqual(jsonRoundTrip(current), jsonRoundTrip(next));
  if (current instanceof Date || next instanceof Date) {
    return (current as Date | null)?.getTime() === (next as Date | null)?.getTime();
  }
  return current === next;
}

/**
 * Writes what Nova reported to the VM row: only the columns whose value changed, and a status
 * history row when the portal status changed. Returns the VM as it is now.
 */
export async function applyObservation(
  db: DbOrTrx,
  vm: VmRow,
  server: PolledServer,
  source: 'action' | 'sync' | 'watch',
  log: VmLog,
): Promise<VmRow> {
  const changes = changedColumns(vm, observedColumns(vm, server, log));
  if (Object.keys(changes).length === 0) return vm;

  const updated = await db
    .updateTable('virtual_machines')
    .set({ ...changes, last_synced_at: new Date(), updated_at: sql<Date>`now()` })
    .where('id', '=', vm.id)
    .where('tenant_id', '=', vm.tenant_id)
    .returningAll()
    .executeTakeFirstOrThrow();

  if (updated.status !== vm.status) {
    await db
      .insertInto('vm_status_history')
      .values({
        vm_id: vm.id,
        tenant_id: vm.tenant_id,
        from_status: vm.status,
        to_status: updated.status,
        nova_status: updated.nova_status,
        nova_task_state: updated.nova_task_state,
        source,
      })
      .execute();
  }
  return updated;
}
