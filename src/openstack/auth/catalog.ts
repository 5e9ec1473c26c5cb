import type { EndpointInterface } from '../config/types.ts';
import { OPENSTACK_ERROR_CODES, OpenStackError } from '../errors.ts';
import { isJsonObject, optionalString } from '../decode.ts';

export interface CatalogEndpoint {
  interface: string;
  region: string | null;
  url: string;
}

export interface CatalogService {
  type: string;
  name: string | null;
  endpoints: CatalogEndpoint[];
}

/** Service types the client looks up, with the catalog aliases of each, first preferred. */
export const SERVICE_TYPE_ALIASES = {
  identity: ['identity'],
  compute: ['compute'],
  image: ['image'],
  network: ['network'],
  // Cinder registers `block-storage` and, for older clients, `volumev3`.
  'block-storage': ['block-storage', 'volumev3'],
} as const;

export type ServiceType = keyof typeof SERVICE_TYPE_ALIASES;

export function parseCatalog(value: unknown): CatalogService[] {
  if (!Array.isArray(value)) {
    return [];
  }

  const services: CatalogService[] = [];
  for (const entry of value) {
    if (!isJsonObject(entry) || typeof entry['type'] !== 'string') {
      continue;
    }
    const endpoints: CatalogEndpoint[] = [];
    for (const endpoint of Array.isArray(entry['endpoints']) ? entry['endpoints'] : []) {
      if (!isJsonObject(endpoint) || typeof endpoint['url'] !== 'string') {
        continue;
      }
      endpoints.push({
        interface: optionalString(endpoint, 'interface') ?? 'public',
        // Keystone v3 sends both `region_id` and the older `region` with the same value.
        region: optionalString(endpoint, 'region_id') ?? optionalString(endpoint, 'region'),
        url: endpoint['url'],
      });
    }
    services.push({ type: entry['type'], name: optionalString(entry, 'name'), endpoints });
  }
  return services;
}

export interface EndpointQuery {
  serviceType: ServiceType;
  interface: EndpointInterface;
  regionName?: string;
}

function endpointNotFound(query: EndpointQuery, detail: string): OpenStackError {
  const region = query.regionName === undefined ? 'any region' : `region ${query.regionName}`;
  return new OpenStackError({
    code: OPENSTACK_ERROR_CODES.OS_ENDPOINT_NOT_FOUND,
    message: `No ${query.interface} endpoint for service type ${query.serviceType} in ${region}: ${detail}`,
  });
}

/**
 * Picks the endpoint URL for a service type, interface and region. The aliases of the type are
 * tried in order. Without a region the catalog must hold exactly one region for that service,
 * because picking one of several would send requests to an arbitrary region.
 */
export function selectEndpoint(catalog: CatalogService[], query: EndpointQuery): string {
  const aliases: readonly string[] = SERVICE_TYPE_ALIASES[query.serviceType];
  const service = aliases.map((alias) => catalog.find((entry) => entry.type === alias)).find((entry) => entry !== undefined);
  if (service === undefined) {
    const types = catalog.map((entry) => entry.type).join(', ') || 'no services';
    throw endpointNotFound(query, `the catalog has ${types}`);
  }

  const withInterface = service.endpoints.filter((endpoint) => endpoint.interface === query.interface);
  const candidates =
    query.regionName === undefined ? withInterface : withInterface.filter((endpoint) => endpoint.region === query.regionName);

  if (candidates.length === 0) {
    const regions = [...new Set(withInterface.map((endpoint) => endpoint.region ?? '(none)'))];
    throw endpointNotFound(query, `the ${query.interface} endpoints are in ${regions.join(', ') || 'no region'}`);
  }

  const regions = new Set(candidates.map((endpoint) => endpoint.region));
  if (regions.size > 1) {
    throw endpointNotFound(query, `several regions offer it (${[...regions].join(', ')}); set region_name`);
  }
  return (candidates[0] as CatalogEndpoint).url;
}
