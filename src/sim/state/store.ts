import type { Clock } from '../clock.ts';
import { Random } from '../random.ts';
import { intToIp, ipToInt } from './ipam.ts';
import { applyStep, defaultTimings, initialTaskState, PowerState, stepCount, stepWait } from './lifecycle.ts';
import type { LifecycleHooks, Timings } from './lifecycle.ts';
import { ServerOrder, UpdatedLog } from './server-index.ts';
import { Timeline } from './timeline.ts';
import type {
  ApplicationCredential,
  Domain,
  Flavor,
  FloatingIp,
  Image,
  Network,
  OperationName,
  Port,
  Project,
  Role,
  SecurityGroup,
  Server,
  Subnet,
  Token,
  User,
  Volume,
} from './types.ts';

export interface Quota {
  instances: number;
  cores: number;
  ram: number;
  volumes: number;
  gigabytes: number;
}

export interface StoreConfig {
  region: string;
  /** Nova `[api] max_limit`: the largest page the servers list returns. */
  maxLimit: number;
  tokenLifetimeMs: number;
  timings: Timings;
  defaultQuota: Quota;
  computeHost: string;
}

export const defaultStoreConfig: StoreConfig = {
  region: 'RegionOne',
  maxLimit: 1000,
  tokenLifetimeMs: 3600_000,
  timings: defaultTimings,
  defaultQuota: { instances: 10, cores: 20, ram: 51200, volumes: 10, gigabytes: 1000 },
  computeHost: 'sim-compute-1',
};

/** Outcome of the next build, chosen by the fault injector. */
export interface BuildOutcome {
  outcome: 'active' | 'error' | 'stuck';
  faultMessage?: string;
}

export interface RequestActor {
  userId: string;
  projectId: string;
  requestId: string;
}

/** Thrown by store operations; routes turn it into the service's error body. */
export class StoreError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly kind = '',
  ) {
    super(message);
  }
}

/**
 * All simulated cloud state plus the indexes that keep listing fast. Pending state changes sit
 * in a timeline and are applied by `settle()`, which every request calls first.
 */
export class SimStore {
  readonly config: StoreConfig;
  /** Resource ids, MAC addresses, passwords: one stream, so extra reads never shift them. */
  readonly ids: Random;
  /** Token ids and request ids, kept apart from `ids` for the same reason. */
  readonly tokenIds: Random;
  readonly domains = new Map<string, Domain>();
  readonly projects = new Map<string, Project>();
  readonly roles = new Map<string, Role>();
  readonly users = new Map<string, User>();
  readonly appCredentials = new Map<string, ApplicationCredential>();
  readonly tokens = new Map<string, Token>();
  readonly flavors = new Map<string, Flavor>();
  readonly images = new Map<string, Image>();
  readonly networks = new Map<string, Network>();
  readonly subnets = new Map<string, Subnet>();
  readonly ports = new Map<string, Port>();
  readonly floatingIps = new Map<string, FloatingIp>();
  readonly securityGroups = new Map<string, SecurityGroup>();
  readonly volumes = new Map<string, Volume>();
  readonly servers = new Map<string, Server>();
  readonly quotas = new Map<string, Quota>();
  /** All servers in list order, and per project. */
  readonly order = new ServerOrder();
  readonly projectOrder = new Map<string, ServerOrder>();
  readonly updatedLog = new UpdatedLog();
  private readonly timeline = new Timeline();
  private readonly usedIps = new Map<string, Set<string>>();
  private readonly usage = new Map<string, { instances: number; cores: number; ram: number }>();
  private lastCreatedAt = 0;
  private changeListeners: (() => void)[] = [];
  buildOutcome: () => BuildOutcome = () => ({ outcome: 'active' });

  constructor(
    readonly clock: Clock,
    seed: number | string,
    config: Partial<StoreConfig> = {},
  ) {
    this.config = { ...defaultStoreConfig, ...config, timings: { ...defaultTimings, ...config.timings } };
    this.ids = new Random(seed);
    this.tokenIds = new Random(`${seed}/tokens`);
  }

  now(): number {
    return this.clock.now();
  }

  onChange(listener: () => void): void {
    this.changeListeners.push(listener);
  }

  changed(): void {
    for (const listener of this.changeListeners) listener();
  }

  /** Applies every queued state change that is due. */
  settle(): void {
    const now = this.now();
    let any = false;
    for (let entry = this.timeline.popDue(now); entry; entry = this.timeline.popDue(now)) {
      const server = this.servers.get(entry.targetId);
      if (server && server.version === entry.version && server.pending) {
        this.advanceServer(server, entry.due);
        any = true;
        continue;
      }
      const volume = this.volumes.get(entry.targetId);
      if (volume && volume.readyAt === entry.due) {
        this.advanceVolume(volume, entry.due);
        any = true;
      }
    }
    if (any) this.changed();
  }

  // ---- identity ----

  newKeystoneId(): string {
    return this.ids.hex(32);
  }

  newRequestId(): string {
    return 'req-' + this.tokenIds.uuid();
  }

  issueToken(token: Omit<Token, 'id' | 'auditId' | 'revoked'>): Token {
    const full: Token = { ...token, id: 'gAAAAA' + this.tokenIds.chars(178, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), auditId: this.tokenIds.chars(22), revoked: false };
    this.tokens.set(full.id, full);
    if (this.tokens.size > 20_000) this.dropExpiredTokens();
    return full;
  }

  validToken(id: string | undefined): Token | null {
    if (!id) return null;
    const token = this.tokens.get(id);
    if (!token || token.revoked || token.expiresAt <= this.now()) return null;
    return token;
  }

  private dropExpiredTokens(): void {
    const now = this.now();
    for (const [id, token] of this.tokens) if (token.expiresAt <= now || token.revoked) this.tokens.delete(id);
  }

  projectByName(name: string, domainId: string): Project | undefined {
    for (const project of this.projects.values()) if (project.name === name && project.domainId === domainId) return project;
    return undefined;
  }

  userByName(name: string, domainId: string): User | undefined {
    for (const user of this.users.values()) if (user.name === name && user.domainId === domainId) return user;
    return undefined;
  }

  domainByName(name: string): Domain | undefined {
    for (const domain of this.domains.values()) if (domain.name === name) return domain;
    return undefined;
  }

  // ---- quotas ----

  quotaFor(projectId: string): Quota {
    return this.quotas.get(projectId) ?? this.config.defaultQuota;
  }

  usageFor(projectId: string): { instances: number; cores: number; ram: number } {
    let usage = this.usage.get(projectId);
    if (!usage) {
      usage = { instances: 0, cores: 0, ram: 0 };
      this.usage.set(projectId, usage);
    }
    return usage;
  }

  private checkQuota(projectId: string, flavor: Flavor, count: number): void {
    this.checkQuotaDelta(projectId, { instances: count, cores: flavor.vcpus * count, ram: flavor.ram * count });
  }

  /** Throws Nova's 403 quota error when adding `requested` to the project's usage exceeds its quota. */
  checkQuotaDelta(projectId: string, requested: { instances: number; cores: number; ram: number }): void {
    const quota = this.quotaFor(projectId);
    const used = this.usageFor(projectId);
    const over: string[] = [];
    for (const resource of ['cores', 'instances', 'ram'] as const) {
      if (requested[resource] > 0 && quota[resource] >= 0 && used[resource] + requested[resource] > quota[resource]) over.push(resource);
    }
    if (over.length === 0) return;
    const first = over[0] as 'cores' | 'instances' | 'ram';
    throw new StoreError(
      403,
      `Quota exceeded for ${over.join(', ')}: Requested ${requested[first]}, but already used ${used[first]} of ${quota[first]} ${first}`,
    );
  }

  // ---- servers ----

  /** Adds a server record to every index. */
  private indexServer(server: Server): void {
    this.servers.set(server.id, server);
    this.order.insert(server);
    let projectOrder = this.projectOrder.get(server.projectId);
    if (!projectOrder) {
      projectOrder = new ServerOrder();
      this.projectOrder.set(server.projectId, projectOrder);
    }
    projectOrder.insert(server);
    this.updatedLog.record(server);
  }

  /** Bumps version and updated time after a change, and re-logs the server. */
  touch(server: Server, at: number): void {
    server.version++;
    server.updatedAt = Math.max(server.updatedAt, at);
    this.updatedLog.record(server);
    this.updatedLog.compactIfLarge(this.servers.size);
  }

  /** Creation time strictly after the previous one, so list order is stable even in one millisecond. */
  private nextCreatedAt(): number {
    const now = this.now();
    this.lastCreatedAt = Math.max(now, this.lastCreatedAt);
    return this.lastCreatedAt;
  }

  createServer(
    actor: RequestActor,
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
    },
  ): Server[] {
    this.checkQuota(actor.projectId, request.flavor, request.count);
    const reservationId = 'r-' + this.ids.chars(8, 'abcdefghijklmnopqrstuvwxyz0123456789');
    const created: Server[] = [];
    for (let index = 0; index < request.count; index++) {
      const now = this.nextCreatedAt();
      const server: Server = {
        id: this.ids.uuid(),
        name: request.count > 1 ? `${request.name}-${index + 1}` : request.name,
        projectId: actor.projectId,
        userId: actor.userId,
        flavorId: request.flavor.id,
        flavor: { ...request.flavor, extraSpecs: { ...request.flavor.extraSpecs } },
        imageId: request.imageId,
        keyName: request.keyName,
        metadata: { ...request.metadata },
        description: request.description,
        tags: [...request.tags],
        availabilityZone: request.availabilityZone ?? 'nova',
        host: this.config.computeHost,
        vmState: 'building',
        taskState: 'scheduling',
        powerState: PowerState.NOSTATE,
        networkIds: [...request.networkIds],
        portIds: [...request.portIds],
        volumeIds: [...request.volumeIds],
        securityGroups: request.securityGroups.length > 0 ? [...request.securityGroups] : ['default'],
        configDrive: '',
        adminPass: this.ids.chars(12),
        fault: null,
        createdAt: now,
        updatedAt: now,
        launchedAt: null,
        terminatedAt: null,
        deletedAt: null,
        locked: false,
        reservationId,
        launchIndex: index,
        actions: [],
        pending: null,
        version: 0,
      };
      this.indexServer(server);
      const usage = this.usageFor(server.projectId);
      usage.instances++;
      usage.cores += server.flavor.vcpus;
      usage.ram += server.flavor.ram;
      for (const volumeId of server.volumeIds) this.attachVolume(volumeId, server, now);
      this.recordAction(server, 'create', actor, now);
      const outcome = this.buildOutcome();
      const params: Record<string, string> = { outcome: outcome.outcome };
      if (outcome.faultMessage) params.faultMessage = outcome.faultMessage;
      this.beginOperation(server, 'build', now, params);
      created.push(server);
    }
    this.changed();
    return created;
  }

  /** Inserts a finished server without timeline steps, for bulk loading and snapshots. */
  insertServer(server: Server): void {
    this.indexServer(server);
    this.lastCreatedAt = Math.max(this.lastCreatedAt, server.createdAt);
    if (server.vmState !== 'deleted') {
      const usage = this.usageFor(server.projectId);
      usage.instances++;
      usage.cores += server.flavor.vcpus;
      usage.ram += server.flavor.ram;
    }
    for (const portId of server.portIds) {
      const port = this.ports.get(portId);
      if (port) for (const ip of port.fixedIps) this.ipsOf(ip.subnetId).add(ip.ipAddress);
    }
    if (server.pending) this.timeline.push(server.pending.due, server.id, server.version);
  }

  /** Starts an operation: sets its first task_state and queues its first step. */
  beginOperation(server: Server, op: OperationName, now: number, params: Record<string, string> = {}): void {
    server.statusOverride = null;
    server.taskState = initialTaskState[op];
    this.touch(server, now);
    const wait = stepWait(op, 0);
    if (!wait) {
      server.pending = null;
      return;
    }
    server.pending = { op, step: 0, due: now + this.config.timings[wait], params };
    this.timeline.push(server.pending.due, server.id, server.version);
  }

  private advanceServer(server: Server, at: number): void {
    const pending = server.pending;
    if (!pending) return;
    applyStep(server, at, this.lifecycleHooks);
    const next = pending.step + 1;
    if (next < stepCount(pending.op)) {
      const wait = stepWait(pending.op, next) as keyof Timings;
      server.pending = { ...pending, step: next, due: at + this.config.timings[wait] };
      this.touch(server, at);
      this.timeline.push(server.pending.due, server.id, server.version);
    } else {
      server.pending = null;
      this.touch(server, at);
      // A stuck build never finishes its action, as when nova-compute hangs.
      if (!(pending.op === 'build' && pending.params.outcome === 'stuck')) this.finishActionEvents(server, at);
    }
  }

  private readonly lifecycleHooks: LifecycleHooks = {
    allocatePorts: (server, now) => this.allocatePorts(server, now),
    releasePorts: (server, now) => this.releasePorts(server, now),
    detachVolumes: (server, now) => {
      for (const volumeId of server.volumeIds) this.detachVolume(volumeId, server, now);
      const usage = this.usageFor(server.projectId);
      usage.instances--;
      usage.cores -= server.flavor.vcpus;
      usage.ram -= server.flavor.ram;
    },
    restoreFlavor: (server) => {
      const previous = server.resizedFrom?.flavor;
      if (!previous) return;
      const usage = this.usageFor(server.projectId);
      usage.cores += previous.vcpus - server.flavor.vcpus;
      usage.ram += previous.ram - server.flavor.ram;
      server.flavorId = previous.id;
      server.flavor = { ...previous, extraSpecs: { ...previous.extraSpecs } };
    },
    applyFlavor: (server, flavorId) => {
      const flavor = this.flavors.get(flavorId);
      if (!flavor) return;
      const usage = this.usageFor(server.projectId);
      usage.cores += flavor.vcpus - server.flavor.vcpus;
      usage.ram += flavor.ram - server.flavor.ram;
      server.flavorId = flavor.id;
      server.flavor = { ...flavor, extraSpecs: { ...flavor.extraSpecs } };
    },
  };

  recordAction(server: Server, action: string, actor: RequestActor, now: number): void {
    server.actions.push({
      action,
      requestId: actor.requestId,
      userId: actor.userId,
      projectId: actor.projectId,
      startTime: now,
      updatedAt: now,
      message: null,
      events: [{ event: `compute_${action === 'create' ? 'build_and_run_instance' : action.replace(/-/g, '_') + '_instance'}`, startTime: now, finishTime: null, result: null }],
    });
  }

  finishActionEvents(server: Server, at: number): void {
    const last = server.actions[server.actions.length - 1];
    if (!last) return;
    last.updatedAt = at;
    for (const event of last.events) {
      if (event.finishTime === null) {
        event.finishTime = at;
        event.result = server.vmState === 'error' ? 'Error' : 'Success';
      }
    }
    if (server.vmState === 'error') last.message = 'Error';
  }

  // ---- networking ----

  private ipsOf(subnetId: string): Set<string> {
    let used = this.usedIps.get(subnetId);
    if (!used) {
      used = new Set();
      this.usedIps.set(subnetId, used);
    }
    return used;
  }

  newMac(): string {
    const bytes = [this.ids.int(0, 255), this.ids.int(0, 255), this.ids.int(0, 255)];
    return 'fa:16:3e:' + bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
  }

  /** Picks the next free address of the subnet's allocation pools, or throws when it is full. */
  allocateIp(subnet: Subnet): string {
    const used = this.ipsOf(subnet.id);
    const ranges = subnet.allocationPools.map((p) => [ipToInt(p.start), ipToInt(p.end)] as const);
    const total = ranges.reduce((sum, [start, end]) => sum + (end - start + 1), 0);
    for (let tried = 0; tried < total; tried++) {
      let offset = (subnet.nextOffset + tried) % total;
      for (const [start, end] of ranges) {
        const size = end - start + 1;
        if (offset < size) {
          const ip = intToIp(start + offset);
          if (!used.has(ip)) {
            used.add(ip);
            subnet.nextOffset = (subnet.nextOffset + tried + 1) % total;
            return ip;
          }
          break;
        }
        offset -= size;
      }
    }
    throw new StoreError(409, `No more IP addresses available on network ${subnet.networkId}.`, 'IpAddressGenerationFailure');
  }

  createPort(network: Network, projectId: string, now: number, fields: Partial<Port> = {}): Port {
    const subnet = [...this.subnets.values()].find((s) => s.networkId === network.id && s.ipVersion === 4);
    const port: Port = {
      id: this.ids.uuid(),
      name: '',
      networkId: network.id,
      projectId,
      macAddress: this.newMac(),
      fixedIps: subnet ? [{ subnetId: subnet.id, ipAddress: this.allocateIp(subnet) }] : [],
      deviceId: '',
      deviceOwner: '',
      status: 'DOWN',
      adminStateUp: true,
      bindingHostId: '',
      bindingVifType: 'unbound',
      securityGroups: [],
      createdAt: now,
      updatedAt: now,
      revision: 1,
      ...fields,
    };
    this.ports.set(port.id, port);
    return port;
  }

  deletePort(port: Port): void {
    for (const ip of port.fixedIps) this.ipsOf(ip.subnetId).delete(ip.ipAddress);
    this.ports.delete(port.id);
    for (const fip of this.floatingIps.values()) {
      if (fip.portId === port.id) {
        fip.portId = null;
        fip.fixedIpAddress = null;
        fip.status = 'DOWN';
      }
    }
  }

  private allocatePorts(server: Server, now: number): void {
    for (const portId of server.portIds) {
      const port = this.ports.get(portId);
      if (port) this.bindPort(port, server, now);
    }
    for (const networkId of server.networkIds) {
      const network = this.networks.get(networkId);
      if (!network) continue;
      const port = this.createPort(network, server.projectId, now);
      this.bindPort(port, server, now);
      server.portIds.push(port.id);
    }
  }

  private bindPort(port: Port, server: Server, now: number): void {
    port.deviceId = server.id;
    port.deviceOwner = 'compute:' + server.availabilityZone;
    port.bindingHostId = server.host;
    port.bindingVifType = 'bridge';
    port.status = 'ACTIVE';
    port.updatedAt = now;
    port.revision++;
  }

  private releasePorts(server: Server, now: number): void {
    for (const portId of server.portIds) {
      const port = this.ports.get(portId);
      if (!port) continue;
      if (port.deviceOwner.startsWith('compute:') && server.networkIds.includes(port.networkId)) {
        this.deletePort(port);
      } else {
        port.deviceId = '';
        port.deviceOwner = '';
        port.status = 'DOWN';
        port.updatedAt = now;
        port.revision++;
      }
    }
  }

  // ---- volumes ----

  createVolume(volume: Omit<Volume, 'readyAt' | 'status' | 'attachments' | 'deleted' | 'createdAt' | 'updatedAt'>): Volume {
    const now = this.now();
    const full: Volume = {
      ...volume,
      status: 'creating',
      attachments: [],
      createdAt: now,
      updatedAt: now,
      readyAt: now + this.config.timings.volumeCreate,
      deleted: false,
    };
    this.volumes.set(full.id, full);
    this.timeline.push(full.readyAt, full.id, 0);
    this.changed();
    return full;
  }

  deleteVolume(volume: Volume): void {
    const now = this.now();
    volume.status = 'deleting';
    volume.updatedAt = now;
    volume.readyAt = now + this.config.timings.volumeDelete;
    this.timeline.push(volume.readyAt, volume.id, 0);
    this.changed();
  }

  private advanceVolume(volume: Volume, at: number): void {
    if (volume.status === 'creating') {
      volume.status = volume.attachments.length > 0 ? 'in-use' : 'available';
      volume.updatedAt = at;
    } else if (volume.status === 'deleting') {
      this.volumes.delete(volume.id);
    }
  }

  private attachVolume(volumeId: string, server: Server, now: number): void {
    const volume = this.volumes.get(volumeId);
    if (!volume) return;
    volume.attachments.push({ serverId: server.id, attachmentId: this.ids.uuid(), device: '/dev/vda', attachedAt: now });
    if (volume.status !== 'creating') volume.status = 'in-use';
    volume.updatedAt = now;
  }

  private detachVolume(volumeId: string, server: Server, now: number): void {
    const volume = this.volumes.get(volumeId);
    if (!volume) return;
    volume.attachments = volume.attachments.filter((a) => a.serverId !== server.id);
    if (volume.attachments.length === 0 && volume.status === 'in-use') volume.status = 'available';
    volume.updatedAt = now;
  }

  /** Restores a volume from a snapshot, re-queueing its pending transition. */
  insertVolume(volume: Volume): void {
    this.volumes.set(volume.id, volume);
    if (volume.status === 'creating' || volume.status === 'deleting') this.timeline.push(volume.readyAt, volume.id, 0);
  }

  registerPortIps(port: Port): void {
    for (const ip of port.fixedIps) this.ipsOf(ip.subnetId).add(ip.ipAddress);
  }
}
