import type { SimStore } from '../state/store.ts';
import type { Flavor } from '../state/types.ts';
import { atLeast } from './compute-views.ts';
import type { CallerContext } from './context.ts';
import { isObject, UUID_PATTERN } from './context.ts';

export interface ParsedCreate {
  ok: true;
  returnReservationId: boolean;
  request: {
    name: string;
    flavor: Flavor;
    imageId: string | null;
    networkIds: string[];
    portIds: string[];
    volumeIds: string[];
    keyName: string | null;
    metadata: Record<string, string>;
    description: string | null;
    securityGroups: string[];
    availabilityZone: string | null;
    tags: string[];
    count: number;
  };
}

type Failure = { ok: false; status: number; message: string };

/** Formats a JSON value as Python's repr, as Nova's schema errors quote the request body. */
export function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (isObject(value)) return `{${Object.entries(value).map(([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`).join(', ')}}`;
  return String(value);
}

/** Last path segment of a `flavorRef`/`imageRef`, which may be an id or a URL. */
function refId(ref: unknown): string | undefined {
  if (typeof ref !== 'string' || ref === '') return undefined;
  return ref.split('/').pop();
}

/**
 * Validates a `POST /servers` body and resolves its references, with Nova's status codes and
 * messages for the common mistakes. Boot from volume creates the root volume here.
 */
export function parseServerCreate(store: SimStore, ctx: CallerContext, body: unknown, version: [number, number]): ParsedCreate | Failure {
  const spec = isObject(body) && isObject(body.server) ? body.server : undefined;
  if (!spec) return { ok: false, status: 400, message: "Invalid input for field/attribute server. Value: None. 'server' is a required property" };
  const invalid = (reason: string): Failure => ({ ok: false, status: 400, message: `Invalid input for field/attribute server. Value: ${pythonRepr(spec)}. ${reason}` });
  if (spec.name === undefined) return invalid("'name' is a required property");
  if (typeof spec.name !== 'string' || spec.name.trim() === '' || spec.name.length > 255) {
    return invalid(`${pythonRepr(spec.name)} is not a valid server name (1 to 255 characters, not only spaces)`);
  }

  const flavorId = refId(spec.flavorRef);
  const flavor = flavorId ? store.flavors.get(flavorId) : undefined;
  if (!flavor) return { ok: false, status: 400, message: 'Flavor ' + String(flavorId ?? spec.flavorRef) + ' could not be found.' };

  const volumeIds: string[] = [];
  let imageId: string | null = null;
  const mappings = Array.isArray(spec.block_device_mapping_v2) ? spec.block_device_mapping_v2.filter(isObject) : [];
  const rootMapping = mappings.find((m) => Number(m.boot_index) === 0 && m.destination_type === 'volume');
  if (rootMapping) {
    if (rootMapping.source_type === 'volume') {
      const volume = typeof rootMapping.uuid === 'string' ? store.volumes.get(rootMapping.uuid) : undefined;
      if (!volume || volume.projectId !== ctx.project.id) return { ok: false, status: 400, message: `Block Device Mapping is Invalid: failed to get volume ${String(rootMapping.uuid)}.` };
      if (volume.status !== 'available') {
        return { ok: false, status: 400, message: `Block Device Mapping is Invalid: Volume ${volume.id} status must be available or downloading to reserve, but the current status is ${volume.status}.` };
      }
      volumeIds.push(volume.id);
    } else if (rootMapping.source_type === 'image') {
      const image = typeof rootMapping.uuid === 'string' ? store.images.get(rootMapping.uuid) : undefined;
      if (!image || image.status !== 'active') return { ok: false, status: 400, message: `Block Device Mapping is Invalid: failed to get image ${String(rootMapping.uuid)}.` };
      const size = Number(rootMapping.volume_size ?? Math.max(image.minDisk, 1));
      const volume = store.createVolume({
        id: store.ids.uuid(),
        name: '',
        projectId: ctx.project.id,
        userId: ctx.user.id,
        size,
        volumeType: 'fake',
        bootable: true,
        imageId: image.id,
        description: null,
      });
      volumeIds.push(volume.id);
    }
  } else {
    const ref = refId(spec.imageRef);
    const image = ref ? store.images.get(ref) : undefined;
    if (!image || (image.visibility === 'private' && image.owner !== ctx.project.id && !ctx.isAdmin)) {
      return { ok: false, status: 400, message: 'Can not find requested image' };
    }
    if (image.status !== 'active') return { ok: false, status: 400, message: `Image ${image.id} is not active.` };
    if (flavor.disk > 0 && image.minDisk > flavor.disk) return { ok: false, status: 400, message: "Flavor's disk is too small for requested image." };
    if (image.minRam > flavor.ram) return { ok: false, status: 400, message: "Flavor's memory is too small for requested image." };
    imageId = image.id;
  }

  const networkIds: string[] = [];
  const portIds: string[] = [];
  const networks = spec.networks;
  if (networks === undefined && atLeast(version, 37)) return invalid("'networks' is a required property");
  if (Array.isArray(networks)) {
    for (const entry of networks) {
      if (!isObject(entry)) return { ok: false, status: 400, message: 'Bad networks format' };
      if (typeof entry.port === 'string') {
        const port = store.ports.get(entry.port);
        if (!port) return { ok: false, status: 400, message: `Port id ${entry.port} could not be found.` };
        if (port.deviceId) return { ok: false, status: 409, message: `Port ${port.id} is still in use.` };
        portIds.push(port.id);
        continue;
      }
      const uuid = entry.uuid;
      if (typeof uuid !== 'string' || !UUID_PATTERN.test(uuid)) return { ok: false, status: 400, message: `Bad networks format: network uuid is not in proper format (${String(uuid)})` };
      const network = store.networks.get(uuid);
      const visible = network && (network.projectId === ctx.project.id || network.shared || network.external || ctx.isAdmin);
      if (!network || !visible) return { ok: false, status: 400, message: `Network ${uuid} could not be found.` };
      if (network.external && !ctx.isAdmin) return { ok: false, status: 403, message: `It is not allowed to create an interface on external network ${uuid}` };
      networkIds.push(network.id);
    }
  } else if (networks !== 'none') {
    // "auto" or, before 2.37, no networks: Nova picks the project's own network when exactly one exists.
    const own = [...store.networks.values()].filter((n) => n.projectId === ctx.project.id && !n.external);
    if (own.length > 1) return { ok: false, status: 409, message: 'Multiple possible networks found, use a Network ID to be more specific.' };
    if (own[0]) networkIds.push(own[0].id);
  }

  const minCount = Number(spec.min_count ?? 1);
  const maxCount = Number(spec.max_count ?? minCount);
  if (!Number.isInteger(minCount) || minCount < 1 || !Number.isInteger(maxCount) || maxCount < minCount) {
    return { ok: false, status: 400, message: 'min_count must be <= max_count' };
  }
  const metadata: Record<string, string> = {};
  if (isObject(spec.metadata)) for (const [k, v] of Object.entries(spec.metadata)) if (typeof v === 'string') metadata[k] = v;
  const securityGroups = Array.isArray(spec.security_groups)
    ? spec.security_groups.filter(isObject).map((g) => String(g.name))
    : [];
  // Nova stores the name as description when none is given (seen on Zed at 2.93 for a 2.1 create).
  const description = typeof spec.description === 'string' ? spec.description : spec.name;
  return {
    ok: true,
    returnReservationId: spec.return_reservation_id === true,
    request: {
      name: spec.name,
      flavor,
      imageId,
      networkIds,
      portIds,
      volumeIds,
      keyName: typeof spec.key_name === 'string' ? spec.key_name : null,
      metadata,
      description,
      securityGroups,
      availabilityZone: typeof spec.availability_zone === 'string' ? spec.availability_zone : null,
      tags: Array.isArray(spec.tags) ? spec.tags.filter((t): t is string => typeof t === 'string') : [],
      count: maxCount,
    },
  };
}
