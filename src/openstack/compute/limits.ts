import type { OpenStackClient } from '../client.ts';
import { decodeAbsoluteLimits } from '../decode.ts';
import { computeRequest } from './microversion.ts';

/** Absolute compute limits of the project; -1 means unlimited. RAM in MiB. */
export interface ComputeLimits {
  maxTotalInstances: number;
  totalInstancesUsed: number;
  maxTotalCores: number;
  totalCoresUsed: number;
  maxTotalRAMSizeMiB: number;
  totalRAMUsedMiB: number;
  maxServerGroups: number | null;
  totalServerGroupsUsed: number | null;
  maxTotalKeypairs: number | null;
  maxServerMeta: number | null;
  /** Every absolute value as Nova sent it, for fields not listed above. */
  raw: Record<string, number>;
}

/** Reads `GET /limits` (absolute part). Admins may pass `projectId` (`tenant_id` query) for another project. */
export async function getComputeLimits(client: OpenStackClient, options: { projectId?: string; signal?: AbortSignal } = {}): Promise<ComputeLimits> {
  const response = await computeRequest(client, { method: 'GET', path: '/limits', query: { tenant_id: options.projectId }, signal: options.signal });
  const raw = decodeAbsoluteLimits(response.body);

  return {
    maxTotalInstances: raw['maxTotalInstances'] ?? -1,
    totalInstancesUsed: raw['totalInstancesUsed'] ?? 0,
    maxTotalCores: raw['maxTotalCores'] ?? -1,
    totalCoresUsed: raw['totalCoresUsed'] ?? 0,
    maxTotalRAMSizeMiB: raw['maxTotalRAMSize'] ?? -1,
    totalRAMUsedMiB: raw['totalRAMUsed'] ?? 0,
    maxServerGroups: raw['maxServerGroups'] ?? null,
    totalServerGroupsUsed: raw['totalServerGroupsUsed'] ?? null,
    maxTotalKeypairs: raw['maxTotalKeypairs'] ?? null,
    maxServerMeta: raw['maxServerMeta'] ?? null,
    raw,
  };
}
