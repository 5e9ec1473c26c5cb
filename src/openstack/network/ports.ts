import type { OpenStackClient } from '../client.ts';
import { isJsonObject, optionalBoolean, optionalString, requireObject, requireString } from '../decode.ts';
import { deleteNeutron, getNeutron, listNeutron } from './common.ts';

export interface Port {
  id: string;
  name: string;
  networkId: string;
  /** Server id for a server's port; empty for an unattached port. */
  deviceId: string;
  /** e.g. `compute:nova`, `network:dhcp`, `network:router_interface`. */
  deviceOwner: string;
  macAddress: string | null;
  /** `ACTIVE`, `DOWN`, `BUILD`. With Nova's fake driver ports stay DOWN, as no tap device is plugged. */
  status: string;
  adminStateUp: boolean;
  projectId: string | null;
  fixedIps: Array<{ subnetId: string; ipAddress: string }>;
  /** `binding:host_id`; admin only. */
  bindingHostId: string | null;
  /** `binding:vif_type`; admin only. */
  bindingVifType: string | null;
}

export function decodePort(value: unknown): Port {
  const port = requireObject(value, 'port');
  const fixedIps = Array.isArray(port['fixed_ips']) ? port['fixed_ips'].filter(isJsonObject) : [];
  return {
    id: requireString(port, 'id', 'port'),
    name: optionalString(port, 'name') ?? '',
    networkId: optionalString(port, 'network_id') ?? '',
    deviceId: optionalString(port, 'device_id') ?? '',
    deviceOwner: optionalString(port, 'device_owner') ?? '',
    macAddress: optionalString(port, 'mac_address'),
    status: optionalString(port, 'status') ?? 'UNKNOWN',
    adminStateUp: optionalBoolean(port, 'admin_state_up') ?? true,
    projectId: optionalString(port, 'project_id') ?? optionalString(port, 'tenant_id'),
    fixedIps: fixedIps.map((ip) => ({ subnetId: optionalString(ip, 'subnet_id') ?? '', ipAddress: optionalString(ip, 'ip_address') ?? '' })),
    bindingHostId: optionalString(port, 'binding:host_id'),
    bindingVifType: optionalString(port, 'binding:vif_type'),
  };
}

export interface ListPortsFilters {
  deviceId?: string;
  networkId?: string;
  deviceOwner?: string;
  projectId?: string;
  limit?: number;
  signal?: AbortSignal;
}

export function listPorts(client: OpenStackClient, filters: ListPortsFilters = {}): Promise<Port[]> {
  const query = {
    device_id: filters.deviceId,
    network_id: filters.networkId,
    device_owner: filters.deviceOwner,
    project_id: filters.projectId,
    limit: filters.limit,
  };
  return listNeutron(client, 'ports', query, decodePort, filters.signal);
}

export function getPort(client: OpenStackClient, portId: string, signal?: AbortSignal): Promise<Port> {
  return getNeutron(client, 'ports', 'port', portId, decodePort, signal);
}

/** Deletes a port, e.g. one left behind after a failed server build. */
export function deletePort(client: OpenStackClient, portId: string, signal?: AbortSignal): Promise<void> {
  return deleteNeutron(client, 'ports', portId, signal);
}
