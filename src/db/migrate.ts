import { Migrator, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import type { Db } from './database.ts';
import * as initialSchema from './migrations/0001-initial-schema.ts';
import * as billingUsage from './migrations/0002-billing-usage.ts';
import * as resourceTracking from './migrations/0003-resource-tracking.ts';
import * as tenantProjectKey from './migrations/0004-tenant-project-key.ts';

// Migrations are listed here rather than read from a folder, so a bundled or tsx-run build finds
// the same set and a missing file fails at compile time.
const MIGRATIONS: Record<string, Migration> = {
  '0001-initial-schema': initialSchema,
  '0002-billing-usage': billingUsage,
  '0003-resource-tracking': resourceTracking,
  '0004-tenant-project-key': tenantProjectKey,
};

class StaticMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS;
  }
}

export class MigrationError extends Error {
  readonly code = 'DB_MIGRATION_FAILED';
  readonly migration: string | undefined;

  constructor(migration: string | undefined, cause: unknown) {
    super(`Database migration ${migration ?? '(unknown)'} failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'MigrationError';
    this.migration = migration;
  }
}

/** Applies every pending migration; returns the names applied by this call. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new StaticMigrationProvider() });
  const outcome: MigrationResultSet = await migrator.migrateToLatest();

  const failed = outcome.results?.find((result) => result.status === 'Error');
  if (outcome.error || failed) {
    throw new MigrationError(failed?.migrationName, outcome.error ?? new Error('unknown migration error'));
  }
  return (outcome.results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
