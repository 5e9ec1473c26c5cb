import type { OpenStackClient } from '../client.ts';
import { decodeAbsoluteLimits } from '../decode.ts';

/** Absolute block storage limits of the project; -1 means unlimited, sizes in GiB. */
export interface VolumeLimits {
  maxTotalVolumes: number;
  totalVolumesUsed: number;
  maxTotalVolumeGigabytes: number;
  totalGigabytesUsed: number;
  maxTotalSnapshots: number;
  totalSnapshotsUsed: number;
  raw: Record<string, number>;
}

/** Reads Cinder's `GET /limits` (absolute part). */
export async function getVolumeLimits(client: OpenStackClient, signal?: AbortSignal): Promise<VolumeLimits> {
  const response = await client.request({ service: 'block-storage', method: 'GET', path: '/limits', signal });
  const raw = decodeAbsoluteLimits(response.body);

  return {
    maxTotalVolumes: raw['maxTotalVolumes'] ?? -1,
    totalVolumesUsed: raw['totalVolumesUsed'] ?? 0,
    maxTotalVolumeGigabytes: raw['maxTotalVolumeGigabytes'] ?? -1,
    totalGigabytesUsed: raw['totalGigabytesUsed'] ?? 0,
    maxTotalSnapshots: raw['maxTotalSnapshots'] ?? -1,
    totalSnapshotsUsed: raw['totalSnapshotsUsed'] ?? 0,
    raw,
  };
}
