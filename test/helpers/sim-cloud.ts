import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type PortalConfig } from '../../src/config.ts';
import type { Db } from '../../src/db/database.ts';
import type { TenantRole } from '../../src/domain/roles.ts';
import { buildApp, type PortalApp } from '../../src/http/app.ts';
import { watchOperation, type WatchResult } from '../../src/jobs/operation-watch.ts';
import { createLogger } from '../../src/logger.ts';
import type { ClientOptions } from '../../src/openstack/index.ts';
import { CloudClients } from '../../src/services/cloud/cloud-clients.ts';
import type { JobQueue } from '../../src/services/vms/context.ts';
import { createSimulator, type Simulator, type Timings } from '../../src/sim/index.ts';
import { createSystem, createTenant, createTestUser, loginAs, type SessionCredentials } from './fixtures.ts';
import { LogCapture, testKeyring } from './test-app.ts';
import { openTestDatabase, type DatabaseKind, type TestDatabase } from './test-database.ts';

/** Phase durations short enough that a build, stop or delete ends within a fraction of a second. */
export const FAST_TIMINGS: Partial<Timings> = {
  scheduling: 20,
  networking: 20,
  spawning: 40,
  powerOff: 40,
  powerOn: 40,
  softReboot: 50,
  hardReboot: 50,
  delete: 40,
  deletedVisible: 60,
  volumeCreate: 20,
  volumeDelete: 20,
};

/** One request the simulator received, method and path without query. */
export interface SimRequest {
  method: string;
  path: string;
}

/** A simulator on 127.0.0.1 with its clouds.yaml in a temporary folder and a request log. */
export interface SimCloud {
  sim: Simulator;
  cloudsYamlPath: string;
  requests: SimRequest[];
  /** Counts received requests whose method matches and whose path matches the pattern. */
  count(method: string, pattern: RegExp): number;
  /** Calls `listener` for each request as it arrives, until the returned function is called. */
  onRequest(listener: (request: SimRequest) => void): () => void;
  stop(): Promise<void>;
}

export async function startSimCloud(timings: Partial<Timings> = FAST_TIMINGS): Promise<SimCloud> {
  const folder = mkdtempSync(join(tmpdir(), 'tp-sim-'));
  const requests: SimRequest[] = [];
  const listeners = new Set<(request: SimRequest) => void>();
  const sim = createSimulator({ timings, logger: false, seed: 7 });
  sim.app.addHook('onRequest', async (request) => {
    const seen = { method: request.method, path: request.url.split('?')[0] ?? '' };
    requests.push(seen);
    for (const listener of listeners) listener(seen);
  });
  await sim.app.listen({ host: '127.0.0.1', port: 0 });
  const address = sim.app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('the simulator did not report its port');
  (sim as { url: string }).url = `http://127.0.0.1:${address.port}`;

  const cloudsYamlPath = join(folder, 'clouds.yaml');
  sim.writeCloudsYaml(cloudsYamlPath);

  return {
    sim,
    cloudsYamlPath,
    requests,
    count: (method, pattern) => requests.filter((request) => request.method === method && pattern.test(request.path)).length,
    onRequest(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async stop() {
      await sim.stop();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** A queue that keeps what was sent, so tests run the watch themselves and deterministically. */
export class RecordingQueue implements JobQueue {
  readonly sent: { name: string; data: object }[] = [];

  async send(name: string, data: object): Promise<string> {
    this.sent.push({ name, data });
    return String(this.sent.length);
  }
}

export interface VmTestApp {
  app: PortalApp;
  handle: TestDatabase;
  db: Db;
  config: PortalConfig;
  cloud: SimCloud;
  clouds: CloudClients;
  queue: RecordingQueue;
  logs: LogCapture;
  /** Runs the operation-watch for one operation with polls every 20 ms. */
  watch(operationId: string): Promise<WatchResult>;
  close(): Promise<void>;
}

/** Builds the app on its own database and simulator; `env` adds settings (rate limits, deadline). */
export async function openVmTestApp(kind: DatabaseKind, options: { env?: Record<string, string>; clientOptions?: ClientOptions; timings?: Partial<Timings> } = {}): Promise<VmTestApp> {
  const cloud = await startSimCloud(options.timings);
  const handle = await openTestDatabase(kind);
  const config = loadConfig({ PORTAL_MODE: 'production', COOKIE_SECURE: 'false', LOG_LEVEL: 'debug', ...options.env });
  const logs = new LogCapture();
  const logger = createLogger({ level: config.logLevel, destination: logs });
  const clouds = new CloudClients({
    env: { OS_CLIENT_CONFIG_FILE: cloud.cloudsYamlPath },
    clientOptions: { retryPolicy: { BASE_DELAY_MS: 10, MAX_DELAY_MS: 50 }, ...options.clientOptions },
  });
  const queue = new RecordingQueue();

  const app = await buildApp({ config, database: handle.database, logger, keyring: testKeyring(), readinessChecks: [], clouds, queue, catalogTtlMs: 60_000 });
  await app.ready();

  return {
    app,
    handle,
    db: handle.database.db,
    config,
    cloud,
    clouds,
    queue,
    logs,
    watch: (operationId) => watchOperation({ database: handle.database, clouds, logger }, operationId, { pollIntervalMs: 20, maxPollIntervalMs: 100 }),
    async close() {
      await app.close();
      clouds.close();
      await handle.dispose();
      await cloud.stop();
    },
  };
}

export interface TenantFixture {
  tenantId: string;
  systemId: string;
  /** Users by role, each logged in. */
  sessions: Record<TenantRole, SessionCredentials>;
}

/**
 * Creates a tenant bound to one simulator project, an active system with a prepaid order of
 * `capacity`, and a logged-in viewer, operator and admin.
 */
export async function createBoundTenant(
  t: VmTestApp,
  code: string,
  binding: { cloud: string; projectName: string },
  capacity = { cpu: 32, memoryGiB: 64, storageGiB: 1000 },
): Promise<TenantFixture> {
  const tenant = await createTenant(t.db, code);
  await t.db
    .updateTable('tenants')
    .set({ cloud: binding.cloud, region: 'RegionOne', project_id: t.cloud.sim.admin.projectId(binding.projectName), project_name: binding.projectName })
    .where('id', '=', tenant.id)
    .execute();

  const system = await createSystem(t.db, tenant.id, `${code}-sys`);
  await t.db
    .insertInto('resource_orders')
    .values({
      tenant_id: tenant.id,
      system_id: system.id,
      order_no: `ORD-${code}`,
      cpu_cores: capacity.cpu,
      memory_gib: capacity.memoryGiB,
      storage_gib: capacity.storageGiB,
      valid_from: new Date(Date.now() - 86_400_000),
      valid_to: new Date(Date.now() + 30 * 86_400_000),
    })
    .execute();

  const sessions = {} as Record<TenantRole, SessionCredentials>;
  for (const role of ['viewer', 'operator', 'admin'] as const) {
    await createTestUser(t.db, `${code}-${role}`, { tenantId: tenant.id, role });
    sessions[role] = await loginAs(t.app, `${code}-${role}`);
  }
  return { tenantId: tenant.id, systemId: system.id, sessions };
}

/** Builds a create body for a small Ubuntu VM in `systemId`. */
export function smallVm(systemId: string, name: string, extra: Record<string, unknown> = {}) {
  return { systemId, name, cpu: 1, memoryGiB: 1, diskGiB: 20, os: { distro: 'ubuntu', version: '22.04' }, ...extra };
}

/** Polls `read` until `done` returns true or `timeoutMs` passes, and returns the last value read. */
export async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5000, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    value = await read();
  }
  return value;
}
