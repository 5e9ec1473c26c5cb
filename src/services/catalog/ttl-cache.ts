/**
 * A per-key cache of asynchronous loads with a time to live. Concurrent callers of one key share a
 * single in-flight load, and a failed load is dropped at once so the next caller tries again.
 */
export class TtlCache<V> {
  readonly #entries = new Map<string, { promise: Promise<V>; expiresAt: number }>();
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(ttlMs: number, now: () => number = Date.now) {
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  get(key: string, load: () => Promise<V>): Promise<V> {
    const entry = this.#entries.get(key);
    if (entry && entry.expiresAt > this.#now()) return entry.promise;

    // The expiry is set when the load settles, so a slow load does not expire while in flight.
    const promise = load();
    const created = { promise, expiresAt: Number.POSITIVE_INFINITY };
    this.#entries.set(key, created);
    promise.then(
      () => {
        created.expiresAt = this.#now() + this.#ttlMs;
      },
      () => {
        if (this.#entries.get(key) === created) this.#entries.delete(key);
      },
    );
    return promise;
  }

  clear(): void {
    this.#entries.clear();
  }
}
