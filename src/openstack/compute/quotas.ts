import type { OpenStackClient } from '../client.ts';
import { optionalNumber, requireObject } from '../decode.ts';
import { computeRequest } from './microversion.ts';

/**
 * Compute quota set of a project; -1 means unlimited, RAM in MiB. From 2.36 Nova no longer
 * returns network quotas, and from 2.57 no injected file quotas; those appear only in `raw`.
 */
export interface ComputeQuotaSet {
  instances: number;
  cores: number;
  ramMiB: number;
  keyPairs: number | null;
  metadataItems: number | null;
  serverGroups: number | null;
  serverGroupMembers: number | null;
  raw: Record<string, number>;
}

export type ComputeQuotaUpdate = Partial<{
  instances: number;
  cores: number;
  ramMiB: number;
  keyPairs: number;
  metadataItems: number;
  serverGroups: number;
  serverGroupMembers: number;
}>;

function decodeQuotaSet(value: unknown): ComputeQuotaSet {
  const quotaSet = requireObject(value, 'quota_set');
  const raw: Record<string, number> = {};
  for (const key of Object.keys(quotaSet)) {
    const number = optionalNumber(quotaSet, key);
    if (number !== null) {
      raw[key] = number;
    }
  }

  return {
    instances: raw['instances'] ?? -1,
    cores: raw['cores'] ?? -1,
    ramMiB: raw['ram'] ?? -1,
    keyPairs: raw['key_pairs'] ?? null,
    metadataItems: raw['metadata_items'] ?? null,
    serverGroups: raw['server_groups'] ?? null,
    serverGroupMembers: raw['server_group_members'] ?? null,
    raw,
  };
}

/** Reads `GET /os-quota-sets/{project_id}`; members may read their own project, admins any. */
export async function getComputeQuotas(client: OpenStackClient, projectId: string, signal?: AbortSignal): Promise<ComputeQuotaSet> {
  const response = await computeRequest(client, { method: 'GET', path: `/os-quota-sets/${encodeURIComponent(projectId)}`, signal });
  return decodeQuotaSet(requireObject(response.body, 'quota response')['quota_set']);
}

/** Updates quotas with `PUT /os-quota-sets/{project_id}` (admin only) and returns the new set. */
export async function updateComputeQuotas(
  client: OpenStackClient,
  projectId: string,
  update: ComputeQuotaUpdate,
  signal?: AbortSignal,
): Promise<ComputeQuotaSet> {
  const quotaSet = {
    instances: update.instances,
    cores: update.cores,
    ram: update.ramMiB,
    key_pairs: update.keyPairs,
    metadata_items: update.metadataItems,
    server_groups: update.serverGroups,
    server_group_members: update.serverGroupMembers,
  };
  const response = await computeRequest(client, {
    method: 'PUT',
    path: `/os-quota-sets/${encodeURIComponent(projectId)}`,
    json: { quota_set: quotaSet },
    signal,
  });
  return decodeQuotaSet(requireObject(response.body, 'quota response')['quota_set']);
}
