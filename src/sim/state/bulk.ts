import { defaultPool } from './ipam.ts';
import { PowerState } from './lifecycle.ts';
import type { SimStore } from './store.ts';
import type { Network, Server, Subnet } from './types.ts';

export interface BulkLoadOptions {
  count: number;
  projectId: string;
  userId: string;
  /** Name prefix; servers are named `<prefix>-<n>`. */
  namePrefix?: string;
  /** Give every server a port with a fixed IP on a /16 network made for the load. */
  withPorts?: boolean;
}

/**
 * Inserts `count` finished servers at once (80% ACTIVE, 15% SHUTOFF, 5% ERROR, chosen by the
 * seeded generator), created one second apart and ending now, for scale tests and benchmarks.
 */
export function loadServers(store: SimStore, options: BulkLoadOptions): Server[] {
  const now = store.now();
  const flavors = [...store.flavors.values()];
  const images = [...store.images.values()].filter((i) => i.status === 'active' && !i.hidden);
  if (flavors.length === 0 || images.length === 0) throw new Error('loadServers needs at least one flavor and one active image (seed demo data first)');
  const withPorts = options.withPorts ?? true;
  const network = withPorts ? bulkNetwork(store, options.projectId, now) : undefined;
  const prefix = options.namePrefix ?? 'bulk';
  const created: Server[] = [];
  for (let i = 0; i < options.count; i++) {
    const createdAt = now - (options.count - i) * 1000;
    // Builds finish 5 s after creation, but never in the future.
    const builtAt = Math.min(createdAt + 5000, now);
    const flavor = flavors[store.ids.int(0, flavors.length - 1)] as (typeof flavors)[number];
    const image = images[store.ids.int(0, images.length - 1)] as (typeof images)[number];
    const roll = store.ids.float();
    let vmState: Server['vmState'] = 'error';
    if (roll < 0.8) vmState = 'active';
    else if (roll < 0.95) vmState = 'stopped';
    const server: Server = {
      id: store.ids.uuid(),
      name: `${prefix}-${i + 1}`,
      projectId: options.projectId,
      userId: options.userId,
      flavorId: flavor.id,
      flavor: { ...flavor, extraSpecs: { ...flavor.extraSpecs } },
      imageId: image.id,
      keyName: null,
      metadata: {},
      description: `${prefix}-${i + 1}`,
      tags: [],
      availabilityZone: 'nova',
      host: store.config.computeHost,
      vmState,
      taskState: null,
      powerState: powerStates[vmState] ?? PowerState.NOSTATE,
      networkIds: network ? [network.id] : [],
      portIds: [],
      volumeIds: [],
      securityGroups: ['default'],
      configDrive: '',
      adminPass: '',
      fault: vmState === 'error' ? { code: 500, message: 'No valid host was found. ', details: '', created: builtAt } : null,
      createdAt,
      updatedAt: builtAt,
      launchedAt: vmState === 'error' ? null : builtAt,
      terminatedAt: null,
      deletedAt: null,
      locked: false,
      reservationId: 'r-bulk' + i.toString(36),
      launchIndex: 0,
      actions: [],
      pending: null,
      version: 0,
    };
    if (network && vmState !== 'error') {
      const port = store.createPort(network, options.projectId, Math.min(createdAt + 2000, now), {
        deviceId: server.id,
        deviceOwner: 'compute:nova',
        status: vmState === 'active' ? 'ACTIVE' : 'DOWN',
        bindingHostId: server.host,
        bindingVifType: 'bridge',
      });
      server.portIds.push(port.id);
    }
    store.insertServer(server);
    created.push(server);
  }
  store.changed();
  return created;
}

const powerStates: Partial<Record<Server['vmState'], number>> = { active: PowerState.RUNNING, stopped: PowerState.SHUTDOWN };

function bulkNetwork(store: SimStore, projectId: string, now: number): Network {
  const name = 'bulk-net';
  const existing = [...store.networks.values()].find((n) => n.projectId === projectId && n.name === name);
  if (existing) return existing;
  const index = [...store.networks.values()].filter((n) => n.name === name).length;
  const cidr = `10.${128 + index}.0.0/16`;
  const network: Network = {
    id: store.ids.uuid(),
    name,
    projectId,
    adminStateUp: true,
    shared: false,
    external: false,
    status: 'ACTIVE',
    mtu: 1450,
    providerNetworkType: 'vxlan',
    providerPhysicalNetwork: null,
    providerSegmentationId: 900 + index,
    description: 'Network made by the simulator for bulk-loaded servers',
    createdAt: now,
    updatedAt: now,
    revision: 2,
  };
  store.networks.set(network.id, network);
  const pool = defaultPool(cidr);
  const subnet: Subnet = {
    id: store.ids.uuid(),
    name: `${name}-subnet`,
    networkId: network.id,
    projectId,
    cidr,
    gatewayIp: pool.gateway,
    ipVersion: 4,
    enableDhcp: true,
    allocationPools: [{ start: pool.start, end: pool.end }],
    dnsNameservers: [],
    createdAt: now,
    updatedAt: now,
    revision: 0,
    nextOffset: 0,
  };
  store.subnets.set(subnet.id, subnet);
  return network;
}
