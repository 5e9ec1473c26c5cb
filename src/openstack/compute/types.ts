import type { ServerFault } from '../errors.ts';

/** Nova server statuses (the `status` field); `DELETED` appears briefly after a delete and in changes-since listings. */
export type ServerStatus =
  | 'ACTIVE'
  | 'BUILD'
  | 'DELETED'
  | 'ERROR'
  | 'HARD_REBOOT'
  | 'MIGRATING'
  | 'PASSWORD'
  | 'PAUSED'
  | 'REBOOT'
  | 'REBUILD'
  | 'RESCUE'
  | 'RESIZE'
  | 'REVERT_RESIZE'
  | 'SHELVED'
  | 'SHELVED_OFFLOADED'
  | 'SHUTOFF'
  | 'SOFT_DELETED'
  | 'SUSPENDED'
  | 'UNKNOWN'
  | 'VERIFY_RESIZE';

/** Flavor as a server carries it: an id reference before 2.47, an embedded copy from 2.47 on. */
export interface ServerFlavor {
  /** Flavor id; null from 2.47 on, where Nova embeds the flavor without its id. */
  id: string | null;
  /** `original_name` from 2.47 on; null before. */
  name: string | null;
  vcpus: number | null;
  /** MiB. */
  ramMiB: number | null;
  /** GiB; 0 means the root disk is the image size or a volume. */
  diskGiB: number | null;
  ephemeralGiB: number | null;
  swapMiB: number | null;
  extraSpecs: Record<string, string>;
}

export interface ServerAddress {
  addr: string;
  version: 4 | 6;
  /** `OS-EXT-IPS:type`: `fixed` or `floating`. */
  type: string | null;
  /** `OS-EXT-IPS-MAC:mac_addr`. */
  macAddr: string | null;
}

export interface Server {
  id: string;
  name: string;
  status: ServerStatus | string;
  /** `OS-EXT-STS:vm_state`, e.g. `active`, `stopped`, `error`. */
  vmState: string | null;
  /** `OS-EXT-STS:task_state`; null when no task runs. */
  taskState: string | null;
  /** `OS-EXT-STS:power_state`: 0 NOSTATE, 1 RUNNING, 3 PAUSED, 4 SHUTDOWN, 6 CRASHED, 7 SUSPENDED. */
  powerState: number | null;
  tenantId: string;
  userId: string | null;
  created: Date | null;
  updated: Date | null;
  /** `OS-SRV-USG:launched_at`, sent without a zone and read as UTC. */
  launchedAt: Date | null;
  terminatedAt: Date | null;
  flavor: ServerFlavor;
  /** Image id; null when the server boots from a volume (Nova sends ""). */
  imageId: string | null;
  /** Network name to addresses. */
  addresses: Record<string, ServerAddress[]>;
  metadata: Record<string, string>;
  fault: ServerFault | null;
  /** `OS-EXT-AZ:availability_zone`. */
  availabilityZone: string | null;
  keyName: string | null;
  /** `OS-EXT-SRV-ATTR:host`; only admins see it, null otherwise. */
  host: string | null;
  /** Description (2.19 and later), null before. */
  description: string | null;
  /** Tags (2.26 and later), empty before. */
  tags: string[];
  /** Locked flag (2.9 and later), null before. */
  locked: boolean | null;
  /** Volume ids from `os-extended-volumes:volumes_attached`. */
  attachedVolumeIds: string[];
  securityGroups: string[];
}

export interface Flavor {
  id: string;
  name: string;
  vcpus: number;
  /** MiB. */
  ramMiB: number;
  /** GiB; 0 means the root disk takes the image size, typical for boot from volume. */
  diskGiB: number;
  /** `OS-FLV-EXT-DATA:ephemeral`, GiB. */
  ephemeralGiB: number;
  /** MiB; Nova sends "" for no swap before 2.75, normalised to 0. */
  swapMiB: number;
  rxtxFactor: number | null;
  /** `os-flavor-access:is_public`. */
  isPublic: boolean;
  /** `OS-FLV-DISABLED:disabled`. */
  disabled: boolean;
  description: string | null;
  /** Only from 2.61 on, and only when policy lets the caller see them. */
  extraSpecs: Record<string, string>;
}
