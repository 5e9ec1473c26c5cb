import { sql } from 'kysely';
import type { JobDefinition } from './job-definitions.ts';

/** Deletes expired sessions, stale login throttle windows and expired idempotency keys. */
export const sessionCleanupJob: JobDefinition = {
  name: 'session-cleanup',
  cron: '*/15 * * * *',
  expireInSeconds: 300,
  retryLimit: 3,
  retryDelaySeconds: 30,
  async handle(_payload, { database }) {
    const db = database.db;
    const now = new Date();

    const sessions = await db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();

    // A throttle row is kept while its account or address is still locked.
    const throttles = await db
      .deleteFrom('login_throttle')
      .where('window_started_at', '<', sql<Date>`now() - interval '1 day'`)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
      .executeTakeFirst();

    const keys = await db.deleteFrom('idempotency_keys').where('expires_at', '<=', now).executeTakeFirst();

    return {
      sessionsDeleted: Number(sessions.numDeletedRows),
      throttlesDeleted: Number(throttles.numDeletedRows),
      idempotencyKeysDeleted: Number(keys.numDeletedRows),
    };
  },
};
