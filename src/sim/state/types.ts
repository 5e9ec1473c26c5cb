/** Records held by the simulator. Times are milliseconds since the Unix epoch. */

export interface Domain {
  id: string;
  name: string;
}

export interface Project {
  id: string;
  name: string;
  domainId: string;
}

export interface Role {
  id: string;
  name: string;
}

export interface User {
  id: string;
  name: string;
  domainId: string;
  password: string;
  defaultProjectId: string | null;
  /** Role names per project id. */
  roles: Record<string, string[]>;
}

export interface ApplicationCredential {
  id: string;
  name: string;
  secret: string;
  userId: string;
  projectId: string;
  roles: string[];
  expiresAt: number | null;
}

export interface Token {
  id: string;
  userId: string;
  projectId: string | null;
  roles: string[];
  methods: string[];
  issuedAt: number;
  expiresAt: number;
  auditId: string;
  applicationCredentialId: string | null;
  revoked: boolean;
}

export interface Flavor {
  id: string;
  name: string;
  vcpus: number;
  /** MiB */
  ram: number;
  /** GiB */
  disk: number;
  ephemeral: number;
  /** MiB, 0 when none */
  swap: number;
  isPublic: boolean;
  description: string | null;
  extraSpecs: Record<string, string>;
}

export type ImageStatus = 'queued' | 'saving' | 'active' | 'killed' | 'deleted' | 'pending_delete' | 'deactivated' | 'uploading' | 'importing';
export type ImageVisibility = 'public' | 'private' | 'shared' | 'community';

export interface Image {
  id: string;
  name: string;
  status: ImageStatus;
  visibility: ImageVisibility;
  owner: string;
  /** bytes, null while queued */
  size: number | null;
  virtualSize: number | null;
  diskFormat: string | null;
  containerFormat: string | null;
  minDisk: number;
  minRam: number;
  protected: boolean;
  hidden: boolean;
  checksum: string | null;
  osHashAlgo: string | null;
  osHashValue: string | null;
  tags: string[];
  /** Custom properties such as os_distro and os_version, returned as top-level keys. */
  properties: Record<string, string>;
  createdAt: number;
  updatedAt: number;
}

export interface Network {
  id: string;
  name: string;
  projectId: string;
  adminStateUp: boolean;
  shared: boolean;
  external: boolean;
  status: 'ACTIVE' | 'DOWN' | 'BUILD' | 'ERROR';
  mtu: number;
  providerNetworkType: string;
  providerPhysicalNetwork: string | null;
  providerSegmentationId: number | null;
  description: string;
  createdAt: number;
  updatedAt: number;
  revision: number;
}

export interface Subnet {
  id: string;
  name: string;
  networkId: string;
  projectId: string;
  cidr: string;
  gatewayIp: string | null;
  ipVersion: 4 | 6;
  enableDhcp: boolean;
  allocationPools: { start: string; end: string }[];
  dnsNameservers: string[];
  createdAt: number;
  updatedAt: number;
  revision: number;
  /** Next host offset to try when allocating an address. */
  nextOffset: number;
}

export interface Port {
  id: string;
  name: string;
  networkId: string;
  projectId: string;
  macAddress: string;
  fixedIps: { subnetId: string; ipAddress: string }[];
  deviceId: string;
  deviceOwner: string;
  status: 'ACTIVE' | 'DOWN' | 'BUILD';
  adminStateUp: boolean;
  bindingHostId: string;
  bindingVifType: string;
  securityGroups: string[];
  createdAt: number;
  updatedAt: number;
  revision: number;
}

export interface FloatingIp {
  id: string;
  projectId: string;
  floatingNetworkId: string;
  floatingIpAddress: string;
  fixedIpAddress: string | null;
  portId: string | null;
  routerId: string | null;
  status: 'ACTIVE' | 'DOWN';
  description: string;
  createdAt: number;
  updatedAt: number;
  revision: number;
}

export interface SecurityGroup {
  id: string;
  name: string;
  projectId: string;
  description: string;
  createdAt: number;
}

export interface Volume {
  id: string;
  name: string | null;
  projectId: string;
  userId: string;
  size: number;
  status: 'creating' | 'available' | 'in-use' | 'attaching' | 'detaching' | 'deleting' | 'error';
  volumeType: string;
  bootable: boolean;
  imageId: string | null;
  description: string | null;
  attachments: { serverId: string; attachmentId: string; device: string; attachedAt: number }[];
  createdAt: number;
  updatedAt: number;
  /** Time at which a `creating` volume becomes `available`, or a `deleting` one disappears. */
  readyAt: number;
  deleted: boolean;
}

export type VmState = 'building' | 'active' | 'stopped' | 'paused' | 'suspended' | 'error' | 'deleted' | 'resized' | 'soft-delete' | 'shelved' | 'shelved_offloaded' | 'rescued';

export interface ServerFault {
  code: number;
  message: string;
  details: string;
  created: number;
}

export interface InstanceAction {
  action: string;
  requestId: string;
  userId: string;
  projectId: string;
  startTime: number;
  updatedAt: number;
  message: string | null;
  events: { event: string; startTime: number; finishTime: number | null; result: string | null }[];
}

export interface Server {
  id: string;
  name: string;
  projectId: string;
  userId: string;
  flavorId: string;
  /** Copy of the flavor at boot (or resize) time, as Nova embeds it from 2.47. */
  flavor: Flavor;
  imageId: string | null;
  keyName: string | null;
  metadata: Record<string, string>;
  description: string | null;
  tags: string[];
  availabilityZone: string;
  host: string;
  vmState: VmState;
  taskState: string | null;
  powerState: number;
  /** Requested networks: network ids, in order. */
  networkIds: string[];
  portIds: string[];
  volumeIds: string[];
  securityGroups: string[];
  configDrive: string;
  adminPass: string;
  fault: ServerFault | null;
  createdAt: number;
  updatedAt: number;
  launchedAt: number | null;
  terminatedAt: number | null;
  /** Set when the record is soft-deleted. GET then returns 404, but changes-since still lists it. */
  deletedAt: number | null;
  locked: boolean;
  reservationId: string;
  launchIndex: number;
  actions: InstanceAction[];
  /** Flavor and vm_state before a resize through the API, kept until it is confirmed or reverted. */
  resizedFrom?: { flavor: Flavor; vmState: VmState } | null;
  /** Operation in progress, advanced by the timeline; null when the server is at rest. */
  pending: PendingOperation | null;
  /**
   * Status set through `/_sim/servers/{id}/status`, shown instead of the one derived from
   * vm_state and task_state until the next operation begins; for statuses no flow reaches here.
   */
  statusOverride?: string | null;
  /** Increases on every change; guards queued transitions and the updated-at index. */
  version: number;
}

export type OperationName =
  | 'build'
  | 'stop'
  | 'start'
  | 'reboot-soft'
  | 'reboot-hard'
  | 'pause'
  | 'unpause'
  | 'suspend'
  | 'resume'
  | 'delete'
  | 'resize'
  | 'resize-verify'
  | 'revert-resize';

export interface PendingOperation {
  op: OperationName;
  /** Index of the next step to apply. */
  step: number;
  due: number;
  /** Build outcome ("error", "stuck") or resize target ("flavorId"). */
  params: Record<string, string>;
}
