import type { OpenStackClient } from '../client.ts';
import { optionalBoolean, optionalNumber, optionalString, requireObject, requireString, stringRecord } from '../decode.ts';
import { collectAll, nextFromLinksArray, paginate } from '../pager.ts';
import { sizeOrZero } from './decode-server.ts';
import { computeMicroversion, computeRequest, microversionHeaders } from './microversion.ts';
import type { Flavor } from './types.ts';

export function decodeFlavor(value: unknown): Flavor {
  const flavor = requireObject(value, 'flavor');
  return {
    id: requireString(flavor, 'id', 'flavor'),
    name: optionalString(flavor, 'name') ?? '',
    vcpus: optionalNumber(flavor, 'vcpus', 0) ?? 0,
    ramMiB: optionalNumber(flavor, 'ram', 0) ?? 0,
    diskGiB: optionalNumber(flavor, 'disk', 0) ?? 0,
    ephemeralGiB: optionalNumber(flavor, 'OS-FLV-EXT-DATA:ephemeral', 0) ?? 0,
    swapMiB: sizeOrZero(flavor, 'swap'),
    rxtxFactor: optionalNumber(flavor, 'rxtx_factor'),
    isPublic: optionalBoolean(flavor, 'os-flavor-access:is_public') ?? true,
    disabled: optionalBoolean(flavor, 'OS-FLV-DISABLED:disabled') ?? false,
    description: optionalString(flavor, 'description'),
    extraSpecs: stringRecord(flavor['extra_specs']),
  };
}

export interface ListFlavorsFilters {
  /** Admin only: `true` public, `false` private, `'all'` both; default public plus the project's private ones. */
  isPublic?: boolean | 'all';
  minRamMiB?: number;
  minDiskGiB?: number;
  limit?: number;
  signal?: AbortSignal;
}

/** Lists `GET /flavors/detail`, all pages. */
export async function listFlavors(client: OpenStackClient, filters: ListFlavorsFilters = {}): Promise<Flavor[]> {
  const microversion = await computeMicroversion(client, filters.signal);
  const isPublic = filters.isPublic === 'all' ? 'None' : filters.isPublic;
  return collectAll(
    paginate(
      client,
      {
        service: 'compute',
        path: '/flavors/detail',
        query: { is_public: isPublic, minRam: filters.minRamMiB, minDisk: filters.minDiskGiB, limit: filters.limit },
        headers: microversionHeaders(microversion),
        signal: filters.signal,
      },
      { itemsKey: 'flavors', decode: decodeFlavor, nextLink: nextFromLinksArray('flavors_links') },
    ),
  );
}

export async function getFlavor(client: OpenStackClient, flavorId: string, signal?: AbortSignal): Promise<Flavor> {
  const response = await computeRequest(client, { method: 'GET', path: `/flavors/${encodeURIComponent(flavorId)}`, signal });
  return decodeFlavor(requireObject(response.body, 'flavor response')['flavor']);
}
