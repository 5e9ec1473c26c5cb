import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Error raised when code that already owns the embedded database's only connection requests it
 * again, for example by using the root `db` inside `db.transaction()`. On PostgreSQL that would take
 * a second pooled connection; on the embedded database it would wait forever, so it fails fast.
 */
export class EmbeddedReentryError extends Error {
  readonly code = 'DB_EMBEDDED_REENTRY';

  constructor() {
    super(
      'The embedded database connection was requested again while this call chain already holds it. ' +
        'Inside a transaction, use the transaction object (trx) instead of the root database handle.',
    );
    this.name = 'EmbeddedReentryError';
  }
}

/**
 * Mutual exclusion for the embedded database. PGlite runs one backend with one session, so a
 * transaction opened by one caller would otherwise see statements from every other caller. Kysely's
 * driver and pg-boss's adapter both pass through this gate, which hands the session to one holder
 * at a time in arrival order.
 */
export class EmbeddedGate {
  #tail: Promise<void> = Promise.resolve();
  readonly #scopes = new AsyncLocalStorage<symbol>();
  #holder: symbol | undefined;

  /**
   * Waits for the session and returns the function that gives it back. Inside `scope()`, a second
   * acquire by the same call chain while the first is held raises EmbeddedReentryError.
   */
  async acquire(): Promise<() => void> {
    const scope = this.#scopes.getStore() ?? Symbol('embedded-session');
    if (this.#holder === scope) {
      throw new EmbeddedReentryError();
    }

    let release!: () => void;
    const previous = this.#tail;
    this.#tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    this.#holder = scope;

    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holder = undefined;
      release();
    };
  }

  /** Runs `work` in its own scope, so re-entry from inside it is detected. */
  scope<T>(work: () => Promise<T>): Promise<T> {
    return this.#scopes.run(Symbol('embedded-scope'), work);
  }

  /** Runs `work` while holding the session. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await work();
    } finally {
      release();
    }
  }
}
