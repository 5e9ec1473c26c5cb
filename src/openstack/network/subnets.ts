import type { OpenStackClient } from '../client.ts';
import { isJsonObject, optionalBoolean, optionalNumber, optionalString, requireObject, requireString, stringArray } from '../decode.ts';
import { getNeutron, listNeutron } from './common.ts';

export interface Subnet {
  id: string;
  name: string;
  networkId: string;
  cidr: string;
  ipVersion: 4 | 6;
  gatewayIp: string | null;
  enableDhcp: boolean;
  projectId: string | null;
  dnsNameservers: string[];
  allocationPools: Array<{ start: string; end: string }>;
}

export function decodeSubnet(value: unknown): Subnet {
  const subnet = requireObject(value, 'subnet');
  const pools = Array.isArray(subnet['allocation_pools']) ? subnet['allocation_pools'].filter(isJsonObject) : [];
  return {
    id: requireString(subnet, 'id', 'subnet'),
    name: optionalString(subnet, 'name') ?? '',
    networkId: optionalString(subnet, 'network_id') ?? '',
    cidr: optionalString(subnet, 'cidr') ?? '',
    ipVersion: optionalNumber(subnet, 'ip_version') === 6 ? 6 : 4,
    gatewayIp: optionalString(subnet, 'gateway_ip'),
    enableDhcp: optionalBoolean(subnet, 'enable_dhcp') ?? false,
    projectId: optionalString(subnet, 'project_id') ?? optionalString(subnet, 'tenant_id'),
    dnsNameservers: stringArray(subnet['dns_nameservers']),
    allocationPools: pools.map((pool) => ({ start: optionalString(pool, 'start') ?? '', end: optionalString(pool, 'end') ?? '' })),
  };
}

export interface ListSubnetsFilters {
  networkId?: string;
  name?: string;
  projectId?: string;
  limit?: number;
  signal?: AbortSignal;
}

export function listSubnets(client: OpenStackClient, filters: ListSubnetsFilters = {}): Promise<Subnet[]> {
  const query = { network_id: filters.networkId, name: filters.name, project_id: filters.projectId, limit: filters.limit };
  return listNeutron(client, 'subnets', query, decodeSubnet, filters.signal);
}

export function getSubnet(client: OpenStackClient, subnetId: string, signal?: AbortSignal): Promise<Subnet> {
  return getNeutron(client, 'subnets', 'subnet', subnetId, decodeSubnet, signal);
}
