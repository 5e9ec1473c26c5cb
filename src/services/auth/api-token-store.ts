import type { Db } from '../../db/database.ts';
import { hashSecret, newSecret } from './secrets.ts';

/** Prefix of every personal API token, so secret scanners and people can recognise one. */
export const API_TOKEN_PREFIX = 'tpt_';

const TOUCH_INTERVAL_MS = 60_000;

export interface ApiTokenSummary {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** Creates a token and returns its text once; only the hash is stored. */
export async function createApiToken(
  db: Db,
  input: { userId: string; name: string; expiresAt: Date | null },
): Promise<{ token: string; summary: ApiTokenSummary }> {
  const token = `${API_TOKEN_PREFIX}${newSecret()}`;
  const row = await db
    .insertInto('api_tokens')
    .values({
      user_id: input.userId,
      name: input.name,
      token_hash: hashSecret(token),
      token_prefix: token.slice(0, API_TOKEN_PREFIX.length + 6),
      expires_at: input.expiresAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();

  return { token, summary: toSummary(row) };
}

export async function listApiTokens(db: Db, userId: string): Promise<ApiTokenSummary[]> {
  const rows = await db.selectFrom('api_tokens').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').execute();
  return rows.map(toSummary);
}

/** Revokes one of the user's tokens; returns false when the user has no such live token. */
export async function revokeApiToken(db: Db, userId: string, tokenId: string): Promise<boolean> {
  const result = await db
    .updateTable('api_tokens')
    .set({ revoked_at: new Date() })
    .where('id', '=', tokenId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Returns the owner of a live token, or null for an unknown, revoked or expired one. */
export async function findApiTokenOwner(db: Db, token: string, now = new Date()): Promise<{ userId: string } | null> {
  if (!token.startsWith(API_TOKEN_PREFIX)) return null;

  const row = await db
    .selectFrom('api_tokens')
    .select(['id', 'user_id', 'expires_at', 'revoked_at', 'last_used_at'])
    .where('token_hash', '=', hashSecret(token))
    .executeTakeFirst();
  if (!row || row.revoked_at !== null) return null;
  if (row.expires_at !== null && row.expires_at.getTime() <= now.getTime()) return null;

  if (row.last_used_at === null || now.getTime() - row.last_used_at.getTime() >= TOUCH_INTERVAL_MS) {
    await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.id).execute();
  }
  return { userId: row.user_id };
}

function toSummary(row: {
  id: string;
  name: string;
  token_prefix: string;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}): ApiTokenSummary {
  return {
    id: row.id,
    name: row.name,
    prefix: row.token_prefix,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}
