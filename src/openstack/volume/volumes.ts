import type { OpenStackClient } from '../client.ts';
import {
  isJsonObject,
  optionalBoolean,
  optionalNumber,
  optionalString,
  parseOpenStackTime,
  requireObject,
  requireString,
  stringRecord,
} from '../decode.ts';
import { collectAll, nextFromLinksArray, paginate } from '../pager.ts';

/** Cinder volume status values, lower case: creating, available, reserved, attaching, in-use, detaching, deleting, error, ... */
export type VolumeStatus = string;

export interface VolumeAttachment {
  serverId: string;
  attachmentId: string | null;
  device: string | null;
}

export interface Volume {
  id: string;
  name: string;
  status: VolumeStatus;
  /** GiB. */
  sizeGiB: number;
  volumeType: string | null;
  bootable: boolean;
  availabilityZone: string | null;
  /** `os-vol-tenant-attr:tenant_id`; admin only. */
  projectId: string | null;
  createdAt: Date | null;
  attachments: VolumeAttachment[];
  metadata: Record<string, string>;
  /** Present while a volume is created from an image, as `volume_image_metadata.image_id` afterwards. */
  imageId: string | null;
}

function decodeAttachment(value: unknown): VolumeAttachment | null {
  if (!isJsonObject(value)) {
    return null;
  }
  return {
    serverId: optionalString(value, 'server_id') ?? '',
    attachmentId: optionalString(value, 'attachment_id'),
    device: optionalString(value, 'device'),
  };
}

export function decodeVolume(value: unknown): Volume {
  const volume = requireObject(value, 'volume');
  const attachments = Array.isArray(volume['attachments']) ? volume['attachments'].map(decodeAttachment) : [];
  const imageMetadata = isJsonObject(volume['volume_image_metadata']) ? volume['volume_image_metadata'] : {};

  return {
    id: requireString(volume, 'id', 'volume'),
    name: optionalString(volume, 'name') ?? '',
    status: optionalString(volume, 'status') ?? 'unknown',
    sizeGiB: optionalNumber(volume, 'size', 0) ?? 0,
    volumeType: optionalString(volume, 'volume_type'),
    // Cinder sends bootable as the string "true" or "false".
    bootable: optionalBoolean(volume, 'bootable') ?? optionalString(volume, 'bootable') === 'true',
    availabilityZone: optionalString(volume, 'availability_zone'),
    projectId: optionalString(volume, 'os-vol-tenant-attr:tenant_id'),
    createdAt: parseOpenStackTime(volume['created_at']),
    attachments: attachments.filter((attachment): attachment is VolumeAttachment => attachment !== null),
    metadata: stringRecord(volume['metadata']),
    imageId: optionalString(imageMetadata, 'image_id') ?? optionalString(volume, 'imageRef'),
  };
}

export interface ListVolumesFilters {
  /** Admin only. */
  allTenants?: boolean;
  name?: string;
  status?: string;
  limit?: number;
  signal?: AbortSignal;
}

/** Lists `GET /volumes/detail`, following `volumes_links`. */
export function listVolumes(client: OpenStackClient, filters: ListVolumesFilters = {}): Promise<Volume[]> {
  return collectAll(
    paginate(
      client,
      {
        service: 'block-storage',
        path: '/volumes/detail',
        query: { all_tenants: filters.allTenants === true ? 1 : undefined, name: filters.name, status: filters.status, limit: filters.limit },
        signal: filters.signal,
      },
      { itemsKey: 'volumes', decode: decodeVolume, nextLink: nextFromLinksArray('volumes_links') },
    ),
  );
}

export async function getVolume(client: OpenStackClient, volumeId: string, signal?: AbortSignal): Promise<Volume> {
  const response = await client.request({ service: 'block-storage', method: 'GET', path: `/volumes/${encodeURIComponent(volumeId)}`, signal });
  return decodeVolume(requireObject(response.body, 'volume response')['volume']);
}

export interface CreateVolumeRequest {
  /** GiB. */
  sizeGiB: number;
  name?: string;
  description?: string;
  /** Create a bootable volume from this image. */
  imageId?: string;
  volumeType?: string;
  availabilityZone?: string;
  metadata?: Record<string, string>;
  signal?: AbortSignal;
}

/** Creates a volume (202, status `creating`); not retried, since a repeated POST would create another. */
export async function createVolume(client: OpenStackClient, request: CreateVolumeRequest): Promise<Volume> {
  const volume = {
    size: request.sizeGiB,
    name: request.name,
    description: request.description,
    imageRef: request.imageId,
    volume_type: request.volumeType,
    availability_zone: request.availabilityZone,
    metadata: request.metadata,
  };
  const response = await client.request({ service: 'block-storage', method: 'POST', path: '/volumes', json: { volume }, signal: request.signal });
  return decodeVolume(requireObject(response.body, 'volume response')['volume']);
}

/** Deletes a volume (202); it passes `deleting` and then returns 404. */
export async function deleteVolume(client: OpenStackClient, volumeId: string, signal?: AbortSignal): Promise<void> {
  await client.request({ service: 'block-storage', method: 'DELETE', path: `/volumes/${encodeURIComponent(volumeId)}`, signal });
}
