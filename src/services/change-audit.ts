import type { DbOrTrx } from '../db/database.ts';
import { recordAudit } from './audit.ts';

/** The actor of a change (user, request id, client address), copied into each of its audit rows. */
export interface AuditActor {
  actorUserId: string;
  requestId: string | null;
  clientAddress: string | null;
}

export interface AuditedChange {
  tenantId: string | null;
  action: string;
  targetType: string;
  targetId: string;
  /** Names of changed fields and status moves only; never personal data, passwords or tokens. */
  details?: Record<string, unknown>;
}

/** Writes the audit row of one administrative change; pass the change's transaction. */
export async function auditChange(db: DbOrTrx, actor: AuditActor, change: AuditedChange): Promise<void> {
  await recordAudit(db, {
    actorUserId: actor.actorUserId,
    tenantId: change.tenantId,
    action: change.action,
    targetType: change.targetType,
    targetId: change.targetId,
    requestId: actor.requestId,
    clientAddress: actor.clientAddress,
    details: change.details ?? {},
  });
}

/** Lists the keys of a patch that were sent, for the `fields` detail of an audit row. */
export function sentFields(patch: object): string[] {
  return Object.entries(patch)
    .filter(([, value]) => value !== undefined)
    .map(([key]) => key)
    .sort();
}
