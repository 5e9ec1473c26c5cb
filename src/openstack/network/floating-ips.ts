import type { OpenStackClient } from '../client.ts';
import { optionalString, requireObject, requireString } from '../decode.ts';
import { deleteNeutron, getNeutron, listNeutron } from './common.ts';

export interface FloatingIp {
  id: string;
  floatingIpAddress: string;
  floatingNetworkId: string;
  /** Null while the floating IP is not associated. */
  fixedIpAddress: string | null;
  portId: string | null;
  routerId: string | null;
  status: string;
  projectId: string | null;
}

export function decodeFloatingIp(value: unknown): FloatingIp {
  const floatingIp = requireObject(value, 'floatingip');
  return {
    id: requireString(floatingIp, 'id', 'floatingip'),
    floatingIpAddress: optionalString(floatingIp, 'floating_ip_address') ?? '',
    floatingNetworkId: optionalString(floatingIp, 'floating_network_id') ?? '',
    fixedIpAddress: optionalString(floatingIp, 'fixed_ip_address'),
    portId: optionalString(floatingIp, 'port_id'),
    routerId: optionalString(floatingIp, 'router_id'),
    status: optionalString(floatingIp, 'status') ?? 'UNKNOWN',
    projectId: optionalString(floatingIp, 'project_id') ?? optionalString(floatingIp, 'tenant_id'),
  };
}

export interface ListFloatingIpsFilters {
  portId?: string;
  floatingNetworkId?: string;
  projectId?: string;
  status?: string;
  limit?: number;
  signal?: AbortSignal;
}

export function listFloatingIps(client: OpenStackClient, filters: ListFloatingIpsFilters = {}): Promise<FloatingIp[]> {
  const query = {
    port_id: filters.portId,
    floating_network_id: filters.floatingNetworkId,
    project_id: filters.projectId,
    status: filters.status,
    limit: filters.limit,
  };
  return listNeutron(client, 'floatingips', query, decodeFloatingIp, filters.signal);
}

export function getFloatingIp(client: OpenStackClient, floatingIpId: string, signal?: AbortSignal): Promise<FloatingIp> {
  return getNeutron(client, 'floatingips', 'floatingip', floatingIpId, decodeFloatingIp, signal);
}

export function deleteFloatingIp(client: OpenStackClient, floatingIpId: string, signal?: AbortSignal): Promise<void> {
  return deleteNeutron(client, 'floatingips', floatingIpId, signal);
}
