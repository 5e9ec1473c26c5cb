import { join } from 'node:path';
import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { PortalConfig } from './config.ts';
import { Database } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { ALL_JOBS } from './jobs/all-jobs.ts';
import { registerJobs } from './jobs/job-definitions.ts';
import { startQueue } from './jobs/queue.ts';
import { startWorkers } from './jobs/worker.ts';
import { loadKeyring, type Keyring } from './services/crypto/index.ts';

/** Opens the configured database and applies pending migrations. */
export async function openDatabase(config: PortalConfig, logger: Logger): Promise<Database> {
  const database = config.databaseUrl
    ? await Database.open({
        kind: 'postgres',
        url: config.databaseUrl,
        onIdleConnectionError: (error) => logger.warn({ err: error }, 'idle database connection failed; the pool opens a new one when needed'),
      })
    : await Database.open({ kind: 'embedded', dataDir: join(config.dataDir, 'pglite') });

  const applied = await migrateToLatest(database.db);
  logger.info({ database: database.kind, applied }, 'database ready');
  return database;
}

/** Loads the encryption keyring; only the embedded default may generate a key file into DATA_DIR. */
export async function openKeyring(config: PortalConfig, logger: Logger): Promise<Keyring> {
  const generateInDataDir = config.databaseUrl === null ? config.dataDir : null;
  const { keyring, source } = await loadKeyring(process.env, { generateInDataDir });
  logger.info({ keySource: source }, 'encryption keyring loaded');
  return keyring;
}

/** Starts pg-boss, registers every job's queue and schedule, and runs handlers when asked. */
export async function startJobs(database: Database, logger: Logger, options: { runHandlers: boolean }): Promise<PgBoss> {
  const boss = await startQueue(database);
  boss.on('error', (error) => logger.error({ err: error }, 'job queue error'));

  if (options.runHandlers) {
    await startWorkers(boss, ALL_JOBS, { database, logger });
  } else {
    await registerJobs(boss, ALL_JOBS);
  }
  logger.info({ jobs: ALL_JOBS.map((job) => job.name), handlers: options.runHandlers }, 'job queue started');
  return boss;
}
