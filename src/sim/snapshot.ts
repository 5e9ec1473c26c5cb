import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Quota, SimStore } from './state/store.ts';
import type {
  ApplicationCredential,
  Domain,
  Flavor,
  FloatingIp,
  Image,
  Network,
  Port,
  Project,
  Role,
  SecurityGroup,
  Server,
  Subnet,
  Token,
  User,
  Volume,
} from './state/types.ts';

const FORMAT_VERSION = 1;

/** JSON document written to `<dataDir>/sim-state.json`. */
export interface Snapshot {
  formatVersion: number;
  savedAt: number;
  random: { ids: [number, number, number, number]; tokenIds: [number, number, number, number] };
  domains: Domain[];
  projects: Project[];
  roles: Role[];
  users: User[];
  appCredentials: ApplicationCredential[];
  tokens: Token[];
  flavors: Flavor[];
  images: Image[];
  networks: Network[];
  subnets: Subnet[];
  ports: Port[];
  floatingIps: FloatingIp[];
  securityGroups: SecurityGroup[];
  volumes: Volume[];
  servers: Server[];
  quotas: [string, Quota][];
}

export function snapshotPath(dataDir: string): string {
  return join(dataDir, 'sim-state.json');
}

export function takeSnapshot(store: SimStore): Snapshot {
  const now = store.now();
  return {
    formatVersion: FORMAT_VERSION,
    savedAt: now,
    random: { ids: store.ids.saveState(), tokenIds: store.tokenIds.saveState() },
    domains: [...store.domains.values()],
    projects: [...store.projects.values()],
    roles: [...store.roles.values()],
    users: [...store.users.values()],
    appCredentials: [...store.appCredentials.values()],
    tokens: [...store.tokens.values()].filter((t) => !t.revoked && t.expiresAt > now),
    flavors: [...store.flavors.values()],
    images: [...store.images.values()],
    networks: [...store.networks.values()],
    subnets: [...store.subnets.values()],
    ports: [...store.ports.values()],
    floatingIps: [...store.floatingIps.values()],
    securityGroups: [...store.securityGroups.values()],
    volumes: [...store.volumes.values()],
    servers: [...store.servers.values()],
    quotas: [...store.quotas.entries()],
  };
}

/** Loads a snapshot into an empty store, re-queueing pending transitions. */
export function restoreSnapshot(store: SimStore, snapshot: Snapshot): void {
  if (snapshot.formatVersion !== FORMAT_VERSION) {
    throw new Error(`snapshot format ${snapshot.formatVersion} is not supported (expected ${FORMAT_VERSION}); delete the file to start fresh`);
  }
  store.ids.restoreState(snapshot.random.ids);
  store.tokenIds.restoreState(snapshot.random.tokenIds);
  for (const d of snapshot.domains) store.domains.set(d.id, d);
  for (const p of snapshot.projects) store.projects.set(p.id, p);
  for (const r of snapshot.roles) store.roles.set(r.id, r);
  for (const u of snapshot.users) store.users.set(u.id, u);
  for (const c of snapshot.appCredentials) store.appCredentials.set(c.id, c);
  for (const t of snapshot.tokens) store.tokens.set(t.id, t);
  for (const f of snapshot.flavors) store.flavors.set(f.id, f);
  for (const i of snapshot.images) store.images.set(i.id, i);
  for (const n of snapshot.networks) store.networks.set(n.id, n);
  for (const s of snapshot.subnets) store.subnets.set(s.id, s);
  for (const p of snapshot.ports) {
    store.ports.set(p.id, p);
    store.registerPortIps(p);
  }
  for (const f of snapshot.floatingIps) {
    store.floatingIps.set(f.id, f);
    const subnet = [...store.subnets.values()].find((s) => s.networkId === f.floatingNetworkId);
    if (subnet) store.registerPortIps({ fixedIps: [{ subnetId: subnet.id, ipAddress: f.floatingIpAddress }] } as Port);
  }
  for (const g of snapshot.securityGroups) store.securityGroups.set(g.id, g);
  for (const v of snapshot.volumes) store.insertVolume(v);
  for (const q of snapshot.quotas) store.quotas.set(q[0], q[1]);
  const servers = [...snapshot.servers].sort((a, b) => a.createdAt - b.createdAt);
  for (const s of servers) store.insertServer(s);
}

export function readSnapshotFile(path: string): Snapshot | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return JSON.parse(text) as Snapshot;
}

/** Writes the snapshot atomically: a temporary file in the same folder, then rename. */
export function writeSnapshotFile(path: string, snapshot: Snapshot): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(snapshot));
  renameSync(temporary, path);
}

/**
 * Writes the store to disk after changes, waiting `delayMs` or four times the last write's
 * duration, whichever is longer. A burst of requests thus costs one write. 50,000 servers with
 * ports make a 76 MB snapshot that takes about 0.75 s to serialize, so the longer wait keeps the
 * process from writing most of the time. `flush()` writes pending changes at once (used on stop).
 */
export class SnapshotWriter {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private dirty = false;
  private lastWriteMs = 0;

  constructor(
    private readonly store: SimStore,
    private readonly path: string,
    private readonly delayMs = 250,
    private readonly onError: (error: unknown) => void = () => {},
  ) {
    store.onChange(() => this.schedule());
  }

  private schedule(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.flush();
      },
      Math.max(this.delayMs, 4 * this.lastWriteMs),
    );
    this.timer.unref?.();
  }

  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (!this.dirty) return;
    this.dirty = false;
    try {
      const started = Date.now();
      writeSnapshotFile(this.path, takeSnapshot(this.store));
      this.lastWriteMs = Date.now() - started;
    } catch (error) {
      this.onError(error);
    }
  }
}
