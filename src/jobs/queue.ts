import PgBoss from 'pg-boss';
import type { Database } from '../db/database.ts';

/** Schema of pg-boss's own tables, kept apart from the portal's. */
export const QUEUE_SCHEMA = 'pgboss';

export interface QueueOptions {
  /** pg-boss schema name. Default: `pgboss`. Tests pass their own to stay isolated. */
  schema?: string;
  /** Run pg-boss maintenance (expiry, archiving) in this process. Default: true. */
  supervise?: boolean;
  /** Run the cron clock in this process. Default: true. pg-boss keeps one clock active across processes. */
  schedule?: boolean;
}

/**
 * Creates and starts pg-boss on the portal's database. On PostgreSQL it opens its own small pool
 * from the same URL; on the embedded database it shares the portal's single session through the
 * gate, because PGlite has no second connection to give.
 */
export async function startQueue(database: Database, options: QueueOptions = {}): Promise<PgBoss> {
  const common = {
    schema: options.schema ?? QUEUE_SCHEMA,
    supervise: options.supervise ?? true,
    schedule: options.schedule ?? true,
    migrate: true,
  };

  const boss =
    database.kind === 'postgres'
      ? new PgBoss({ ...common, connectionString: database.connectionString ?? '', max: 4, application_name: 'tenant-portal-queue' })
      : new PgBoss({ ...common, db: database.embeddedExecutor() as PgBoss.Db });

  await boss.start();
  return boss;
}
