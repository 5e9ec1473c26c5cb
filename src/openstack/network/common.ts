import type { OpenStackClient } from '../client.ts';
import { requireObject } from '../decode.ts';
import { collectAll, nextFromLinksArray, paginate } from '../pager.ts';
import type { Query } from '../url.ts';

/**
 * Lists a Neutron collection such as `/networks`, following `<collection>_links` (absolute
 * next URLs). Neutron has no default page size, so without `limit` one page contains everything.
 */
export function listNeutron<T>(
  client: OpenStackClient,
  collection: string,
  query: Query,
  decode: (value: unknown) => T,
  signal?: AbortSignal,
): Promise<T[]> {
  return collectAll(
    paginate(client, { service: 'network', path: `/${collection}`, query, signal }, { itemsKey: collection, decode, nextLink: nextFromLinksArray(`${collection}_links`) }),
  );
}

export async function getNeutron<T>(
  client: OpenStackClient,
  collection: string,
  singular: string,
  id: string,
  decode: (value: unknown) => T,
  signal?: AbortSignal,
): Promise<T> {
  const response = await client.request({ service: 'network', method: 'GET', path: `/${collection}/${encodeURIComponent(id)}`, signal });
  return decode(requireObject(response.body, `${singular} response`)[singular]);
}

/** Deletes a Neutron resource (204); a missing one is OS_NOT_FOUND. */
export async function deleteNeutron(client: OpenStackClient, collection: string, id: string, signal?: AbortSignal): Promise<void> {
  await client.request({ service: 'network', method: 'DELETE', path: `/${collection}/${encodeURIComponent(id)}`, signal });
}
