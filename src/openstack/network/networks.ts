import type { OpenStackClient } from '../client.ts';
import { optionalBoolean, optionalNumber, optionalString, parseOpenStackTime, requireObject, requireString, stringArray } from '../decode.ts';
import { getNeutron, listNeutron } from './common.ts';

export interface Network {
  id: string;
  name: string;
  status: string;
  adminStateUp: boolean;
  shared: boolean;
  /** `router:external`: a provider network for floating IPs, listed for every project. */
  external: boolean;
  /** `project_id`, or the older `tenant_id`. */
  projectId: string | null;
  subnetIds: string[];
  mtu: number | null;
  /** `provider:network_type`; null for members, who may not see provider attributes. */
  providerNetworkType: string | null;
  createdAt: Date | null;
  updatedAt: Date | null;
}

export function decodeNetwork(value: unknown): Network {
  const network = requireObject(value, 'network');
  return {
    id: requireString(network, 'id', 'network'),
    name: optionalString(network, 'name') ?? '',
    status: optionalString(network, 'status') ?? 'UNKNOWN',
    adminStateUp: optionalBoolean(network, 'admin_state_up') ?? true,
    shared: optionalBoolean(network, 'shared') ?? false,
    external: optionalBoolean(network, 'router:external') ?? false,
    projectId: optionalString(network, 'project_id') ?? optionalString(network, 'tenant_id'),
    subnetIds: stringArray(network['subnets']),
    mtu: optionalNumber(network, 'mtu'),
    providerNetworkType: optionalString(network, 'provider:network_type'),
    createdAt: parseOpenStackTime(network['created_at']),
    updatedAt: parseOpenStackTime(network['updated_at']),
  };
}

export interface ListNetworksFilters {
  name?: string;
  projectId?: string;
  shared?: boolean;
  external?: boolean;
  status?: string;
  limit?: number;
  signal?: AbortSignal;
}

export function listNetworks(client: OpenStackClient, filters: ListNetworksFilters = {}): Promise<Network[]> {
  const query = {
    name: filters.name,
    project_id: filters.projectId,
    shared: filters.shared,
    'router:external': filters.external,
    status: filters.status,
    limit: filters.limit,
  };
  return listNeutron(client, 'networks', query, decodeNetwork, filters.signal);
}

export function getNetwork(client: OpenStackClient, networkId: string, signal?: AbortSignal): Promise<Network> {
  return getNeutron(client, 'networks', 'network', networkId, decodeNetwork, signal);
}
