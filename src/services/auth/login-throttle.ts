import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';

export interface ThrottlePolicy {
  maxFailuresPerAccount: number;
  maxFailuresPerAddress: number;
  /** Failures older than this stop counting, and a lock lasts this long. */
  windowMs: number;
}

export type ThrottleState =
  | { locked: false }
  | { locked: true; scope: 'account' | 'address'; retryAfterSeconds: number };

export const accountKey = (username: string) => `account:${username.trim().toLowerCase()}`;
export const addressKey = (address: string) => `address:${address}`;

/** Reports whether the account or the client address is locked at `now`. */
export async function checkThrottle(db: Db, keys: { account: string; address: string }, now: Date): Promise<ThrottleState> {
  const rows = await db
    .selectFrom('login_throttle')
    .select(['key', 'locked_until'])
    .where('key', 'in', [keys.account, keys.address])
    .where('locked_until', '>', now)
    .execute();

  // The account lock is reported first: it is the one the user can act on by waiting.
  const row = rows.find((entry) => entry.key === keys.account) ?? rows[0];
  if (!row?.locked_until) return { locked: false };

  return {
    locked: true,
    scope: row.key === keys.account ? 'account' : 'address',
    retryAfterSeconds: Math.max(1, Math.ceil((row.locked_until.getTime() - now.getTime()) / 1000)),
  };
}

/**
 * Counts one failed login against a key in a single statement, so concurrent failures from several
 * portal processes all count. A window older than the policy's restarts at one failure.
 */
async function countFailure(db: Db, key: string, maxFailures: number, windowMs: number, now: Date): Promise<void> {
  const windowStart = new Date(now.getTime() - windowMs);
  const lockUntil = new Date(now.getTime() + windowMs);
  const stale = sql<boolean>`login_throttle.window_started_at < ${windowStart}`;
  const failures = sql<number>`case when ${stale} then 1 else login_throttle.failures + 1 end`;

  await db
    .insertInto('login_throttle')
    .values({ key, failures: 1, window_started_at: now, locked_until: maxFailures <= 1 ? lockUntil : null })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        failures,
        window_started_at: sql`case when ${stale} then ${now} else login_throttle.window_started_at end`,
        locked_until: sql`case when ${failures} >= ${maxFailures} then ${lockUntil} else login_throttle.locked_until end`,
      }),
    )
    .execute();
}

export async function recordFailure(db: Db, policy: ThrottlePolicy, keys: { account: string; address: string }, now: Date): Promise<void> {
  await countFailure(db, keys.account, policy.maxFailuresPerAccount, policy.windowMs, now);
  await countFailure(db, keys.address, policy.maxFailuresPerAddress, policy.windowMs, now);
}

/** Clears the account's failures after a successful login; the address keeps its count. */
export async function clearAccountFailures(db: Db, account: string): Promise<void> {
  await db.deleteFrom('login_throttle').where('key', '=', account).execute();
}
