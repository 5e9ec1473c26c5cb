import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Database, DbOrTrx } from '../../db/database.ts';
import { evaluateActionProgress } from '../../domain/vm-actions.ts';
import { listServerPages, type ClientOptions, type OpenStackClient, type Server } from '../../openstack/index.ts';
import type { CloudClients } from '../cloud/cloud-clients.ts';
import { changedColumns, observedColumns, pollServer, toObservation } from '../vms/observe.ts';
import { finishOperation } from '../vms/operations.ts';
import type { VmRow } from '../vms/vm-view.ts';
import { boundClouds, listingsFor, type BoundCloud } from './server-listings.ts';

export type SyncMode = 'incremental' | 'full';

export interface SyncDeps {
  database: Database;
  clouds: CloudClients;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Environment for SYNC_OS_CLOUD and the admin cloud's clouds.yaml lookup; defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** Options for the admin client built from SYNC_OS_CLOUD (retry policy in tests). */
  adminClientOptions?: ClientOptions;
}

export interface SyncOptions {
  mode: SyncMode;
  now: Date;
  /**
   * Start of the changes-since window for an incremental run. Defaults to the start of the last
   * successful vm-sync run in job_runs minus `overlapMs`; with no such run the listing is complete.
   */
  since?: Date | null;
  /** Overlap subtracted from the last run's start, in milliseconds, for clock skew. Default 120000. */
  overlapMs?: number;
}

export interface SyncCounts {
  serversSeen: number;
  vmsUpdated: number;
  vmsDeleted: number;
  transitions: number;
  /** Rows inserted or updated: VMs, status history, operations. Zero when Nova showed nothing new. */
  rowsWritten: number;
  openstackCalls: number;
}

/** Job names whose successful runs set the changes-since cursor. */
export const VM_SYNC_JOB_NAMES = ['vm-sync-incremental', 'vm-sync-full'] as const;

const DEFAULT_OVERLAP_MS = 120_000;
/** Upper bound on the VMs confirmed by getServer in one full run, so a broken listing cannot start thousands of calls. */
const MAX_MISSING_CONFIRMATIONS = 500;

/** Per-run state shared by every page. */
interface RunState {
  deps: SyncDeps;
  now: Date;
  counts: SyncCounts;
  /** Nova statuses the portal does not map that were already logged in this run. */
  loggedUnknown: Set<string>;
}

/**
 * Reads Nova's view of every server of the bound tenants and writes what changed to the VM rows.
 * OpenStack errors are thrown, so the queue retries the run, and they never change a VM.
 */
export async function syncVms(deps: SyncDeps, options: SyncOptions): Promise<SyncCounts> {
  const state: RunState = {
    deps,
    now: options.now,
    counts: { serversSeen: 0, vmsUpdated: 0, vmsDeleted: 0, transitions: 0, rowsWritten: 0, openstackCalls: 0 },
    loggedUnknown: new Set(),
  };
  let since: Date | null = null;
  if (options.mode === 'incremental') {
    since = options.since !== undefined ? options.since : await lastRunCursor(deps.database, options.overlapMs ?? DEFAULT_OVERLAP_MS);
  }
  const env = deps.env ?? process.env;
  const adminCloud = env['SYNC_OS_CLOUD'] || null;

  const adminClients: OpenStackClient[] = [];
  let firstFailure: unknown = null;
  try {
    for (const bound of await boundClouds(deps.database)) {
      // One unreachable or misconfigured cloud must not stop the sync of the others.
      try {
        await syncBoundCloud(state, bound, { mode: options.mode, since, adminCloud, env, adminClients });
      } catch (error) {
        deps.logger.error({ err: error, cloud: bound.cloud, region: bound.region }, 'vm-sync failed for one cloud; the others are still synced');
        firstFailure ??= error;
      }
    }
  } finally {
    for (const client of adminClients) client.close();
  }

  deps.logger.info({ mode: options.mode, since: since?.toISOString() ?? null, adminCloud, failed: firstFailure !== null, ...state.counts }, 'vm-sync run finished');
  if (firstFailure !== null) throw firstFailure;
  return state.counts;
}

/** Lists the servers of one bound cloud and region and writes what changed to its VMs. */
async function syncBoundCloud(
  state: RunState,
  bound: BoundCloud,
  run: { mode: SyncMode; since: Date | null; adminCloud: string | null; env: Record<string, string | undefined>; adminClients: OpenStackClient[] },
): Promise<void> {
  const vms = await loadVms(state.deps.database, bound);
  const seen = new Set<string>();

  for (const listing of listingsFor(state.deps, bound, run.adminCloud, run.env, run.adminClients)) {
    let pages = 0;
    for await (const page of listServerPages(listing.client, { ...listing.filters, ...(run.since === null ? {} : { changesSince: run.since }) })) {
      pages += 1;
      const inProjects = page.filter((server) => listing.projects.has(server.tenantId));
      state.counts.serversSeen += inProjects.length;
      await applyPage(state, vms, inProjects, seen);
    }
    // The pager yields no page for an empty listing, but the listing request was still sent.
    // Token and microversion requests are not counted.
    state.counts.openstackCalls += Math.max(pages, 1);
  }

  if (run.mode === 'full') await confirmMissing(state, bound, vms, seen);
}

/** Returns the start of the last successful vm-sync run minus the overlap, or null when none succeeded. */
async function lastRunCursor(database: Database, overlapMs: number): Promise<Date | null> {
  const row = await database.db
    .selectFrom('job_runs')
    .select((eb) => eb.fn.max('started_at').as('last'))
    .where('job_name', 'in', [...VM_SYNC_JOB_NAMES])
    .where('status', '=', 'succeeded')
    .executeTakeFirst();
  const last = row?.last ?? null;
  if (last === null) return null;
  return new Date(new Date(last).getTime() - overlapMs);
}

/** A VM row with its PostgreSQL row version (xmin), so a batched write can skip rows changed since the read. */
type VersionedVmRow = VmRow & { row_version: string };

const ROW_VERSION = sql<string>`xmin::text`.as('row_version');

/** Live VM rows of one cloud and region, indexed by server id and by portal VM id. */
interface VmIndex {
  byServerId: Map<string, VersionedVmRow>;
  /** VMs without a server id yet, matched through the server's `portal_vm_id` metadata. */
  unlinked: Map<string, VersionedVmRow>;
}

async function loadVms(database: Database, bound: BoundCloud): Promise<VmIndex> {
  let query = database.db.selectFrom('virtual_machines').selectAll().select(ROW_VERSION).where('cloud', '=', bound.cloud).where('deleted_at', 'is', null);
  query = bound.region === null ? query.where('region', 'is', null) : query.where('region', '=', bound.region);
  const rows = await query.execute();
  const index: VmIndex = { byServerId: new Map(), unlinked: new Map() };
  for (const row of rows) {
    // Only a create still in progress may gain a server. A failed create (status error) keeps
    // no server, and orphan-sweep deletes the one its metadata leads to.
    if (row.server_id === null && row.status === 'creating') index.unlinked.set(row.id, row);
    else if (row.server_id !== null) index.byServerId.set(row.server_id, row);
  }
  return index;
}

/**
 * Matches one page of servers to VM rows and writes what changed, in one transaction per page so
 * a page of a thousand changes costs one commit. A page with nothing to write opens no transaction.
 */
async function applyPage(state: RunState, vms: VmIndex, servers: Server[], seen: Set<string>): Promise<void> {
  for (const server of servers) seen.add(server.id);
  const matched = servers.filter((server) => vms.byServerId.has(server.id) || isUnlinkedMatch(vms, server));
  if (!matched.some((server) => needsWrite(state, vms, server))) return;

  await state.deps.database.transaction(async (trx) => {
    const observations: PageObservation[] = [];
    for (const server of matched) {
      const vm = vms.byServerId.get(server.id) ?? (await linkUnlinked(state, trx, vms, server));
      // The create flow linked the server after this run read the row, so the next run reads it with its server id.
      if (vm === undefined) continue;

      const status = server.status.toUpperCase();
      if (status === 'DELETED' || status === 'SOFT_DELETED') {
        await markDeleted(state, trx, vm);
        vms.byServerId.delete(server.id);
        continue;
      }
      observations.push({ vm, server });
    }

    for (const updated of await writeObservations(state, trx, observations)) {
      vms.byServerId.set(updated.server_id as string, updated);
    }
  });
}

/** Returns true when the server links, deletes, changes or completes the pending action of its VM. */
function needsWrite(state: RunState, vms: VmIndex, server: Server): boolean {
  const vm = vms.byServerId.get(server.id);
  if (vm === undefined) return true;

  const status = server.status.toUpperCase();
  if (status === 'DELETED' || status === 'SOFT_DELETED') return true;
  if (Object.keys(changedColumns(vm, observedColumns(vm, server, onceLogger(state, server)))).length > 0) return true;
  return vm.pending_action !== null && vm.pending_action !== 'deleting' && evaluateActionProgress(vm.pending_action, toObservation(server)).state === 'completed';
}

/** A VM and the server Nova listed for it on the current page. */
interface PageObservation {
  vm: VersionedVmRow;
  server: Server;
}

/** True when the server carries the `portal_vm_id` of a VM in the same project that has no server id yet. */
function isUnlinkedMatch(vms: VmIndex, server: Server): boolean {
  const portalVmId = server.metadata['portal_vm_id'];
  const unlinked = portalVmId === undefined ? undefined : vms.unlinked.get(portalVmId);
  return unlinked !== undefined && unlinked.project_id === server.tenantId;
}

/** Links the server to the VM its metadata names; undefined when the VM got a server id meanwhile. */
async function linkUnlinked(state: RunState, db: DbOrTrx, vms: VmIndex, server: Server): Promise<VersionedVmRow | undefined> {
  const unlinked = vms.unlinked.get(server.metadata['portal_vm_id'] as string) as VersionedVmRow;
  vms.unlinked.delete(unlinked.id);

  const linked = await db
    .updateTable('virtual_machines')
    .set({ server_id: server.id, updated_at: sql<Date>`now()` })
    .where('id', '=', unlinked.id)
    .where('tenant_id', '=', unlinked.tenant_id)
    .where('server_id', 'is', null)
    .returningAll()
    .returning(ROW_VERSION)
    .executeTakeFirst();
  if (linked === undefined) return undefined;

  state.counts.vmsUpdated += 1;
  state.counts.rowsWritten += 1;
  state.deps.logger.info({ vmId: unlinked.id, tenantId: unlinked.tenant_id, serverId: server.id }, 'vm-sync linked a server to its VM by portal_vm_id');
  return linked;
}

/**
 * Writes the page's observations with one UPDATE for every changed VM, one INSERT for their
 * status history and one for their sync operations, then completes pending actions whose target
 * Nova shows. Returns the VM rows as they are now.
 */
async function writeObservations(state: RunState, db: DbOrTrx, observations: PageObservation[]): Promise<VersionedVmRow[]> {
  const changed: { vm: VersionedVmRow; server: Server; observed: Record<string, unknown> }[] = [];
  for (const { vm, server } of observations) {
    const observed = observedColumns(vm, server, onceLogger(state, server));
    if (Object.keys(changedColumns(vm, observed)).length > 0) changed.push({ vm, server, observed });
  }

  const written = await updateChanged(state, db, changed);
  const transitions = changed.filter(({ vm }) => {
    const now = written.get(vm.id);
    return now !== undefined && now.status !== vm.status;
  });
  await insertTransitions(state, db, transitions.map(({ vm, server }) => ({ vm, to: written.get(vm.id) as VersionedVmRow, novaStatus: server.status })));

  const result: VersionedVmRow[] = [];
  for (const { vm, server } of observations) {
    result.push(await completePendingAction(state, db, written.get(vm.id) ?? vm, server));
  }
  return result;
}

/**
 * Sets every observed column of the changed VMs in one statement, from a JSON array of rows.
 * A row that another writer changed after this run read it has a new xmin, so it is skipped and
 * the next run observes it from its new state.
 */
async function updateChanged(state: RunState, db: DbOrTrx, changed: { vm: VersionedVmRow; observed: Record<string, unknown> }[]): Promise<Map<string, VersionedVmRow>> {
  const written = new Map<string, VersionedVmRow>();
  if (changed.length === 0) return written;

  // A column the observation left out (a size Nova did not report) is sent with its stored value,
  // which is exact because the xmin check below skips rows changed since they were read.
  const rows = changed.map(({ vm, observed }) => {
    const row: Record<string, unknown> = { id: vm.id, tenant_id: vm.tenant_id, row_version: vm.row_version };
    for (const [column] of OBSERVED_COLUMNS) row[column] = column in observed ? observed[column] : vm[column as keyof VmRow];
    return row;
  });
  const assignments = sql.join(OBSERVED_COLUMNS.map(([column]) => sql`${sql.ref(column)} = ${sql.ref(`x.${column}`)}`));
  const result = await sql<VersionedVmRow>`
    update virtual_machines v
    set ${assignments}, last_synced_at = ${state.now}, updated_at = now()
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(id uuid, tenant_id uuid, row_version text, ${sql.raw(OBSERVED_COLUMNS.map(([column, type]) => `${column} ${type}`).join(', '))})
    where v.id = x.id and v.tenant_id = x.tenant_id and v.xmin::text = x.row_version
    returning v.*, v.xmin::text as row_version`.execute(db);

  for (const row of result.rows) written.set(row.id, row);
  state.counts.vmsUpdated += result.rows.length;
  state.counts.rowsWritten += result.rows.length;
  const skipped = changed.length - result.rows.length;
  if (skipped > 0) state.deps.logger.info({ skipped }, 'vm-sync left VMs changed during the run for the next run');
  return written;
}

/** Columns that an observation of a listed server may set, with their SQL types. */
const OBSERVED_COLUMNS: readonly (readonly [string, string])[] = [
  ['status', 'text'],
  ['nova_status', 'text'],
  ['nova_task_state', 'text'],
  ['nova_vm_state', 'text'],
  ['power_state', 'smallint'],
  ['fault_message', 'text'],
  ['primary_ip', 'text'],
  ['addresses', 'jsonb'],
  ['floating_ips', 'jsonb'],
  ['launched_at', 'timestamptz'],
  ['nova_updated_at', 'timestamptz'],
  ['boot_volume_id', 'text'],
  ['cpu_cores', 'integer'],
  ['memory_mib', 'integer'],
  ['root_disk_gib', 'integer'],
  ['flavor_name', 'text'],
  ['flavor_id', 'text'],
];

/** Writes one status history row and one sync operation per transition, two statements in all. */
async function insertTransitions(state: RunState, db: DbOrTrx, transitions: { vm: VmRow; to: VmRow; novaStatus: string }[]): Promise<void> {
  if (transitions.length === 0) return;

  await db
    .insertInto('vm_status_history')
    .values(transitions.map(({ vm, to }) => ({ vm_id: vm.id, tenant_id: vm.tenant_id, from_status: vm.status, to_status: to.status, nova_status: to.nova_status, nova_task_state: to.nova_task_state, source: 'sync' as const })))
    .execute();
  await db
    .insertInto('operation_logs')
    .values(transitions.map(({ vm, to, novaStatus }) => syncOperation(vm, vm.status, to.status, novaStatus)))
    .execute();
  state.counts.transitions += transitions.length;
  state.counts.rowsWritten += 2 * transitions.length;
}

/** Completes a pending start, stop or reboot whose target the server shows. Returns the VM as it is now. */
async function completePendingAction(state: RunState, db: DbOrTrx, vm: VersionedVmRow, server: Server): Promise<VersionedVmRow> {
  // A failed or stuck action is left to operation-watch, which owns the failure reasons.
  if (vm.pending_action === null || vm.pending_action === 'deleting' || vm.pending_operation_id === null) return vm;

  const progress = evaluateActionProgress(vm.pending_action, toObservation(server));
  if (progress.state !== 'completed') return vm;

  await finishOperation(db, { id: vm.pending_operation_id, vm_id: vm.id, tenant_id: vm.tenant_id }, { status: 'succeeded' });
  state.counts.rowsWritten += 2;
  state.deps.logger.info({ vmId: vm.id, tenantId: vm.tenant_id, operationId: vm.pending_operation_id, status: progress.status }, 'vm-sync completed a pending action');
  return { ...vm, pending_action: null, pending_operation_id: null, pending_deadline_at: null };
}

/** Wraps the logger for observedColumns so each unmapped Nova status is logged once per run. */
function onceLogger(state: RunState, server: Server): Pick<Logger, 'info' | 'warn' | 'error'> {
  const base = state.deps.logger;
  return {
    info: base.info.bind(base),
    error: base.error.bind(base),
    warn: ((...args: Parameters<Logger['warn']>) => {
      const message = args.find((arg) => typeof arg === 'string') ?? '';
      if (message.includes('does not map')) {
        if (state.loggedUnknown.has(server.status)) return;
        state.loggedUnknown.add(server.status);
      }
      (base.warn as (...rest: unknown[]) => void)(...args);
    }) as Logger['warn'],
  };
}

/** Soft-deletes a VM whose server Nova reports deleted or gone, and ends a pending operation. */
async function markDeleted(state: RunState, db: DbOrTrx, vm: VmRow): Promise<void> {
  // A delete sent by the portal is finished by operation-watch, which also removes the ports and boot volume.
  if (vm.pending_action === 'deleting') return;

  const changed = await db
    .updateTable('virtual_machines')
    .set({ status: 'deleted', deleted_at: state.now, nova_status: null, nova_task_state: null, updated_at: sql<Date>`now()`, last_synced_at: state.now })
    .where('id', '=', vm.id)
    .where('tenant_id', '=', vm.tenant_id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (Number(changed.numUpdatedRows) === 0) return;
  state.counts.rowsWritten += 1;
  if (vm.status !== 'deleted') {
    await db.insertInto('vm_status_history').values({ vm_id: vm.id, tenant_id: vm.tenant_id, from_status: vm.status, to_status: 'deleted', source: 'sync' }).execute();
    await db.insertInto('operation_logs').values(syncOperation(vm, vm.status, 'deleted', 'DELETED')).execute();
    state.counts.transitions += 1;
    state.counts.rowsWritten += 2;
  }
  if (vm.pending_operation_id !== null) {
    // A pending start, stop or reboot can no longer succeed once the server is gone.
    await finishOperation(db, { id: vm.pending_operation_id, vm_id: vm.id, tenant_id: vm.tenant_id }, { status: 'failed', errorCode: 'SERVER_NOT_FOUND', errorMessage: 'the Nova server was deleted outside the portal' });
    state.counts.rowsWritten += 1;
  }
  state.counts.vmsDeleted += 1;
  state.counts.vmsUpdated += 1;
  state.deps.logger.info({ vmId: vm.id, tenantId: vm.tenant_id, serverId: vm.server_id }, 'vm-sync marked a VM deleted');
}

/** Builds the operation_logs row that records one transition seen by vm-sync. */
function syncOperation(vm: VmRow, from: string, to: string, novaStatus: string) {
  return {
    tenant_id: vm.tenant_id,
    vm_id: vm.id,
    system_id: vm.system_id,
    kind: 'sync' as const,
    status: 'succeeded' as const,
    finished_at: sql<Date>`now()`,
    details: JSON.stringify({ fromStatus: from, toStatus: to, novaStatus }),
  };
}

/** Confirms with getServer each live VM that a full listing did not show; a 404 deletes it. */
async function confirmMissing(state: RunState, bound: BoundCloud, vms: VmIndex, seen: Set<string>): Promise<void> {
  const missing = [...vms.byServerId.values()].filter((vm) => vm.server_id !== null && !seen.has(vm.server_id) && bound.projectIds.includes(vm.project_id));
  if (missing.length > MAX_MISSING_CONFIRMATIONS) {
    state.deps.logger.warn({ cloud: bound.cloud, region: bound.region, missing: missing.length, limit: MAX_MISSING_CONFIRMATIONS }, 'vm-sync found more missing VMs than it confirms in one run; the rest wait for the next full run');
  }
  for (const vm of missing.slice(0, MAX_MISSING_CONFIRMATIONS)) {
    const client = state.deps.clouds.forBinding({ cloud: vm.cloud, region: vm.region, projectId: vm.project_id });
    state.counts.openstackCalls += 1;
    const server = await pollServer(client, vm.server_id as string);
    const { database } = state.deps;
    // The call to Nova stays outside the transaction, because on the embedded database the transaction owns the only connection.
    if (server === null) await database.transaction((trx) => markDeleted(state, trx, vm));
    else await database.transaction((trx) => writeObservations(state, trx, [{ vm, server }]));
  }
}
