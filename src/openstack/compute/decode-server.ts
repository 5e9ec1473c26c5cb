import {
  isJsonObject,
  optionalBoolean,
  optionalNumber,
  optionalString,
  parseOpenStackTime,
  requireObject,
  requireString,
  stringArray,
  stringRecord,
  type JsonObject,
} from '../decode.ts';
import type { ServerFault } from '../errors.ts';
import type { Server, ServerAddress, ServerFlavor } from './types.ts';

/** Reads a size that Nova may send as "" for zero (flavor swap before 2.75). */
export function sizeOrZero(object: JsonObject, key: string): number {
  return optionalNumber(object, key, 0) ?? 0;
}

function decodeServerFlavor(value: unknown): ServerFlavor {
  const flavor = isJsonObject(value) ? value : {};
  const embedded = flavor['original_name'] !== undefined || flavor['vcpus'] !== undefined;
  if (!embedded) {
    return { id: optionalString(flavor, 'id'), name: null, vcpus: null, ramMiB: null, diskGiB: null, ephemeralGiB: null, swapMiB: null, extraSpecs: {} };
  }

  return {
    id: optionalString(flavor, 'id'),
    name: optionalString(flavor, 'original_name'),
    vcpus: optionalNumber(flavor, 'vcpus'),
    ramMiB: optionalNumber(flavor, 'ram'),
    diskGiB: optionalNumber(flavor, 'disk'),
    ephemeralGiB: optionalNumber(flavor, 'ephemeral'),
    swapMiB: sizeOrZero(flavor, 'swap'),
    extraSpecs: stringRecord(flavor['extra_specs']),
  };
}

function decodeAddresses(value: unknown): Record<string, ServerAddress[]> {
  const result: Record<string, ServerAddress[]> = {};
  if (!isJsonObject(value)) {
    return result;
  }

  for (const [network, entries] of Object.entries(value)) {
    const addresses: ServerAddress[] = [];
    for (const entry of Array.isArray(entries) ? entries : []) {
      if (!isJsonObject(entry) || typeof entry['addr'] !== 'string') {
        continue;
      }
      addresses.push({
        addr: entry['addr'],
        version: entry['version'] === 6 ? 6 : 4,
        type: optionalString(entry, 'OS-EXT-IPS:type'),
        macAddr: optionalString(entry, 'OS-EXT-IPS-MAC:mac_addr'),
      });
    }
    result[network] = addresses;
  }
  return result;
}

export function decodeFault(value: unknown): ServerFault | null {
  if (!isJsonObject(value)) {
    return null;
  }

  const fault: ServerFault = {
    code: optionalNumber(value, 'code', 0) ?? 0,
    message: optionalString(value, 'message') ?? '',
    created: optionalString(value, 'created'),
  };
  const details = optionalString(value, 'details');
  if (details !== null) {
    fault.details = details;
  }
  return fault;
}

function decodeImageId(value: unknown): string | null {
  // Boot from volume: Nova sends "" (and some releases an empty object) instead of an image.
  if (isJsonObject(value)) {
    return optionalString(value, 'id');
  }
  return typeof value === 'string' && value !== '' ? value : null;
}

function attachedVolumeIds(value: unknown): string[] {
  if (!Array.isArray(value)) {
    return [];
  }
  return value.filter(isJsonObject).map((volume) => optionalString(volume, 'id') ?? '').filter((id) => id !== '');
}

function securityGroupNames(value: unknown): string[] {
  if (!Array.isArray(value)) {
    return [];
  }
  return value.filter(isJsonObject).map((group) => optionalString(group, 'name') ?? '').filter((name) => name !== '');
}

/** Decodes one server of `GET /servers/{id}` or `/servers/detail`, for any microversion 2.1 to 2.93. */
export function decodeServer(value: unknown): Server {
  const server = requireObject(value, 'server');

  return {
    id: requireString(server, 'id', 'server'),
    name: optionalString(server, 'name') ?? '',
    status: optionalString(server, 'status') ?? 'UNKNOWN',
    vmState: optionalString(server, 'OS-EXT-STS:vm_state'),
    taskState: optionalString(server, 'OS-EXT-STS:task_state'),
    powerState: optionalNumber(server, 'OS-EXT-STS:power_state'),
    tenantId: optionalString(server, 'tenant_id') ?? '',
    userId: optionalString(server, 'user_id'),
    created: parseOpenStackTime(server['created']),
    updated: parseOpenStackTime(server['updated']),
    launchedAt: parseOpenStackTime(server['OS-SRV-USG:launched_at']),
    terminatedAt: parseOpenStackTime(server['OS-SRV-USG:terminated_at']),
    flavor: decodeServerFlavor(server['flavor']),
    imageId: decodeImageId(server['image']),
    addresses: decodeAddresses(server['addresses']),
    metadata: stringRecord(server['metadata']),
    fault: decodeFault(server['fault']),
    availabilityZone: optionalString(server, 'OS-EXT-AZ:availability_zone'),
    keyName: optionalString(server, 'key_name'),
    host: optionalString(server, 'OS-EXT-SRV-ATTR:host'),
    description: optionalString(server, 'description'),
    tags: stringArray(server['tags']),
    locked: optionalBoolean(server, 'locked'),
    attachedVolumeIds: attachedVolumeIds(server['os-extended-volumes:volumes_attached']),
    securityGroups: securityGroupNames(server['security_groups']),
  };
}
