// Rules of the orphan sweep: what to do with a Nova server in a bound project that no live VM
// record owns. The portal writes its VM id into a server's `portal_vm_id` metadata when it creates
// the server, so that id names the record, if any, that the server was made for.

/** Reason an unowned server is listed for operators. */
export type OrphanKind = 'unknown' | 'no_record' | 'failed_create';

export const ORPHAN_KINDS: readonly OrphanKind[] = ['unknown', 'no_record', 'failed_create'];

/** End state of an orphan row: its server was linked to its VM, deleted by the sweep, or no longer listed. */
export type OrphanResolution = 'linked' | 'deleted' | 'gone';

/** A listed server, reduced to what the decision reads. */
export interface SweptServer {
  id: string;
  projectId: string;
  /** Nova `status`, e.g. `ACTIVE` or `SOFT_DELETED`. */
  status: string;
  /** The `portal_vm_id` metadata, or null when the server has none. */
  portalVmId: string | null;
}

/** The VM record that a server's `portal_vm_id` names. */
export interface NamedVm {
  cloud: string;
  region: string | null;
  projectId: string;
  status: string;
  serverId: string | null;
  deleted: boolean;
  /** Last change of the record; a failed create's grace period starts here. */
  updatedAt: Date;
}

export interface ServerFacts {
  server: SweptServer;
  /** Cloud and region the server was listed in. */
  cloud: string;
  region: string | null;
  /** Whether a VM record has this server as its server id, and if so whether that record is deleted. */
  owner: 'live' | 'deleted' | 'none';
  /** The record named by `portal_vm_id`, or undefined when no record has that id. */
  namedVm: NamedVm | undefined;
  now: Date;
  /** Milliseconds a failed create's server is kept after the failure before it is deleted. */
  graceMs: number;
}

export type OrphanDecision =
  /** Nothing to do: the server is owned, or Nova is already deleting it. */
  | { action: 'skip' }
  /** Record the server as the server of its VM, which is still creating. */
  | { action: 'link' }
  /** Delete the server in Nova; it was made for a create the portal recorded as failed. */
  | { action: 'delete' }
  /** Keep the server and list it for operators. */
  | { action: 'report'; kind: OrphanKind };

const VM_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when `value` has the form of a portal VM id (a UUID), so it can be looked up. */
export function isVmIdFormat(value: string): boolean {
  return VM_ID_PATTERN.test(value);
}

/** True for Nova statuses of a server that is on its way out (soft-deleted servers are reclaimed by Nova). */
export function isServerBeingDeleted(status: string): boolean {
  const upper = status.toUpperCase();
  return upper === 'DELETED' || upper === 'SOFT_DELETED';
}

/**
 * Decides what the sweep does with one listed server. Only a server whose `portal_vm_id` names a
 * record of the same cloud, region and project is ever linked or deleted. Every other server is
 * reported and kept, because another portal install or a person may own it.
 */
export function decideOrphan(facts: ServerFacts): OrphanDecision {
  const { server, namedVm } = facts;
  if (facts.owner === 'live' || isServerBeingDeleted(server.status)) return { action: 'skip' };

  if (server.portalVmId === null) return { action: 'report', kind: 'unknown' };
  if (namedVm === undefined) return { action: 'report', kind: 'no_record' };

  const samePlace = namedVm.cloud === facts.cloud && namedVm.region === facts.region && namedVm.projectId === server.projectId;
  if (!samePlace) return { action: 'report', kind: 'unknown' };

  if (!namedVm.deleted) {
    if (namedVm.serverId !== null) return { action: 'report', kind: 'unknown' };
    // A server that a deleted record still has cannot be linked, because a server id belongs to at most one record.
    if (namedVm.status === 'creating') return facts.owner === 'none' ? { action: 'link' } : { action: 'report', kind: 'unknown' };
    if (namedVm.status === 'error') return failedCreate(facts, namedVm);
    return { action: 'report', kind: 'unknown' };
  }

  // A deleted record that still has this server means Nova kept a server the portal deleted, for
  // example one restored from SOFT_DELETED. A person decides about it, not the sweep.
  if (namedVm.serverId === server.id) return { action: 'report', kind: 'unknown' };
  return failedCreate(facts, namedVm);
}

function failedCreate(facts: ServerFacts, namedVm: NamedVm): OrphanDecision {
  const waitedMs = facts.now.getTime() - namedVm.updatedAt.getTime();
  return waitedMs >= facts.graceMs ? { action: 'delete' } : { action: 'report', kind: 'failed_create' };
}
