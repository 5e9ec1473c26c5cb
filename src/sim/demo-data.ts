import { defaultPool } from './state/ipam.ts';
import type { SimStore } from './state/store.ts';
import type { Flavor, Image, Network, Subnet } from './state/types.ts';

/** A simulator user with one role on one project (`project` names it). */
export interface SimUserConfig {
  name: string;
  password: string;
  project: string;
  role: 'admin' | 'member' | 'reader';
}

export const defaultUsers: SimUserConfig[] = [
  { name: 'admin', password: 'admin-sim-pass', project: 'admin', role: 'admin' },
  { name: 'demo', password: 'demo-sim-pass', project: 'demo', role: 'member' },
  { name: 'alt', password: 'alt-sim-pass', project: 'alt', role: 'member' },
];

/** Flavors by name: vCPUs, RAM in MiB, root disk in GiB. */
const flavorSpecs: [string, number, number, number][] = [
  ['1c1g', 1, 1024, 20],
  ['1c2g', 1, 2048, 20],
  ['2c4g', 2, 4096, 40],
  ['2c8g', 2, 8192, 40],
  ['4c8g', 4, 8192, 60],
  ['4c16g', 4, 16384, 60],
  ['8c16g', 8, 16384, 80],
  ['8c32g', 8, 32768, 80],
  ['16c32g', 16, 32768, 100],
  ['16c64g', 16, 65536, 100],
];

interface ImageSpec {
  name: string;
  distro: string;
  version: string;
  sizeMiB: number;
  minDisk: number;
  minRam: number;
  status?: Image['status'];
  visibility?: Image['visibility'];
  hidden?: boolean;
  extra?: Record<string, string>;
  /** Project name owning the image; admin by default. */
  owner?: string;
}

const imageSpecs: ImageSpec[] = [
  { name: 'CentOS-7.9', distro: 'centos', version: '7.9', sizeMiB: 858, minDisk: 10, minRam: 512 },
  { name: 'Rocky-9', distro: 'rocky', version: '9', sizeMiB: 1024, minDisk: 10, minRam: 1024 },
  { name: 'Ubuntu-22.04', distro: 'ubuntu', version: '22.04', sizeMiB: 660, minDisk: 10, minRam: 512 },
  { name: 'openEuler-22.03', distro: 'openeuler', version: '22.03', sizeMiB: 720, minDisk: 10, minRam: 1024 },
  { name: 'Kylin-V10', distro: 'kylin', version: 'V10', sizeMiB: 2300, minDisk: 20, minRam: 2048 },
  { name: 'UOS-20', distro: 'uos', version: '20', sizeMiB: 2100, minDisk: 20, minRam: 2048 },
  { name: 'Windows-Server-2019', distro: 'windows', version: '2019', sizeMiB: 9800, minDisk: 40, minRam: 2048, extra: { os_type: 'windows' } },
  { name: 'CirrOS-0.6-hidden', distro: 'cirros', version: '0.6', sizeMiB: 20, minDisk: 1, minRam: 128, hidden: true },
  { name: 'Ubuntu-24.04-upload', distro: 'ubuntu', version: '24.04', sizeMiB: 0, minDisk: 10, minRam: 512, status: 'queued' },
  { name: 'CentOS-6-retired', distro: 'centos', version: '6.10', sizeMiB: 700, minDisk: 10, minRam: 512, status: 'deactivated' },
  { name: 'demo-private-snapshot', distro: 'rocky', version: '9', sizeMiB: 1500, minDisk: 40, minRam: 1024, visibility: 'private', owner: 'demo' },
  { name: 'Debian-12-community', distro: 'debian', version: '12', sizeMiB: 400, minDisk: 5, minRam: 512, visibility: 'community' },
];

/** Project networks by project name; others get 10.<100+i>.0.0/24. */
const projectCidrs: Record<string, string> = { admin: '10.0.0.0/24', demo: '10.10.0.0/24', alt: '10.20.0.0/24' };

/**
 * Fills an empty store with the demo cloud. It adds domain Default, the roles, and the projects
 * and users from the config. It adds ten flavors and images of common distributions plus edge
 * cases. It adds a network per project, the external network `public` and one network that is
 * administratively down.
 */
export function seedDemoData(store: SimStore, users: SimUserConfig[] = defaultUsers): void {
  const now = store.now();
  store.domains.set('default', { id: 'default', name: 'Default' });
  for (const name of ['admin', 'member', 'reader', 'service']) {
    const id = store.newKeystoneId();
    store.roles.set(id, { id, name });
  }

  const projectIds = new Map<string, string>();
  for (const user of users) {
    if (projectIds.has(user.project)) continue;
    const id = store.newKeystoneId();
    store.projects.set(id, { id, name: user.project, domainId: 'default' });
    projectIds.set(user.project, id);
  }
  for (const user of users) {
    const projectId = projectIds.get(user.project) as string;
    const id = store.newKeystoneId();
    store.users.set(id, { id, name: user.name, domainId: 'default', password: user.password, defaultProjectId: projectId, roles: { [projectId]: [user.role] } });
  }
  const adminProject = projectIds.get('admin') ?? (projectIds.values().next().value as string);

  for (const [name, vcpus, ram, disk] of flavorSpecs) {
    const flavor: Flavor = { id: store.ids.uuid(), name, vcpus, ram, disk, ephemeral: 0, swap: 0, isPublic: true, description: null, extraSpecs: {} };
    store.flavors.set(flavor.id, flavor);
  }

  imageSpecs.forEach((spec, index) => {
    const created = now - (imageSpecs.length - index) * 60_000;
    const size = spec.status === 'queued' ? null : spec.sizeMiB * 1024 * 1024;
    const queued = spec.status === 'queued';
    const image: Image = {
      id: store.ids.uuid(),
      name: spec.name,
      status: spec.status ?? 'active',
      visibility: spec.visibility ?? 'public',
      owner: projectIds.get(spec.owner ?? 'admin') ?? adminProject,
      size,
      virtualSize: size === null ? null : size * 3,
      diskFormat: queued ? null : 'qcow2',
      containerFormat: queued ? null : 'bare',
      minDisk: spec.minDisk,
      minRam: spec.minRam,
      protected: false,
      hidden: spec.hidden ?? false,
      checksum: queued ? null : store.ids.hex(32),
      osHashAlgo: queued ? null : 'sha512',
      osHashValue: queued ? null : store.ids.hex(128),
      tags: [],
      properties: { os_distro: spec.distro, os_version: spec.version, hw_architecture: 'x86_64', ...spec.extra },
      createdAt: created,
      updatedAt: created,
    };
    store.images.set(image.id, image);
  });

  const addNetwork = (name: string, projectId: string, cidr: string, fields: Partial<Network> = {}): Network => {
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
      providerSegmentationId: 100 + store.networks.size,
      description: '',
      createdAt: now,
      updatedAt: now,
      revision: 2,
      ...fields,
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
      enableDhcp: !network.external,
      allocationPools: [{ start: pool.start, end: pool.end }],
      dnsNameservers: [],
      createdAt: now,
      updatedAt: now,
      revision: 0,
      nextOffset: 0,
    };
    store.subnets.set(subnet.id, subnet);
    return network;
  };

  addNetwork('public', adminProject, '203.0.113.0/24', { external: true, mtu: 1500, providerNetworkType: 'flat', providerPhysicalNetwork: 'external', providerSegmentationId: null });
  let extra = 0;
  for (const [projectName, projectId] of projectIds) {
    const cidr = projectCidrs[projectName] ?? `10.${100 + extra++}.0.0/24`;
    addNetwork(`${projectName}-net`, projectId, cidr);
    const groupId = store.ids.uuid();
    store.securityGroups.set(groupId, { id: groupId, name: 'default', projectId, description: 'Default security group', createdAt: now });
  }
  const demoProject = projectIds.get('demo') ?? adminProject;
  addNetwork('demo-down-net', demoProject, '10.99.0.0/24', { adminStateUp: false, status: 'DOWN' });
}

/** Re-applies configured passwords to users restored from a snapshot. */
export function applyUserPasswords(store: SimStore, users: SimUserConfig[]): void {
  for (const config of users) {
    const user = store.userByName(config.name, 'default');
    if (user) user.password = config.password;
  }
}
