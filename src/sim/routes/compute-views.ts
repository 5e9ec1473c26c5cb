import { createHash } from 'node:crypto';
import { isoMicrosNoZone, isoSeconds } from '../clock.ts';
import { serverStatus } from '../state/lifecycle.ts';
import type { SimStore } from '../state/store.ts';
import type { Flavor, Server } from '../state/types.ts';

/** Returns whether the microversion is 2.<minor> or later. */
export function atLeast(version: [number, number], minor: number): boolean {
  return version[0] > 2 || (version[0] === 2 && version[1] >= minor);
}

export function selfLinks(base: string, collection: string, id: string) {
  return [
    { rel: 'self', href: `${base}/compute/v2.1/${collection}/${id}` },
    { rel: 'bookmark', href: `${base}/compute/${collection}/${id}` },
  ];
}

/** Flavor as `GET /flavors/detail` returns it. */
export function flavorView(flavor: Flavor, base: string, version: [number, number]) {
  const view: Record<string, unknown> = {
    id: flavor.id,
    name: flavor.name,
    ram: flavor.ram,
    disk: flavor.disk,
    // Before 2.75 Nova prints a zero swap as an empty string.
    swap: flavor.swap === 0 && !atLeast(version, 75) ? '' : flavor.swap,
    'OS-FLV-EXT-DATA:ephemeral': flavor.ephemeral,
    'OS-FLV-DISABLED:disabled': false,
    vcpus: flavor.vcpus,
    'os-flavor-access:is_public': flavor.isPublic,
    rxtx_factor: 1.0,
    links: selfLinks(base, 'flavors', flavor.id),
  };
  if (atLeast(version, 55)) view.description = flavor.description;
  if (atLeast(version, 61)) view.extra_specs = { ...flavor.extraSpecs };
  return view;
}

/** `addresses` keyed by network name; empty while the server builds, as Nova shows it. */
export function addressesOf(server: Server, store: SimStore): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  if (server.vmState === 'building' || server.vmState === 'deleted') return out;
  for (const portId of server.portIds) {
    const port = store.ports.get(portId);
    const network = port ? store.networks.get(port.networkId) : undefined;
    if (!port || !network) continue;
    const list = (out[network.name] ??= []);
    for (const ip of port.fixedIps) {
      list.push({ version: 4, addr: ip.ipAddress, 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': port.macAddress });
      for (const fip of store.floatingIps.values()) {
        if (fip.portId === port.id && fip.fixedIpAddress === ip.ipAddress) {
          list.push({ version: 4, addr: fip.floatingIpAddress, 'OS-EXT-IPS:type': 'floating', 'OS-EXT-IPS-MAC:mac_addr': port.macAddress });
        }
      }
    }
  }
  return out;
}

const progressStatuses = new Set(['BUILD', 'REBUILD', 'RESIZE', 'VERIFY_RESIZE', 'MIGRATING', 'ACTIVE']);

/** Server as `GET /servers/{id}` and `/servers/detail` return it at the given microversion. */
export function serverView(server: Server, store: SimStore, base: string, version: [number, number], isAdmin: boolean) {
  const status = server.statusOverride ?? serverStatus(server.vmState, server.taskState);
  const flavor = atLeast(version, 47)
    ? {
        vcpus: server.flavor.vcpus,
        ram: server.flavor.ram,
        disk: server.flavor.disk,
        ephemeral: server.flavor.ephemeral,
        swap: server.flavor.swap,
        original_name: server.flavor.name,
        extra_specs: { ...server.flavor.extraSpecs },
      }
    : { id: server.flavorId, links: [{ rel: 'bookmark', href: `${base}/compute/flavors/${server.flavorId}` }] };

  const view: Record<string, unknown> = {
    id: server.id,
    name: server.name,
    status,
    tenant_id: server.projectId,
    user_id: server.userId,
    metadata: { ...server.metadata },
    hostId: server.vmState === 'building' && server.taskState === 'scheduling' ? '' : hostIdOf(server.projectId, server.host),
    image: server.imageId ? { id: server.imageId, links: [{ rel: 'bookmark', href: `${base}/compute/images/${server.imageId}` }] } : '',
    flavor,
    created: isoSeconds(server.createdAt),
    updated: isoSeconds(server.updatedAt),
    addresses: addressesOf(server, store),
    accessIPv4: '',
    accessIPv6: '',
    links: selfLinks(base, 'servers', server.id),
    'OS-DCF:diskConfig': 'MANUAL',
  };
  if (progressStatuses.has(status)) view.progress = 0;
  Object.assign(view, {
    'OS-EXT-AZ:availability_zone': server.vmState === 'building' && server.taskState === 'scheduling' ? '' : server.availabilityZone,
    config_drive: server.configDrive,
    key_name: server.keyName,
    'OS-SRV-USG:launched_at': server.launchedAt === null ? null : isoMicrosNoZone(server.launchedAt),
    'OS-SRV-USG:terminated_at': server.terminatedAt === null ? null : isoMicrosNoZone(server.terminatedAt),
  });
  if (server.vmState !== 'deleted') view.security_groups = server.securityGroups.map((name) => ({ name }));
  if (isAdmin) {
    view['OS-EXT-SRV-ATTR:host'] = server.host;
    view['OS-EXT-SRV-ATTR:instance_name'] = 'instance-' + (server.launchIndex + server.createdAt).toString(16).slice(-8).padStart(8, '0');
    view['OS-EXT-SRV-ATTR:hypervisor_hostname'] = server.host;
  }

  Object.assign(view, {
    'OS-EXT-STS:task_state': server.taskState,
    'OS-EXT-STS:vm_state': server.vmState,
    'OS-EXT-STS:power_state': server.powerState,
    'os-extended-volumes:volumes_attached': server.volumeIds.map((id) => (atLeast(version, 3) ? { id, delete_on_termination: false } : { id })),
  });
  if (server.fault && (server.vmState === 'error' || server.vmState === 'deleted')) {
    view.fault = { code: server.fault.code, created: isoSeconds(server.fault.created), message: server.fault.message };
    if (isAdmin) (view.fault as Record<string, unknown>).details = server.fault.details;
  }

  // Keys added by later microversions, in the order Nova appends them.
  if (atLeast(version, 3) && isAdmin) {
    Object.assign(view, {
      'OS-EXT-SRV-ATTR:reservation_id': server.reservationId,
      'OS-EXT-SRV-ATTR:launch_index': server.launchIndex,
      'OS-EXT-SRV-ATTR:kernel_id': '',
      'OS-EXT-SRV-ATTR:ramdisk_id': '',
      'OS-EXT-SRV-ATTR:root_device_name': '/dev/vda',
      'OS-EXT-SRV-ATTR:user_data': null,
    });
  }
  if (atLeast(version, 9)) view.locked = server.locked;
  if (atLeast(version, 73)) view.locked_reason = null;
  if (atLeast(version, 16) && isAdmin) view.host_status = 'UP';
  if (atLeast(version, 19)) view.description = server.description;
  if (atLeast(version, 26)) view.tags = [...server.tags];
  if (atLeast(version, 63)) view.trusted_image_certificates = null;
  if (atLeast(version, 3) && (isAdmin || atLeast(version, 90))) view['OS-EXT-SRV-ATTR:hostname'] = hostnameOf(server.name);
  if (atLeast(version, 71)) view.server_groups = [];
  return view;
}

/** Entry of `GET /servers` (not detail). */
export function serverSummary(server: Server, base: string) {
  return { id: server.id, links: selfLinks(base, 'servers', server.id), name: server.name };
}

/** Nova's `hostId`: SHA-224 of project id and host name, so it differs per project. */
export function hostIdOf(projectId: string, host: string): string {
  return createHash('sha224').update(projectId + host).digest('hex');
}

/** Nova sanitizes the display name into a hostname: lower case, [a-z0-9-], at most 63 characters. */
function hostnameOf(name: string): string {
  const cleaned = name.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '').slice(0, 63);
  return cleaned || 'server';
}
