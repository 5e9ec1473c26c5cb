import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCloudConfig, type OpenStackClient } from '../../../src/openstack/index.ts';
import { createScratchDatabase, type ScratchDatabase } from './postgres.ts';
import { memberClient, deleteServersDirectly, serversOfTenant } from './nova.ts';
import { openstack } from './openstack-cli.ts';
import { PortalApiError, PortalUser } from './portal-api.ts';
import { PortalProcess, runCli, runCliOk, type CommandOptions, type CommandResult, type Env } from './processes.ts';
import type { RealCloudSettings } from './settings.ts';
import { liveVms } from './vms.ts';
import { waitUntil } from './wait.ts';

/** Time `serve` gets to return 200 on /readyz and `worker` gets to log that it runs, in milliseconds. */
const START_TIMEOUT_MS = 90_000;

/**
 * Hourly prices of the test system's usage plan, in fen. They are large so that a VM that lives
 * a minute or two still costs whole fen in every line of its bill.
 */
export const USAGE_PRICES = { corePerHourFen: 36_000, memoryGiBPerHourFen: 18_000, storageGiBPerHourFen: 360 } as const;

/** Capacity of the test system's one order: room for a few m1.small VMs and one m1.medium. */
export const ORDERED_CAPACITY = { cpuCores: 8, memoryGiB: 16, storageGiB: 200 } as const;

/** The portal as an operator deploys it on one machine: its database, processes, tenant and users. */
export interface Deployment {
  runId: string;
  /** Folder with the key file and the logs of serve, worker and the CLI commands. */
  folder: string;
  baseUrl: string;
  database: ScratchDatabase;
  /** Environment of every portal process and command. */
  env: Env;
  serve: PortalProcess;
  worker: PortalProcess;
  operator: PortalUser;
  tenant: { id: string; code: string };
  projectId: string;
  systemId: string;
  /** The tenant's admin, signed in with an API token. */
  tenantAdmin: PortalUser;
  /** The project's own client as the member of the bound project, for checks outside the portal. */
  nova: OpenStackClient;
  cli(args: string[], options?: CommandOptions): Promise<CommandResult>;
  startWorker(): Promise<void>;
  /** Deletes every VM and server of the tenant, stops the processes and drops the database. */
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

/** Generates a password that meets the portal's policy (10 to 128 characters with letters and digits). */
function newPassword(): string {
  return `${randomBytes(18).toString('base64url')}a7`;
}

/** Writes a key file in the format README.md describes: one `id:base64` key of 32 bytes, mode 0600. */
function writeKeyFile(folder: string): string {
  const path = join(folder, 'encryption.key');
  writeFileSync(path, `real-1:${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  return path;
}

async function waitForReady(baseUrl: string, serve: PortalProcess): Promise<void> {
  await waitUntil(
    `${baseUrl}/readyz to return 200`,
    async () => {
      if (!serve.running) throw new Error(`serve exited during start; its output ends with:\n${serve.output.slice(-3000)}`);
      return fetch(`${baseUrl}/readyz`).then(
        (response) => response.status,
        () => 0,
      );
    },
    (status) => status === 200,
    { timeoutMs: START_TIMEOUT_MS },
  );
}

/**
 * Deploys the portal as an operator would. The CLI migrates a new PostgreSQL database and creates
 * an operator, and `serve` and `worker` start as separate processes. Then the operator creates,
 * through the HTTP API, a tenant bound to the member's project, a system with an order, and a
 * tenant admin.
 */
export async function deployPortal(settings: RealCloudSettings): Promise<Deployment> {
  const runId = randomBytes(4).toString('hex');
  const folder = mkdtempSync(join(tmpdir(), `tp-real-${runId}-`));
  const undo: (() => Promise<unknown>)[] = [async () => rmSync(join(folder, 'encryption.key'), { force: true })];

  try {
    return await deploy(settings, runId, folder, undo);
  } catch (error) {
    // Best-effort: a failed step of the cleanup is printed, and the deployment's error is the one raised.
    for (const step of undo.reverse()) {
      await step().catch((cleanupError: unknown) => console.error(`test:real cleanup of a failed deployment failed: ${String(cleanupError)}`));
    }
    throw error;
  }
}

/** Runs the steps of deployPortal, adding to `undo` how to remove each thing it starts or creates. */
async function deploy(settings: RealCloudSettings, runId: string, folder: string, undo: (() => Promise<unknown>)[]): Promise<Deployment> {
  const database = await createScratchDatabase(settings.postgresAdminUrl);
  undo.push(() => database.drop());
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const region = loadCloudConfig({ cloud: settings.memberCloud, env: { OS_CLIENT_CONFIG_FILE: settings.cloudsFile } }).regionName ?? null;

  const env: Env = {
    DATABASE_URL: database.url,
    PORTAL_MODE: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: folder,
    OS_CLIENT_CONFIG_FILE: settings.cloudsFile,
    OS_CLOUD: settings.memberCloud,
    SYNC_OS_CLOUD: settings.adminCloud,
    // Jobs run only in the worker, so the worker is what follows every action to its end.
    WORKERS_IN_PROCESS: 'false',
    PORTAL_ENCRYPTION_KEY_FILE: writeKeyFile(folder),
    // The portal listens on plain HTTP on loopback here; behind TLS the default (true) applies.
    COOKIE_SECURE: 'false',
    BILLING_TIMEZONE: 'Asia/Shanghai',
    LOG_LEVEL: 'info',
  };
  const cliLog = join(folder, 'cli.log');
  const cli = (args: string[], options: CommandOptions = {}) => runCli(args, env, { logFile: cliLog, ...options });
  console.error(`test:real deployment ${runId}: database ${database.name}, logs in ${folder}`);

  await runCliOk(['migrate'], env, { logFile: cliLog });
  const operatorName = `ops-${runId}`;
  const operatorPassword = newPassword();
  await runCliOk(['user', 'create', '--username', operatorName, '--platform-operator', '--password-stdin'], env, { stdin: `${operatorPassword}\n`, logFile: cliLog });

  const serve = PortalProcess.start('serve', env, join(folder, 'serve.log'));
  undo.push(() => serve.stop());
  await waitForReady(baseUrl, serve);
  let worker = PortalProcess.start('worker', env, join(folder, 'worker.log'));
  undo.push(() => worker.stop());
  await worker.waitForOutput('tenant portal worker running', START_TIMEOUT_MS);

  const operator = await PortalUser.login(baseUrl, operatorName, operatorPassword);
  const projectId = await openstack(settings, ['token', 'issue', '-f', 'value', '-c', 'project_id']);
  const code = `real-${runId}`;
  const tenant = await operator.request<{ id: string; code: string }>('POST', '/api/v1/admin/tenants', { code, name: `E2E ${runId}` }, 201);
  await operator.request('PATCH', `/api/v1/admin/tenants/${tenant.id}`, { cloud: settings.memberCloud, region, projectId });

  const system = await operator.request<{ id: string }>(
    'POST',
    '/api/v1/admin/systems',
    { tenantId: tenant.id, code: `sys-${runId}`, name: `E2E system ${runId}`, billingMode: 'usage', pricePlan: USAGE_PRICES },
    201,
  );
  const now = Date.now();
  await operator.request(
    'POST',
    '/api/v1/admin/orders',
    {
      systemId: system.id,
      orderNo: `ORD-${runId}`,
      ...ORDERED_CAPACITY,
      validFrom: new Date(now - 60_000).toISOString(),
      validTo: new Date(now + 30 * 86_400_000).toISOString(),
      status: 'active',
    },
    201,
  );

  const adminName = `tenant-admin-${runId}`;
  const adminPassword = newPassword();
  await operator.request('POST', '/api/v1/admin/users', { username: adminName, password: adminPassword, tenantId: tenant.id, role: 'admin' }, 201);
  const tenantAdmin = await (await PortalUser.login(baseUrl, adminName, adminPassword)).withApiToken(`e2e-${runId}`);

  const nova = memberClient(settings);
  const deployment: Deployment = {
    runId,
    folder,
    baseUrl,
    database,
    env,
    serve,
    get worker() {
      return worker;
    },
    operator,
    tenant: { id: tenant.id, code },
    projectId,
    systemId: system.id,
    tenantAdmin,
    nova,
    cli,
    async startWorker() {
      worker = PortalProcess.start('worker', env, join(folder, 'worker.log'));
      await worker.waitForOutput('tenant portal worker running', START_TIMEOUT_MS);
    },
    close: () => tearDown(deployment),
  };
  return deployment;
}

/**
 * Deletes the tenant's VMs through the portal, then as a fallback every server in Nova that
 * carries the tenant's code, so that a rerun finds the project's quota free. Then stops the
 * processes and drops the database. Every step runs even when an earlier one failed.
 */
async function tearDown(deployment: Deployment): Promise<void> {
  const failures: Error[] = [];
  const step = async (name: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      failures.push(new Error(`cleanup: ${name} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
    }
  };

  await step('deleting VMs through the portal', () => deleteVmsThroughPortal(deployment));
  await step('deleting leftover servers in Nova', async () => {
    const leftovers = await serversOfTenant(deployment.nova, deployment.tenant.code);
    if (leftovers.length > 0) console.error(`test:real cleanup deletes ${leftovers.length} server(s) directly in Nova: ${leftovers.map((server) => server.id).join(', ')}`);
    await deleteServersDirectly(
      deployment.nova,
      leftovers.map((server) => server.id),
    );
  });
  await step('stopping the worker', async () => void (await deployment.worker.stop()));
  await step('stopping serve', async () => void (await deployment.serve.stop()));
  await step('dropping the database', () => deployment.database.drop());
  deployment.nova.close();
  rmSync(join(deployment.folder, 'encryption.key'), { force: true });

  if (failures.length > 0) throw new AggregateError(failures, failures.map((failure) => failure.message).join('; '));
}

async function deleteVmsThroughPortal(deployment: Deployment): Promise<void> {
  // A forced delete of a running VM stops it first, and the worker sends the delete after the stop.
  if (!deployment.worker.running) await deployment.startWorker();

  const vms = await liveVms(deployment.tenantAdmin);
  const deleting: string[] = [];
  for (const vm of vms) {
    try {
      await deployment.tenantAdmin.request('DELETE', `/api/v1/vms/${vm.id}?force=true`, undefined, 202);
      deleting.push(vm.id);
    } catch (error) {
      // A VM with an action still running cannot be deleted yet; the Nova fallback removes its server.
      if (!(error instanceof PortalApiError && error.status === 409)) throw error;
    }
  }
  await waitUntil(
    `the portal to show VMs ${deleting.join(', ')} deleted`,
    async () => (await liveVms(deployment.tenantAdmin)).filter((vm) => deleting.includes(vm.id)).length,
    (remaining) => remaining === 0,
  );
}
