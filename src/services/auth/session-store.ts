import type { Db } from '../../db/database.ts';
import { hashSecret, newSecret } from './secrets.ts';

export interface SessionPolicy {
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
}

// last_seen_at is written at most once a minute per session, so reads do not each cost a write.
const TOUCH_INTERVAL_MS = 60_000;

export interface CreatedSession {
  /** The cookie value; only its hash is stored. */
  sessionId: string;
  csrfToken: string;
  expiresAt: Date;
}

export async function createSession(
  db: Db,
  policy: SessionPolicy,
  input: { userId: string; tenantId: string | null; clientAddress: string | null; userAgent: string | null },
): Promise<CreatedSession> {
  const sessionId = newSecret();
  const csrfToken = newSecret();
  const now = new Date();
  const expiresAt = new Date(now.getTime() + policy.absoluteTimeoutMs);

  await db
    .insertInto('sessions')
    .values({
      id_hash: hashSecret(sessionId),
      user_id: input.userId,
      tenant_id: input.tenantId,
      csrf_token: csrfToken,
      created_at: now,
      last_seen_at: now,
      expires_at: expiresAt,
      client_address: input.clientAddress,
      user_agent: input.userAgent?.slice(0, 512) ?? null,
    })
    .execute();

  return { sessionId, csrfToken, expiresAt };
}

export type SessionLookup =
  | { state: 'valid'; idHash: string; userId: string; tenantId: string | null; csrfToken: string }
  | { state: 'missing' | 'expired' };

/**
 * Finds a live session by its cookie value. A session past its absolute or idle deadline is
 * deleted and reported as expired.
 */
export async function findSession(db: Db, policy: SessionPolicy, sessionId: string, now = new Date()): Promise<SessionLookup> {
  const idHash = hashSecret(sessionId);
  const row = await db
    .selectFrom('sessions')
    .select(['user_id', 'tenant_id', 'csrf_token', 'last_seen_at', 'expires_at'])
    .where('id_hash', '=', idHash)
    .executeTakeFirst();
  if (!row) return { state: 'missing' };

  const idleDeadline = row.last_seen_at.getTime() + policy.idleTimeoutMs;
  if (row.expires_at.getTime() <= now.getTime() || idleDeadline <= now.getTime()) {
    await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
    return { state: 'expired' };
  }

  if (now.getTime() - row.last_seen_at.getTime() >= TOUCH_INTERVAL_MS) {
    await db.updateTable('sessions').set({ last_seen_at: now }).where('id_hash', '=', idHash).execute();
  }
  return { state: 'valid', idHash, userId: row.user_id, tenantId: row.tenant_id, csrfToken: row.csrf_token };
}

export async function deleteSession(db: Db, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}

/** Ends every session of a user, for example after a password reset. */
export async function deleteUserSessions(db: Db, userId: string): Promise<number> {
  const result = await db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}
