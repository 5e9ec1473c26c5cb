import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { Database } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { pgliteParsers } from '../../src/db/type-parsers.ts';

export type DatabaseKind = 'embedded' | 'postgres';

/** Lists the back ends integration tests run on: embedded always, PostgreSQL when TEST_DATABASE_URL is set. */
export function databaseKinds(): DatabaseKind[] {
  return process.env.TEST_DATABASE_URL ? ['embedded', 'postgres'] : ['embedded'];
}

let template: Promise<PGlite> | null = null;

// Each test process migrates one PGlite and clones it for every test database, because starting
// PGlite and migrating takes seconds while a clone takes about one.
function migratedTemplate(): Promise<PGlite> {
  template ??= (async () => {
    const pglite = await PGlite.create({ parsers: pgliteParsers });
    const database = Database.fromPGlite(pglite);
    await migrateToLatest(database.db);
    return pglite;
  })();
  return template;
}

export interface TestDatabase {
  database: Database;
  kind: DatabaseKind;
  /** Closes the connection and drops the PostgreSQL database. */
  dispose(): Promise<void>;
}

/** Opens a migrated database that no other test shares. */
export async function openTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === 'embedded') {
    const clone = await (await migratedTemplate()).clone();
    const database = Database.fromPGlite(clone);
    return { database, kind, dispose: () => database.close() };
  }

  const scratch = await createScratchDatabase('tp_test');
  // dispose() drops the database with FORCE, which ends connections the pool may still be closing.
  const database = await Database.open({ kind: 'postgres', url: scratch.url, poolSize: 5, onIdleConnectionError: () => undefined });
  await migrateToLatest(database.db);

  return {
    database,
    kind,
    async dispose() {
      await database.close();
      await scratch.drop();
    },
  };
}

/** An empty PostgreSQL database for tests that run the CLI as a separate process. */
export interface ScratchDatabase {
  url: string;
  /** Drops the database, ending any connection still open to it. */
  drop(): Promise<void>;
}

/** Creates an empty PostgreSQL database next to TEST_DATABASE_URL; the caller migrates it. */
export async function createScratchDatabase(prefix: string): Promise<ScratchDatabase> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set, so no PostgreSQL test database can be created.');

  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();

  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}
