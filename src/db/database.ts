import { mkdir } from 'node:fs/promises';
import { PGlite, type PGliteInterface } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { acquireEmbeddedLock } from './embedded-lock.ts';
import { EmbeddedGate } from './embedded-gate.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import type { DatabaseSchema } from './tables.ts';
import { pgliteParsers, postgresTypes } from './type-parsers.ts';

export type Db = Kysely<DatabaseSchema>;
export type Trx = Transaction<DatabaseSchema>;
export type DbOrTrx = Db | Trx;

/** The subset of a database that pg-boss needs: one statement or script at a time. */
export interface SqlExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

export type DatabaseTarget =
  | {
      kind: 'postgres';
      url: string;
      poolSize?: number;
      applicationName?: string;
      /**
       * Receives errors of idle pooled connections, for example when PostgreSQL restarts. The pool
       * drops such a connection and opens a new one on demand. Without a listener, node-postgres
       * would raise the error as an uncaught exception and end the process.
       */
      onIdleConnectionError: (error: Error) => void;
    }
  | { kind: 'embedded'; dataDir: string | null };

/** Counters that tests and metrics read; `queries` counts every statement the app sends. */
export interface DatabaseStats {
  queries: number;
}

/**
 * An open database: Kysely for the application, a SQL executor for pg-boss, and a transaction
 * helper that behaves the same on both back ends.
 */
export class Database {
  readonly kind: 'postgres' | 'embedded';
  readonly db: Db;
  readonly stats: DatabaseStats = { queries: 0 };
  readonly #pglite: PGliteInterface | null;
  readonly #gate: EmbeddedGate | null;
  readonly #url: string | null;
  /** Releases the embedded database's lock file; does nothing for PostgreSQL or in memory. */
  #releaseLock: () => void = () => undefined;

  private constructor(options: {
    kind: 'postgres' | 'embedded';
    pglite: PGliteInterface | null;
    gate: EmbeddedGate | null;
    url: string | null;
    build: (stats: DatabaseStats) => Db;
  }) {
    this.kind = options.kind;
    this.#pglite = options.pglite;
    this.#gate = options.gate;
    this.#url = options.url;
    this.db = options.build(this.stats);
  }

  /** Opens PostgreSQL at a URL, or the embedded database in a folder (in memory when null). */
  static async open(target: DatabaseTarget): Promise<Database> {
    if (target.kind === 'postgres') {
      const pool = new pg.Pool({
        connectionString: target.url,
        max: target.poolSize ?? 10,
        application_name: target.applicationName ?? 'tenant-portal',
        types: postgresTypes,
      });
      pool.on('error', target.onIdleConnectionError);
      const database = new Database({
        kind: 'postgres',
        pglite: null,
        gate: null,
        url: target.url,
        build: (stats) => new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool }), log: countQueries(stats) }),
      });
      return database;
    }

    if (target.dataDir === null) {
      return Database.fromPGlite(await PGlite.create({ parsers: pgliteParsers }));
    }

    await mkdir(target.dataDir, { recursive: true });
    const release = acquireEmbeddedLock(target.dataDir);
    try {
      const database = Database.fromPGlite(await PGlite.create(target.dataDir, { parsers: pgliteParsers }));
      database.#releaseLock = release;
      return database;
    } catch (error) {
      release();
      throw error;
    }
  }

  /** Wraps an already created PGlite instance, for example a clone of a migrated template. */
  static fromPGlite(pglite: PGliteInterface): Database {
    const gate = new EmbeddedGate();
    return new Database({
      kind: 'embedded',
      pglite,
      gate,
      url: null,
      build: (stats) => new Kysely<DatabaseSchema>({ dialect: new PGliteDialect(pglite, gate), log: countQueries(stats) }),
    });
  }

  /** The connection string for pg-boss on PostgreSQL; null on the embedded database. */
  get connectionString(): string | null {
    return this.#url;
  }

  /** The PGlite instance behind the embedded database, or null on PostgreSQL. */
  get pglite(): PGliteInterface | null {
    return this.#pglite;
  }

  /**
   * Runs `work` in one transaction. On the embedded database the transaction owns the only
   * session, so any use of the root handle inside `work` raises EmbeddedReentryError instead of
   * waiting forever. Use `trx` inside.
   */
  transaction<T>(work: (trx: Trx) => Promise<T>): Promise<T> {
    const run = () => this.db.transaction().execute(work);
    return this.#gate ? this.#gate.scope(run) : run();
  }

  /** Returns an executor for pg-boss on the embedded database that shares the gate with Kysely. */
  embeddedExecutor(): SqlExecutor {
    const pglite = this.#pglite;
    const gate = this.#gate;
    if (!pglite || !gate) {
      throw new Error('embeddedExecutor() is only available on the embedded database; pass connectionString to pg-boss instead.');
    }

    return {
      executeSql: (text, values) =>
        gate.run(async () => {
          this.stats.queries += 1;

          // pg-boss sends its schema scripts as several statements without parameters, which only
          // the simple query protocol accepts; PGlite's exec() speaks it and returns every result.
          if (!values || values.length === 0) {
            const results = await pglite.exec(text, { parsers: pgliteParsers });
            return { rows: results.at(-1)?.rows ?? [] };
          }
          const result = await pglite.query(text, values, { parsers: pgliteParsers });
          return { rows: result.rows };
        }),
    };
  }

  /** Checks that a statement round-trips; used by /readyz. */
  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.db.destroy();
    if (this.#pglite && !this.#pglite.closed) {
      await this.#pglite.close();
    }
    this.#releaseLock();
  }
}

function countQueries(stats: DatabaseStats) {
  return () => {
    stats.queries += 1;
  };
}
