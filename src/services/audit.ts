import type { DbOrTrx } from '../db/database.ts';

export interface AuditEntry {
  actorUserId: string | null;
  tenantId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  requestId: string | null;
  clientAddress: string | null;
  /** Never personal data or secrets: name what was touched, not its value. */
  details?: Record<string, unknown>;
}

/** Writes one audit row; pass the transaction when the audited change is in one. */
export async function recordAudit(db: DbOrTrx, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      actor_user_id: entry.actorUserId,
      tenant_id: entry.tenantId,
      action: entry.action,
      target_type: entry.targetType,
      target_id: entry.targetId,
      request_id: entry.requestId,
      client_address: entry.clientAddress,
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute();
}
