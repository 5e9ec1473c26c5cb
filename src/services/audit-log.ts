import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { AuditEntry } from './audit.ts';
import { fetchPage, mapPage, type Page, type PageRequest } from '../db/paging.ts';

/** One audit row as platform operators read it: the written entry plus its id, time and actor name. */
export interface AuditLogEntryView extends Required<AuditEntry> {
  id: string;
  occurredAt: string;
  /** The actor's current username. It is null when the row has no actor, for example after the user was deleted. */
  actorUsername: string | null;
}

export interface AuditLogFilter {
  action?: string;
  actorUserId?: string;
  tenantId?: string;
  targetType?: string;
  targetId?: string;
  /** ISO 8601 timestamp, inclusive. */
  from?: string;
  /** ISO 8601 timestamp, exclusive. */
  to?: string;
}

/** Returns one page of the audit log across all tenants, newest first. */
export async function listAuditLog(db: Db, filter: AuditLogFilter, page: PageRequest): Promise<Page<AuditLogEntryView>> {
  let filtered = db.selectFrom('audit_log');
  if (filter.action) filtered = filtered.where('audit_log.action', '=', filter.action);
  if (filter.actorUserId) filtered = filtered.where('audit_log.actor_user_id', '=', filter.actorUserId);
  if (filter.tenantId) filtered = filtered.where('audit_log.tenant_id', '=', filter.tenantId);
  if (filter.targetType) filtered = filtered.where('audit_log.target_type', '=', filter.targetType);
  if (filter.targetId) filtered = filtered.where('audit_log.target_id', '=', filter.targetId);
  // Timestamps go to SQL as text, because PostgreSQL reads forms such as a leap second that Date rejects.
  if (filter.from) filtered = filtered.where('audit_log.occurred_at', '>=', sql<Date>`cast(${filter.from} as timestamptz)`);
  if (filter.to) filtered = filtered.where('audit_log.occurred_at', '<', sql<Date>`cast(${filter.to} as timestamptz)`);

  // The join is on the users primary key, so it adds a column per row and never a row. The count
  // runs without it.
  const rows = await fetchPage(
    filtered,
    (query) =>
      query
        .leftJoin('users', 'users.id', 'audit_log.actor_user_id')
        .selectAll('audit_log')
        .select('users.username as actor_username')
        .orderBy('audit_log.occurred_at', 'desc')
        .orderBy('audit_log.id', 'desc'),
    page,
  );

  return mapPage(rows, (row) => ({
    id: row.id,
    occurredAt: row.occurred_at.toISOString(),
    actorUserId: row.actor_user_id,
    actorUsername: row.actor_username,
    tenantId: row.tenant_id,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    requestId: row.request_id,
    clientAddress: row.client_address,
    details: row.details,
  }));
}
