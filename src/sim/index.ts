import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Clock } from './clock.ts';
import { systemClock } from './clock.ts';
import { writeCloudsYaml } from './clouds-yaml.ts';
import type { SimUserConfig } from './demo-data.ts';
import { applyUserPasswords, defaultUsers, seedDemoData } from './demo-data.ts';
import type { FaultConfig } from './faults.ts';
import { FaultInjector } from './faults.ts';
import { ADMIN_SECRET_HEADER } from './routes/admin.ts';
import { buildSimulatorApp } from './server.ts';
import { readSnapshotFile, restoreSnapshot, snapshotPath, SnapshotWriter } from './snapshot.ts';
import { loadServers } from './state/bulk.ts';
import type { Timings } from './state/lifecycle.ts';
import { SimStore } from './state/store.ts';
import type { Server } from './state/types.ts';

export { ManualClock, systemClock } from './clock.ts';
export type { Clock } from './clock.ts';
export type { FaultConfig, LatencySpec, RouteFault, BuildFaults } from './faults.ts';
export type { SimUserConfig } from './demo-data.ts';
export { defaultUsers } from './demo-data.ts';
export type { Timings } from './state/lifecycle.ts';
export { ADMIN_SECRET_HEADER } from './routes/admin.ts';

export interface SimulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Listen address; 127.0.0.1 by default. */
  host?: string;
  /** Seed for ids, MAC addresses and faults. The same seed and requests give the same responses. */
  seed?: number | string;
  /** Time source; pass a ManualClock in tests to skip build and stop durations. */
  clock?: Clock;
  /** Folder for `sim-state.json`; when set, state survives restarts. In memory only otherwise. */
  dataDir?: string;
  /** Users, each with a project and a role; defaults to admin, demo and alt. */
  users?: SimUserConfig[];
  faults?: FaultConfig;
  /** Phase durations in milliseconds (see `defaultTimings`). */
  timings?: Partial<Timings>;
  /** Nova `[api] max_limit`, the cap on a servers page; 1000 by default. */
  maxLimit?: number;
  /** Token lifetime in seconds; 3600 by default. */
  tokenLifetimeSeconds?: number;
  /** Value of the `X-Sim-Admin-Secret` header for `/_sim`; random when omitted. */
  adminSecret?: string;
  /** Base URL put in the catalog and links, when clients reach the simulator through a proxy. */
  publicUrl?: string;
  logger?: FastifyBaseLogger | boolean;
}

/** Handle on a created simulator, for tests and the CLI. */
export interface Simulator {
  app: FastifyInstance;
  store: SimStore;
  faults: FaultInjector;
  clock: Clock;
  adminSecret: string;
  users: SimUserConfig[];
  /** Base URL, e.g. `http://127.0.0.1:41234`; set once listening. */
  readonly url: string;
  /** Keystone URL for clients: `<url>/identity/v3`. */
  readonly authUrl: string;
  /** Writes an openstacksdk clouds.yaml with clouds sim-admin, sim-demo and sim-alt. */
  writeCloudsYaml(path: string): void;
  admin: {
    /** Inserts finished servers in a project (by name), for scale tests. */
    loadServers(count: number, projectName?: string): Server[];
    configureFaults(config: FaultConfig): void;
    projectId(name: string): string;
    /** Revokes every issued token, as a Keystone token expiry or revocation would; returns how many. */
    revokeTokens(): number;
  };
  /** Writes pending snapshot changes and closes the server. */
  stop(): Promise<void>;
}

/** Creates the simulator without listening; use `app.inject()` or call `listen()` yourself. */
export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const clock = options.clock ?? systemClock;
  const seed = options.seed ?? 42;
  const users = options.users ?? defaultUsers;
  const store = new SimStore(clock, seed, {
    ...(options.maxLimit !== undefined ? { maxLimit: options.maxLimit } : {}),
    ...(options.tokenLifetimeSeconds !== undefined ? { tokenLifetimeMs: options.tokenLifetimeSeconds * 1000 } : {}),
    timings: options.timings as Timings | undefined,
  } as Partial<SimStore['config']>);
  const baseLifetime = store.config.tokenLifetimeMs;
  const faults = new FaultInjector(seed, (seconds) => {
    store.config.tokenLifetimeMs = seconds === undefined ? baseLifetime : seconds * 1000;
  });
  if (options.faults) faults.configure(options.faults);
  store.buildOutcome = () => faults.nextBuildOutcome();

  let writer: SnapshotWriter | null = null;
  const snapshot = options.dataDir ? readSnapshotFile(snapshotPath(options.dataDir)) : null;
  if (snapshot) {
    restoreSnapshot(store, snapshot);
    applyUserPasswords(store, users);
  } else {
    seedDemoData(store, users);
  }
  if (options.dataDir) {
    writer = new SnapshotWriter(store, snapshotPath(options.dataDir), 250, (error) => app.log.error({ err: error }, 'simulator snapshot write failed'));
    if (!snapshot) store.changed();
  }

  let url = options.publicUrl ?? 'http://127.0.0.1';
  const adminSecret = options.adminSecret ?? randomBytes(16).toString('hex');
  const app = buildSimulatorApp({
    store,
    faults,
    clock,
    adminSecret,
    baseUrl: () => url,
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
  });
  const projectId = (name: string): string => {
    const project = [...store.projects.values()].find((p) => p.name === name);
    if (!project) throw new Error(`project "${name}" not found; configured projects: ${[...store.projects.values()].map((p) => p.name).join(', ')}`);
    return project.id;
  };

  return {
    app,
    store,
    faults,
    clock,
    adminSecret,
    users,
    get url() {
      return url;
    },
    set url(value: string) {
      url = value;
    },
    get authUrl() {
      return `${url}/identity/v3`;
    },
    writeCloudsYaml(path: string) {
      writeCloudsYaml(path, `${url}/identity/v3`, users, store.config.region);
    },
    admin: {
      loadServers(count: number, projectName = 'demo') {
        const id = projectId(projectName);
        const user = [...store.users.values()].find((u) => u.roles[id]);
        return loadServers(store, { count, projectId: id, userId: user?.id ?? '' });
      },
      configureFaults: (config) => faults.configure(config),
      projectId,
      revokeTokens() {
        let revoked = 0;
        for (const token of store.tokens.values()) {
          if (token.revoked) continue;
          token.revoked = true;
          revoked += 1;
        }
        return revoked;
      },
    },
    async stop() {
      writer?.flush();
      await app.close();
    },
  } as Simulator;
}

/** Starts the simulator on `host:port` and returns its handle once it accepts connections. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const simulator = createSimulator(options);
  const host = options.host ?? '127.0.0.1';
  await simulator.app.listen({ port: options.port ?? 0, host });
  const address = simulator.app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  if (!options.publicUrl) {
    const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    (simulator as { url: string }).url = `http://${shownHost}:${port}`;
  }
  return simulator;
}

export const adminSecretHeader = ADMIN_SECRET_HEADER;
