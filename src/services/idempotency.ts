import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { PortalError } from '../errors/portal-error.ts';

/** Time during which a stored response is returned to replays of its key. */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

export interface IdempotentRequest {
  userId: string;
  key: string;
  method: string;
  /** The route path without query, e.g. /api/v1/vms. */
  path: string;
  /** The parsed JSON body; hashed with sorted keys, so key order does not matter. */
  body: unknown;
}

export interface StoredResponse {
  status: number;
  body: unknown;
}

/**
 * Runs `work` once per (user, Idempotency-Key). A replay with the same method, path and body gets
 * the stored response without running `work`. The same key with another request fails with
 * IDEMPOTENCY_KEY_REUSED (422), and a replay while the first run is in progress with
 * IDEMPOTENCY_IN_PROGRESS (409). When `work` throws, the key is released so the client can retry.
 */
export async function runIdempotent(db: Db, request: IdempotentRequest, work: () => Promise<StoredResponse>): Promise<StoredResponse & { replayed: boolean }> {
  const requestHash = hashRequest(request);

  const claimed = await claimKey(db, request, requestHash);
  if (!claimed) {
    const existing = await db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('user_id', '=', request.userId)
      .where('key', '=', request.key)
      .executeTakeFirst();

    // The row can vanish between the claim and this read when its first run failed; claim again.
    if (!existing) return runIdempotent(db, request, work);

    if (existing.request_hash !== requestHash) throw new PortalError('IDEMPOTENCY_KEY_REUSED', { key: request.key });
    if (existing.state === 'in_progress') throw new PortalError('IDEMPOTENCY_IN_PROGRESS', { key: request.key });
    return { status: existing.response_status ?? 200, body: existing.response_body, replayed: true };
  }

  let response: StoredResponse;
  try {
    response = await work();
  } catch (error) {
    await db.deleteFrom('idempotency_keys').where('user_id', '=', request.userId).where('key', '=', request.key).where('state', '=', 'in_progress').execute();
    throw error;
  }

  await db
    .updateTable('idempotency_keys')
    .set({ state: 'completed', response_status: response.status, response_body: JSON.stringify(response.body) })
    .where('user_id', '=', request.userId)
    .where('key', '=', request.key)
    .execute();
  return { ...response, replayed: false };
}

/** Inserts the key as in progress; an expired row of the same key is replaced. Returns false when taken. */
async function claimKey(db: Db, request: IdempotentRequest, requestHash: string): Promise<boolean> {
  await db.deleteFrom('idempotency_keys').where('user_id', '=', request.userId).where('key', '=', request.key).where('expires_at', '<=', sql<Date>`now()`).execute();

  const inserted = await db
    .insertInto('idempotency_keys')
    .values({
      user_id: request.userId,
      key: request.key,
      method: request.method,
      path: request.path,
      request_hash: requestHash,
      state: 'in_progress',
      expires_at: new Date(Date.now() + IDEMPOTENCY_TTL_MS),
    })
    .onConflict((conflict) => conflict.columns(['user_id', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  return inserted !== undefined;
}

function hashRequest(request: IdempotentRequest): string {
  return createHash('sha256').update(`${request.method} ${request.path}\n${canonicalJson(request.body)}`).digest('hex');
}

/** JSON with object keys sorted at every level. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as Record<string, unknown>)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
