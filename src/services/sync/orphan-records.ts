import { sql, type ExpressionBuilder, type Selectable } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';
import type { DatabaseSchema, OrphanServersTable } from '../../db/tables.ts';
import { ORPHAN_KINDS, type OrphanKind, type OrphanResolution } from '../../domain/orphan-servers.ts';

// Rows of orphan_servers, one per unowned server (unique on cloud, region and server id). A row
// is resolved rather than removed. Every write is a conditional statement, so two sweeps running
// at once cannot both report a server as new or both claim its deletion.

export type OrphanRow = Selectable<OrphanServersTable>;

/** A cloud and region; a null region is the cloud's default one. */
export interface CloudPlace {
  cloud: string;
  region: string | null;
}

/** Facts about a listed server that its row stores. */
export interface OrphanServerFacts {
  projectId: string;
  serverId: string;
  serverName: string;
  novaStatus: string;
  portalVmId: string | null;
}

/** The conflict target of the unique index orphan_servers_server_key. */
const SERVER_KEY = sql`cloud, coalesce(region, ''), server_id`;

/** Filters rows to one cloud and region. */
function inPlace(place: CloudPlace) {
  return (eb: ExpressionBuilder<DatabaseSchema, 'orphan_servers'>) =>
    eb.and([eb('cloud', '=', place.cloud), place.region === null ? eb('region', 'is', null) : eb('region', '=', place.region)]);
}

/** Filters rows to one server of one cloud and region. */
function serverRow(place: CloudPlace, serverId: string) {
  return (eb: ExpressionBuilder<DatabaseSchema, 'orphan_servers'>) => eb.and([inPlace(place)(eb), eb('server_id', '=', serverId)]);
}

/**
 * Loads the rows of one cloud and region that the sweep must see: every open row, and rows resolved
 * `deleted` less than `graceMs` ago, whose servers Nova may still list while it deletes them.
 */
export async function loadOrphanRows(db: DbOrTrx, place: CloudPlace, now: Date, graceMs: number): Promise<{ open: OrphanRow[]; recentlyDeleted: Set<string> }> {
  const rows = await db
    .selectFrom('orphan_servers')
    .selectAll()
    .where(inPlace(place))
    .where((eb) => eb.or([eb('resolved_at', 'is', null), eb.and([eb('resolution', '=', 'deleted'), eb('resolved_at', '>', graceStart(now, graceMs))])]))
    .execute();

  const open = rows.filter((row) => row.resolved_at === null);
  const recentlyDeleted = new Set(rows.filter((row) => row.resolution === 'deleted').map((row) => row.server_id));
  return { open, recentlyDeleted };
}

/**
 * Records a reported server. Returns `new` when this call created the row or reopened a resolved
 * one (the caller logs it once), `seen` when it only refreshed an open row, and `skipped` when the
 * row was resolved `deleted` less than `graceMs` ago.
 */
export async function recordOrphan(db: DbOrTrx, place: CloudPlace, facts: OrphanServerFacts, kind: OrphanKind, now: Date, graceMs: number): Promise<'new' | 'seen' | 'skipped'> {
  const described = describedColumns(facts, kind, now);

  const inserted = await db
    .insertInto('orphan_servers')
    .values({ ...placeColumns(place, facts), ...described, first_seen_at: now })
    .onConflict((conflict) => conflict.expression(SERVER_KEY).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return 'new';

  // A row resolved `linked` or `gone` opens again when its server is an orphan again. A row
  // resolved `deleted` opens again only after the grace period, because a server still listed by
  // then was not deleted: Nova failed the delete, or the sweep stopped before sending it.
  const reopened = await db
    .updateTable('orphan_servers')
    .set({ ...described, first_seen_at: now, resolved_at: null, resolution: null })
    .where(serverRow(place, facts.serverId))
    .where((eb) => eb.or([eb('resolution', 'in', ['linked', 'gone']), eb.and([eb('resolution', '=', 'deleted'), eb('resolved_at', '<=', graceStart(now, graceMs))])]))
    .returning('id')
    .executeTakeFirst();
  if (reopened) return 'new';

  const refreshed = await db
    .updateTable('orphan_servers')
    .set(described)
    .where(serverRow(place, facts.serverId))
    .where('resolved_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return refreshed ? 'seen' : 'skipped';
}

/**
 * Marks a failed create's server as deleted before the sweep sends the delete, and returns the
 * row id, or null when another sweep claimed it first or deleted it less than `graceMs` ago.
 */
export async function claimDeletion(db: DbOrTrx, place: CloudPlace, facts: OrphanServerFacts, now: Date, graceMs: number): Promise<string | null> {
  const described = describedColumns(facts, 'failed_create', now);
  const claim = { ...described, resolved_at: now, resolution: 'deleted' as const };

  const updated = await db
    .updateTable('orphan_servers')
    .set(claim)
    .where(serverRow(place, facts.serverId))
    .where((eb) => eb.or([eb('resolved_at', 'is', null), eb('resolution', 'in', ['linked', 'gone']), eb('resolved_at', '<=', graceStart(now, graceMs))]))
    .returning('id')
    .executeTakeFirst();
  if (updated) return updated.id;

  const inserted = await db
    .insertInto('orphan_servers')
    .values({ ...placeColumns(place, facts), ...claim, first_seen_at: now })
    .onConflict((conflict) => conflict.expression(SERVER_KEY).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted?.id ?? null;
}

/** Reopens a claimed row after Nova rejected the delete, so the next sweep tries again. */
export async function releaseDeletion(db: DbOrTrx, rowId: string, claimedAt: Date): Promise<void> {
  await db
    .updateTable('orphan_servers')
    .set({ resolved_at: null, resolution: null })
    .where('id', '=', rowId)
    .where('resolution', '=', 'deleted')
    .where('resolved_at', '=', claimedAt)
    .execute();
}

/** Resolves the open row of one server, if there is one; returns true when a row changed. */
export async function resolveServer(db: DbOrTrx, place: CloudPlace, serverId: string, resolution: OrphanResolution, now: Date): Promise<boolean> {
  const resolved = await db
    .updateTable('orphan_servers')
    .set({ resolved_at: now, resolution })
    .where(serverRow(place, serverId))
    .where('resolved_at', 'is', null)
    .executeTakeFirst();
  return Number(resolved.numUpdatedRows) > 0;
}

/** Changes a row resolved `deleted` to `gone`, for a server Nova no longer had when the delete was sent. */
export async function markDeletionGone(db: DbOrTrx, rowId: string): Promise<void> {
  await db.updateTable('orphan_servers').set({ resolution: 'gone' }).where('id', '=', rowId).where('resolution', '=', 'deleted').execute();
}

/** Sets `last_seen_at` of open rows whose server the run listed again unchanged. */
export async function touchRows(db: DbOrTrx, rowIds: string[], now: Date): Promise<void> {
  if (rowIds.length === 0) return;
  await db.updateTable('orphan_servers').set({ last_seen_at: now }).where('id', 'in', rowIds).where('resolved_at', 'is', null).execute();
}

/** Resolves open rows by id; returns how many it changed. */
export async function resolveRows(db: DbOrTrx, rowIds: string[], resolution: OrphanResolution, now: Date): Promise<number> {
  if (rowIds.length === 0) return 0;
  const resolved = await db.updateTable('orphan_servers').set({ resolved_at: now, resolution }).where('id', 'in', rowIds).where('resolved_at', 'is', null).executeTakeFirst();
  return Number(resolved.numUpdatedRows);
}

/** Counts open rows by kind, with 0 for kinds that have none. */
export async function countOpenOrphans(db: DbOrTrx): Promise<Record<OrphanKind, number>> {
  const rows = await db
    .selectFrom('orphan_servers')
    .select((eb) => ['kind', eb.fn.countAll<string>().as('count')])
    .where('resolved_at', 'is', null)
    .groupBy('kind')
    .execute();

  const counts = Object.fromEntries(ORPHAN_KINDS.map((kind) => [kind, 0])) as Record<OrphanKind, number>;
  for (const row of rows) counts[row.kind] = Number(row.count);
  return counts;
}

/** Start of the grace period that ends at `now`; rows resolved after it are inside the period. */
function graceStart(now: Date, graceMs: number): Date {
  return new Date(now.getTime() - graceMs);
}

function placeColumns(place: CloudPlace, facts: OrphanServerFacts) {
  return { cloud: place.cloud, region: place.region, project_id: facts.projectId, server_id: facts.serverId };
}

function describedColumns(facts: OrphanServerFacts, kind: OrphanKind, now: Date) {
  return { server_name: facts.serverName, nova_status: facts.novaStatus, portal_vm_id: facts.portalVmId, kind, last_seen_at: now };
}
