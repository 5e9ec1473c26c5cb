import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { Logger } from 'pino';
import { ConfigError, loadConfig, type PortalConfig } from './config.ts';
import { PortalError } from './errors/portal-error.ts';
import { EmbeddedDatabaseBusyError } from './db/embedded-lock.ts';
import { isOpenStackError } from './openstack/index.ts';
import { fillTemplate, PROBLEMS } from './errors/problem-catalogue.ts';
import { cloudReadinessCheck } from './cloud-readiness.ts';
import { startDemoCloud, type DemoCloud } from './demo-cloud.ts';
import { buildApp } from './http/app.ts';
import { createLogger } from './logger.ts';
import { openDatabase, openKeyring, startJobs } from './runtime.ts';
import { syncOnceJobs } from './jobs/sync-once.ts';
import { runAndRecord } from './jobs/worker.ts';
import { bindOrphanGauge } from './jobs/orphan-metrics.ts';
import { startWorkerMetricsServer } from './jobs/worker-metrics-server.ts';
import { seedDemoData } from './services/demo-seed.ts';
import { sharedCloudClients } from './services/cloud/cloud-clients.ts';
import { billDay } from './services/billing/bill-day.ts';
import { billDayProblem } from './services/billing/bill-day-input.ts';
import { runSimCommand, type SimCommandOptions } from './sim/cli.ts';
import { createUser, resetPassword } from './services/users.ts';
import type { TenantRole } from './domain/roles.ts';

// Shutdown waits this long for requests and jobs in progress before the process exits anyway.
const SHUTDOWN_GRACE_MS = 10_000;

function setup(): { config: PortalConfig; logger: Logger } {
  const config = loadConfig();
  return { config, logger: createLogger({ level: config.logLevel }) };
}

/** Runs `close` once on SIGINT or SIGTERM, then exits; a second signal exits at once. */
function onShutdown(logger: Logger, close: () => Promise<void>): void {
  let closing = false;
  const handler = (signal: string) => {
    if (closing) process.exit(1);
    closing = true;
    logger.info({ signal }, 'shutting down');

    const timer = setTimeout(() => {
      logger.error({ graceMs: SHUTDOWN_GRACE_MS }, 'shutdown timed out; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    timer.unref();

    close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}

async function serve(): Promise<void> {
  const { config, logger } = setup();
  const database = await openDatabase(config, logger);
  const keyring = await openKeyring(config, logger);

  let demoCloud: DemoCloud | null = null;
  if (config.mode === 'demo') {
    const seeded = await seedDemoData(database.db, keyring, { password: config.demoPassword });
    if (seeded.generatedPassword) {
      // Printed once to the terminal, never to the log: the log may be shipped elsewhere.
      console.log(
        `\n  Demo users created: admin (platform operator) and demo (tenant admin of 示例租户).\n  Password for both: ${seeded.generatedPassword}\n` +
          `  It is shown only now. To set a new one, stop the server, then for each user run:\n` +
          `  DATA_DIR=${config.dataDir} npx tenant-portal user reset-password --username demo   (and --username admin)\n`,
      );
    }

    // Without a configured cloud the demo runs against the in-process OpenStack simulator.
    if (!config.cloudName) demoCloud = await startDemoCloud(config, database.db, logger);
  }

  bindOrphanGauge(database.db);
  const boss = await startJobs(database, logger, { runHandlers: config.workersInProcess });
  let queueRunning = true;
  boss.on('stopped', () => {
    queueRunning = false;
  });

  const app = await buildApp({
    config,
    database,
    logger,
    keyring,
    clouds: sharedCloudClients(),
    queue: boss,
    readinessChecks: [
      { name: 'database', check: async () => (await database.ping(), true) },
      { name: 'queue', check: async () => queueRunning },
      ...(demoCloud ? [{ name: 'cloud', check: () => (demoCloud as DemoCloud).isReachable() }] : []),
      ...(config.cloudName ? [cloudReadinessCheck(config.cloudName)] : []),
    ],
  });
  await app.listen({ host: config.host, port: config.port });
  logger.info({ mode: config.mode, database: database.kind, workersInProcess: config.workersInProcess }, 'tenant portal serving');

  onShutdown(logger, async () => {
    await app.close();
    await boss.stop({ graceful: true, wait: true, timeout: SHUTDOWN_GRACE_MS - 2000 });
    await demoCloud?.stop();
    await database.close();
  });
}

async function worker(): Promise<void> {
  const { config, logger } = setup();
  if (!config.databaseUrl) {
    throw new ConfigError(
      'DATABASE_URL',
      'the embedded database belongs to the one process that opened it, so a separate worker needs PostgreSQL. ' +
        'Set DATABASE_URL, or let `serve` run the jobs in-process (the default without DATABASE_URL).',
    );
  }

  const database = await openDatabase(config, logger);
  bindOrphanGauge(database.db);
  const boss = await startJobs(database, logger, { runHandlers: true });
  const metrics = config.workerMetricsPort === null ? null : await startWorkerMetricsServer({ host: config.host, port: config.workerMetricsPort });
  logger.info({ metricsPort: config.workerMetricsPort }, 'tenant portal worker running');

  onShutdown(logger, async () => {
    await metrics?.close();
    await boss.stop({ graceful: true, wait: true, timeout: SHUTDOWN_GRACE_MS - 2000 });
    await database.close();
  });
}

async function migrate(): Promise<void> {
  const { config, logger } = setup();
  const database = await openDatabase(config, logger);
  await database.close();
}

async function seed(): Promise<void> {
  const { config, logger } = setup();
  if (config.mode !== 'demo') {
    throw new ConfigError('PORTAL_MODE', 'demo data is never created in production mode; create tenants and users with the admin API or `tenant-portal user create`.');
  }

  const database = await openDatabase(config, logger);
  const keyring = await openKeyring(config, logger);
  const result = await seedDemoData(database.db, keyring, { password: config.demoPassword });
  await database.close();

  if (!result.created) console.log('Demo data already present; nothing changed.');
  else if (result.generatedPassword) console.log(`Demo users admin and demo created. Password: ${result.generatedPassword}`);
  else console.log('Demo users admin and demo created with DEMO_PASSWORD.');
}

async function readPasswordFromStdin(): Promise<string> {
  const text = readFileSync(0, 'utf8');
  return text.replace(/\r?\n$/, '');
}

async function userCreate(options: { username: string; displayName?: string; platformOperator?: boolean; tenant?: string; role: TenantRole; passwordStdin?: boolean }): Promise<void> {
  const { config, logger } = setup();
  const database = await openDatabase(config, logger);
  try {
    let membership: { tenantId: string; role: TenantRole } | undefined;
    if (options.tenant) {
      const tenant = await database.db.selectFrom('tenants').select('id').where('code', '=', options.tenant).executeTakeFirst();
      if (!tenant) throw new PortalError('NOT_FOUND', { resource: 'tenant', id: options.tenant });
      membership = { tenantId: tenant.id, role: options.role };
    }

    const password = options.passwordStdin ? await readPasswordFromStdin() : `${(await import('node:crypto')).randomBytes(12).toString('base64url')}7a`;
    const user = await createUser(database.db, {
      username: options.username,
      password,
      ...(options.displayName ? { displayName: options.displayName } : {}),
      isPlatformOperator: options.platformOperator ?? false,
      ...(membership ? { membership } : {}),
    });
    console.log(`User ${options.username} created (id ${user.id}).`);
    if (!options.passwordStdin) console.log(`Password: ${password}\nIt is shown only now.`);
  } finally {
    await database.close();
  }
}

async function userResetPassword(options: { username: string; passwordStdin?: boolean }): Promise<void> {
  const { config, logger } = setup();
  const database = await openDatabase(config, logger);
  try {
    const password = options.passwordStdin ? await readPasswordFromStdin() : `${(await import('node:crypto')).randomBytes(12).toString('base64url')}7a`;
    if (!(await resetPassword(database.db, options.username, password))) {
      throw new PortalError('NOT_FOUND', { resource: 'user', id: options.username });
    }
    console.log(`Password of ${options.username} reset; all of the user's sessions were ended.`);
    if (!options.passwordStdin) console.log(`New password: ${password}\nIt is shown only now.`);
  } finally {
    await database.close();
  }
}

async function bill(options: { date: string; timeZone?: string }): Promise<void> {
  const { config, logger } = setup();
  const timeZone = options.timeZone ?? config.billingTimeZone;
  const problem = billDayProblem(options.date, timeZone, new Date());
  if (problem) failWithoutHelp(problem);

  const database = await openDatabase(config, logger);
  try {
    const result = await billDay(database.db, options.date, timeZone);
    console.log(`Billed ${result.day} (${result.timeZone}): ${result.written} record(s) written, ${result.alreadyPresent} already present.`);
  } finally {
    await database.close();
  }
}

async function sync(options: { once?: boolean; full?: boolean }): Promise<void> {
  if (!options.once) failWithoutHelp('sync runs every minute in the worker; pass --once to run one pass now and exit.');

  const { config, logger } = setup();
  const database = await openDatabase(config, logger);
  try {
    // Each job is recorded in job_runs as a queued run would be, so the next incremental run starts from this one.
    for (const job of syncOnceJobs(options.full ? 'full' : 'incremental')) {
      const counts = await runAndRecord(job, {}, null, { database, logger });
      console.log(`${job.name}: ${Object.entries(counts).map(([name, value]) => `${name}=${value}`).join(' ')}`);
    }
  } finally {
    await database.close();
  }
}

/**
 * Prints a problem with a valid command's input and exits 1. program.error() would print the whole
 * help after it, which hides the one-line message about a command that was typed right.
 */
function failWithoutHelp(message: string): never {
  console.error(message);
  process.exit(1);
}

function describeFailure(error: unknown): string {
  if (error instanceof PortalError) {
    const definition = PROBLEMS[error.code];
    return `${error.code}: ${fillTemplate(definition.detail['en-US'], error.params)}`;
  }
  if (error instanceof ConfigError) return `Invalid configuration: ${error.message}`;
  if (error instanceof EmbeddedDatabaseBusyError) return error.message;
  if (isOpenStackError(error)) return `OpenStack request failed (${error.code}): ${error.message}`;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

const program = new Command()
  .name('tenant-portal')
  .description('Tenant Portal (租户门户): multi-tenant portal and VM lifecycle manager for OpenStack')
  .showHelpAfterError();

program.command('serve').description('serve the HTTP API (and run jobs in-process on the embedded database)').action(serve);
program.command('worker').description('run job handlers (needs DATABASE_URL)').action(worker);
program.command('migrate').description('apply pending database migrations and exit').action(migrate);
program.command('seed').description('create the demo tenant and users (demo mode only)').action(seed);

program
  .command('sim')
  .description('run the OpenStack simulator (Keystone, Nova, Glance, Neutron, Cinder) on one port')
  .option('--port <number>', 'TCP port to listen on (0 picks a free one)', '8780')
  .option('--host <address>', 'address to listen on', '127.0.0.1')
  .option('--seed <value>', 'seed for ids, MAC addresses and faults', '42')
  .option('--data-dir <path>', 'folder for sim-state.json; without it the state lives in memory only')
  .option('--clouds-yaml <path>', 'write a clouds.yaml with clouds sim-admin, sim-demo and sim-alt')
  .option('--faults <path>', 'fault configuration file (YAML or JSON), see docs/simulator.md')
  .option('--config <path>', 'simulator configuration file (users, timings, maxLimit, ...)')
  .option('--max-limit <number>', 'largest servers page Nova returns (its [api] max_limit)')
  .option('--token-lifetime <seconds>', 'lifetime of issued tokens in seconds')
  .option('--admin-secret <value>', 'value of the X-Sim-Admin-Secret header for /_sim (default: $SIM_ADMIN_SECRET or random)')
  .option('--latency <ms>', 'fixed delay added to every request, in milliseconds')
  .option('--error-rate <fraction>', 'probability (0 to 1) that a request fails with 500')
  .option('--burst503 <count>', 'the first N requests fail with 503')
  .option('--build-error-rate <fraction>', 'probability (0 to 1) that a server build ends in ERROR')
  .option('--build-stuck-rate <fraction>', 'probability (0 to 1) that a server build never leaves BUILD')
  .action(async (options: SimCommandOptions) => {
    await runSimCommand(options);
  });

program
  .command('sync')
  .description('run vm-sync, orphan-sweep and resource-changes once and exit; each run is recorded like a queued one')
  .option('--once', 'run one pass now (required: the worker runs sync on its schedule)')
  .option('--full', 'list every server instead of the changes since the last successful sync')
  .action((options: Parameters<typeof sync>[0]) => sync(options));

program
  .command('bill')
  .description('bill one past local day for every system; days and systems already billed are left as they are')
  .requiredOption('--date <YYYY-MM-DD>', 'local calendar day to bill; it must have ended')
  .option('--time-zone <zone>', 'IANA time zone of the day (default: $BILLING_TIMEZONE or Asia/Shanghai)')
  .action((options: Parameters<typeof bill>[0]) => bill(options));

const user = program.command('user').description('create users and reset passwords');
user
  .command('create')
  .description('create a user; prints a generated password unless --password-stdin is given')
  .requiredOption('--username <name>', 'login name: letters, digits, dot, underscore or hyphen, 2 to 64 characters')
  .option('--display-name <name>', 'name shown in the portal')
  .option('--platform-operator', 'give the user the platform operator role')
  .option('--tenant <code>', 'tenant code to add the user to')
  .addOption(new Option('--role <role>', 'role in the tenant').choices(['viewer', 'operator', 'admin']).default('viewer'))
  .option('--password-stdin', 'read the password from standard input')
  .action((options: Parameters<typeof userCreate>[0]) => userCreate(options));
user
  .command('reset-password')
  .description('set a new password and end the user’s sessions; prints a generated password unless --password-stdin is given')
  .requiredOption('--username <name>', 'login name')
  .option('--password-stdin', 'read the password from standard input')
  .action((options: Parameters<typeof userResetPassword>[0]) => userResetPassword(options));

program.parseAsync().catch((error: unknown) => {
  console.error(describeFailure(error));
  process.exit(1);
});
