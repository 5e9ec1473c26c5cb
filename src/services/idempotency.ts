import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { PortalError } from '../errors/portal-error.ts';
import { PROBLEMS, type ProblemCode } from '../errors/problem-catalogue.ts';

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
 * IDEMPOTENCY_IN_PROGRESS (409). When `work` throws before it changed anything, the key is
 * released so the client can retry. A PortalError marked `committed` (the request changed state,
 * then failed) is stored, and a replay throws it again.
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
    const storedFailure = storedPortalError(existing.response_body);
    if (storedFailure !== null) throw storedFailure;
    return { status: existing.response_status ?? 200, body: existing.response_body, replayed: true };
  }

  let response: StoredResponse;
  try {
    response = await work();
  } catch (error) {
    if (error instanceof PortalError && error.committed) {
      // Stored by code and parameters, so a replay renders it in the replaying request's language.
      await complete(db, request, { status: PROBLEMS[error.code].status, body: { portalError: { code: error.code, params: error.params } } });
      throw error;
    }
    await db.deleteFrom('idempotency_keys').where('user_id', '=', request.userId).where('key', '=', request.key).where('state', '=', 'in_progress').execute();
    throw error;
  }

  await complete(db, request, response);
  return { ...response, replayed: false };
}

async function complete(db: Db, request: IdempotentRequest, response: StoredResponse): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ state: 'completed', response_status: response.status, response_body: JSON.stringify(response.body) })
    .where('user_id', '=', request.userId)
    .where('key', '=', request.key)
    .execute();
}

/** Rebuilds the PortalError of a stored committed failure, or returns null for a stored success. */
function storedPortalError(body: unknown): PortalError | null {
  if (typeof body !== 'object' || body === null || !('portalError' in body)) return null;

  const stored = (body as { portalError: { code: string; params: Record<string, string | number> } }).portalError;
  if (!(stored.code in PROBLEMS)) return null;
  return new PortalError(stored.code as ProblemCode, stored.params, { committed: true });
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
