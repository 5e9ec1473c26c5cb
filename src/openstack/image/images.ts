import type { OpenStackClient } from '../client.ts';
import { optionalBoolean, optionalNumber, optionalString, parseOpenStackTime, requireObject, requireString, stringArray } from '../decode.ts';
import { collectAll, nextFromGlance, paginate } from '../pager.ts';
import type { Query } from '../url.ts';

/** Glance v2 image status values (lower case). */
export type ImageStatus = 'queued' | 'saving' | 'uploading' | 'importing' | 'active' | 'killed' | 'deleted' | 'pending_delete' | 'deactivated';

export type ImageVisibility = 'public' | 'private' | 'shared' | 'community';

export interface Image {
  id: string;
  name: string;
  status: ImageStatus | string;
  visibility: ImageVisibility | string;
  /** Bytes; null until data is uploaded. */
  sizeBytes: number | null;
  /** GiB; Glance may send null, read as 0. */
  minDiskGiB: number;
  /** MiB; Glance may send null, read as 0. */
  minRamMiB: number;
  diskFormat: string | null;
  containerFormat: string | null;
  osHidden: boolean;
  protected: boolean;
  owner: string | null;
  createdAt: Date | null;
  updatedAt: Date | null;
  tags: string[];
  /** Standard property `os_distro`, e.g. `ubuntu`, `centos`, `windows`. */
  osDistro: string | null;
  osVersion: string | null;
  /** Every string-valued top-level key, custom properties included (Glance keeps them at the top level). */
  properties: Record<string, string>;
}

const CORE_KEYS = new Set([
  'id', 'name', 'status', 'visibility', 'size', 'virtual_size', 'min_disk', 'min_ram', 'disk_format', 'container_format',
  'os_hidden', 'protected', 'owner', 'created_at', 'updated_at', 'tags', 'checksum', 'os_hash_algo', 'os_hash_value',
  'file', 'self', 'schema', 'locations', 'direct_url', 'stores',
]);

export function decodeImage(value: unknown): Image {
  const image = requireObject(value, 'image');
  const properties: Record<string, string> = {};
  for (const [key, item] of Object.entries(image)) {
    if (!CORE_KEYS.has(key) && typeof item === 'string') {
      properties[key] = item;
    }
  }

  return {
    id: requireString(image, 'id', 'image'),
    name: optionalString(image, 'name') ?? '',
    status: optionalString(image, 'status') ?? 'queued',
    visibility: optionalString(image, 'visibility') ?? 'private',
    sizeBytes: optionalNumber(image, 'size'),
    minDiskGiB: optionalNumber(image, 'min_disk', 0) ?? 0,
    minRamMiB: optionalNumber(image, 'min_ram', 0) ?? 0,
    diskFormat: optionalString(image, 'disk_format'),
    containerFormat: optionalString(image, 'container_format'),
    osHidden: optionalBoolean(image, 'os_hidden') ?? false,
    protected: optionalBoolean(image, 'protected') ?? false,
    owner: optionalString(image, 'owner'),
    createdAt: parseOpenStackTime(image['created_at']),
    updatedAt: parseOpenStackTime(image['updated_at']),
    tags: stringArray(image['tags']),
    osDistro: optionalString(image, 'os_distro'),
    osVersion: optionalString(image, 'os_version'),
    properties,
  };
}

export interface ListImagesFilters {
  status?: ImageStatus;
  /**
   * Without it Glance lists public, shared (accepted) and the project's own images but never
   * community images; those need `visibility: 'community'` in a listing of their own.
   */
  visibility?: ImageVisibility | 'all';
  name?: string;
  owner?: string;
  osDistro?: string;
  osVersion?: string;
  /** Hidden images are left out unless this is true. */
  osHidden?: boolean;
  tag?: string;
  /** Page size; Glance's default is 25 and its cap 1000 (api_limit_max). */
  limit?: number;
  sortKey?: string;
  sortDir?: 'asc' | 'desc';
  /** Further property filters, e.g. `{ hw_firmware_type: 'uefi' }`. */
  properties?: Record<string, string>;
  signal?: AbortSignal;
}

function listQuery(filters: ListImagesFilters): Query {
  return {
    status: filters.status,
    visibility: filters.visibility,
    name: filters.name,
    owner: filters.owner,
    os_distro: filters.osDistro,
    os_version: filters.osVersion,
    os_hidden: filters.osHidden,
    tag: filters.tag,
    limit: filters.limit,
    sort_key: filters.sortKey,
    sort_dir: filters.sortDir,
    ...filters.properties,
  };
}

/** Yields pages of `GET /v2/images`, following Glance's relative `next` links. */
export function listImagePages(client: OpenStackClient, filters: ListImagesFilters = {}): AsyncGenerator<Image[]> {
  return paginate(
    client,
    { service: 'image', path: '/images', query: listQuery(filters), signal: filters.signal },
    { itemsKey: 'images', decode: decodeImage, nextLink: nextFromGlance },
  );
}

export function listImages(client: OpenStackClient, filters: ListImagesFilters = {}): Promise<Image[]> {
  return collectAll(listImagePages(client, filters));
}

/** Reads `GET /v2/images/{id}`; the image JSON is the whole body. */
export async function getImage(client: OpenStackClient, imageId: string, signal?: AbortSignal): Promise<Image> {
  const response = await client.request({ service: 'image', method: 'GET', path: `/images/${encodeURIComponent(imageId)}`, signal });
  return decodeImage(response.body);
}
