import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../../db/database.ts';
import { decideOrphan, isServerBeingDeleted, isVmIdFormat, type NamedVm } from '../../domain/orphan-servers.ts';
import { listServerPages, type ClientOptions, type OpenStackClient } from '../../openstack/index.ts';
import type { CloudClients } from '../cloud/cloud-clients.ts';
import { describeOpenStackError } from '../vms/openstack-failure.ts';
import type { JobQueue } from '../vms/context.ts';
import { deleteFailedCreateServer, linkCreatingVm, reportOrphan, type ListedServer, type NamedVmRow } from './orphan-actions.ts';
import { loadOrphanRows, resolveRows, resolveServer, touchRows, type OrphanRow } from './orphan-records.ts';
import { boundClouds, listingsFor, type BoundCloud, type Listing } from './server-listings.ts';
import { endStaleCreate, findStaleCreates } from './stale-creates.ts';

export interface OrphanSweepDeps {
  database: Database;
  clouds: CloudClients;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Environment for SYNC_OS_CLOUD and the admin cloud's clouds.yaml lookup; defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** Options for the admin client built from SYNC_OS_CLOUD (retry policy in tests). */
  adminClientOptions?: ClientOptions;
  /**
   * Queue for the operation-watch of a create whose server the sweep links, as the create request
   * would have sent it. Without one, vm-sync completes that create when Nova shows the server ACTIVE.
   */
  queue?: JobQueue | null;
}

export interface OrphanSweepOptions {
  /** Time the run compares with the grace period and the create deadline; tests move it forward. */
  now: Date;
  /**
   * Milliseconds between the portal recording a create as failed (the VM row's `updated_at`) and
   * the sweep deleting a server made for it. Until then the server is reported as `failed_create`.
   * Default 900000 (15 minutes).
   */
  graceMs?: number;
  /**
   * Milliseconds after a VM row's `created_at` at which a VM still `creating` with no server in
   * Nova ends as `error`. Default 1800000 (30 minutes), far above the OpenStack client's
   * 60-second request timeout, which bounds the create request because it is never retried. So a
   * create still waiting for Nova's response is never ended.
   */
  createDeadlineMs?: number;
}

export interface OrphanSweepCounts {
  /** Servers listed in bound projects. */
  serversSeen: number;
  /** Servers recorded as their VM's server by this run. */
  linked: number;
  /** Servers of failed creates deleted in Nova by this run. */
  deleted: number;
  /** Orphans recorded as new (first seen, or seen again after being resolved) by this run. */
  reported: number;
  /** Orphan rows resolved `gone` because their server is no longer listed. */
  resolvedGone: number;
  /** VMs in `creating` without a server that this run ended as `error`. */
  createsEnded: number;
  /** Listing pages and deletes sent to Nova; token and microversion requests are not counted. */
  openstackCalls: number;
}

export const DEFAULT_ORPHAN_GRACE_MS = 15 * 60_000;
export const DEFAULT_CREATE_DEADLINE_MS = 30 * 60_000;

/** Rows per `in (…)` lookup, so a cloud with many servers never builds one huge statement. */
const LOOKUP_CHUNK = 500;

/** State of one sweep, shared by the steps of every cloud. */
export interface SweepRun {
  deps: OrphanSweepDeps;
  now: Date;
  graceMs: number;
  createDeadlineMs: number;
  counts: OrphanSweepCounts;
  /** Failures that did not stop the run; the first is thrown when the run ends. */
  failures: unknown[];
  /** New orphans logged one by one so far, and those left out after the cap. */
  orphansLogged: number;
  orphansNotLogged: number;
}

/**
 * Lists every server of the bound projects and matches each to the portal's VM records. The sweep
 * links a crashed create's server to its record and deletes the server of a failed create after
 * the grace period. It reports every other unowned server, and ends creates whose server never
 * appeared.
 *
 * Each cloud and region is swept on its own, and every server is listed before anything is
 * written, so a failed listing changes nothing in that cloud. A delete that Nova rejects is undone
 * in the orphan rows. The other clouds are still swept, and then the first error is thrown so the
 * queue retries the run. Nova is never called inside a transaction.
 */
export async function sweepOrphans(deps: OrphanSweepDeps, options: OrphanSweepOptions): Promise<OrphanSweepCounts> {
  const run: SweepRun = {
    deps,
    now: options.now,
    graceMs: options.graceMs ?? DEFAULT_ORPHAN_GRACE_MS,
    createDeadlineMs: options.createDeadlineMs ?? DEFAULT_CREATE_DEADLINE_MS,
    counts: { serversSeen: 0, linked: 0, deleted: 0, reported: 0, resolvedGone: 0, createsEnded: 0, openstackCalls: 0 },
    failures: [],
    orphansLogged: 0,
    orphansNotLogged: 0,
  };
  const env = deps.env ?? process.env;
  const adminCloud = env['SYNC_OS_CLOUD'] || null;

  const adminClients: OpenStackClient[] = [];
  try {
    for (const bound of await boundClouds(deps.database)) {
      try {
        await sweepCloud(run, bound, listingsFor(deps, bound, adminCloud, env, adminClients));
      } catch (error) {
        run.failures.push(error);
        deps.logger.warn({ cloud: bound.cloud, region: bound.region, reason: describeOpenStackError(error) }, 'orphan-sweep failed in one cloud; the other clouds are still swept and the run then fails so pg-boss retries it');
      }
    }
  } finally {
    for (const client of adminClients) client.close();
  }

  if (run.orphansNotLogged > 0) {
    deps.logger.warn({ notLogged: run.orphansNotLogged }, 'orphan-sweep found more new orphans than it logs one by one; list them at /api/v1/admin/orphans');
  }
  deps.logger.info({ adminCloud, failures: run.failures.length, ...run.counts }, 'orphan-sweep run finished');
  if (run.failures.length > 0) throw run.failures[0];
  return run.counts;
}

async function sweepCloud(run: SweepRun, bound: BoundCloud, listings: Listing[]): Promise<void> {
  const servers = await listBoundServers(run, listings);
  run.counts.serversSeen += servers.length;

  const present = servers.filter((server) => !isServerBeingDeleted(server.status));
  const owners = await loadServerOwners(run.deps.database, bound, present.map((server) => server.id));
  const unowned = present.filter((server) => owners.get(server.id) !== 'live');
  const namedVms = await loadNamedVms(run.deps.database, unowned);
  const rows = await loadOrphanRows(run.deps.database.db, bound, run.now, run.graceMs);
  const openByServer = new Map(rows.open.map((row) => [row.server_id, row]));
  const unchanged: string[] = [];

  for (const server of unowned) {
    // Nova may list a server for a while after the sweep deleted it.
    if (rows.recentlyDeleted.has(server.id)) continue;

    const named = server.portalVmId === null ? undefined : namedVms.get(server.portalVmId);
    const decision = decideOrphan({
      server,
      cloud: bound.cloud,
      region: bound.region,
      owner: owners.get(server.id) ?? 'none',
      namedVm: named?.facts,
      now: run.now,
      graceMs: run.graceMs,
    });

    // decideOrphan links or deletes only a server whose named record it was given.
    switch (decision.action) {
      case 'link':
        await linkCreatingVm(run, bound, server, named as NamedVmRow);
        break;
      case 'delete':
        await deleteFailedCreateServer(run, bound, server, named as NamedVmRow);
        break;
      case 'report':
        await reportOrphan(run, bound, server, decision.kind, openByServer.get(server.id), unchanged);
        break;
      case 'skip':
        break;
    }
  }

  for (const chunk of chunks(unchanged)) await touchRows(run.deps.database.db, chunk, run.now);
  await resolveOpenRows(run, bound, rows.open, present, owners);
  await endCreatesWithoutServer(run, bound, present);
}

/** Lists the servers of the bound projects, page by page, before anything is written. */
async function listBoundServers(run: SweepRun, listings: Listing[]): Promise<ListedServer[]> {
  const listed: ListedServer[] = [];
  for (const listing of listings) {
    let pages = 0;
    for await (const page of listServerPages(listing.client, listing.filters)) {
      pages += 1;
      for (const server of page) {
        if (!listing.projects.has(server.tenantId)) continue;
        listed.push({
          id: server.id,
          name: server.name,
          projectId: server.tenantId,
          status: server.status,
          portalVmId: server.metadata['portal_vm_id'] ?? null,
          attachedVolumeIds: server.attachedVolumeIds,
        });
      }
    }
    // The pager yields no page for an empty listing, but the listing request was still sent.
    run.counts.openstackCalls += Math.max(pages, 1);
  }
  return listed;
}

/** Maps each listed server id that a VM record has as its server id to `live` or `deleted`. */
async function loadServerOwners(database: Database, bound: BoundCloud, serverIds: string[]): Promise<Map<string, 'live' | 'deleted'>> {
  const owners = new Map<string, 'live' | 'deleted'>();
  for (const chunk of chunks(serverIds)) {
    const rows = await database.db
      .selectFrom('virtual_machines')
      .select(['server_id', 'deleted_at'])
      .where('cloud', '=', bound.cloud)
      // Written as the unique index virtual_machines_server_key is, so the lookup can use it.
      .where(sql<string>`coalesce(region, '')`, '=', bound.region ?? '')
      .where('server_id', 'in', chunk)
      .execute();
    for (const row of rows) owners.set(row.server_id as string, row.deleted_at === null ? 'live' : 'deleted');
  }
  return owners;
}

/** Loads the VM records named by the servers' `portal_vm_id`, by VM id. */
async function loadNamedVms(database: Database, servers: ListedServer[]): Promise<Map<string, NamedVmRow>> {
  const ids = [...new Set(servers.map((server) => server.portalVmId).filter((id): id is string => id !== null && isVmIdFormat(id)))];
  const named = new Map<string, NamedVmRow>();
  for (const chunk of chunks(ids)) {
    const rows = await database.db
      .selectFrom('virtual_machines')
      .select(['id', 'tenant_id', 'system_id', 'cloud', 'region', 'project_id', 'status', 'server_id', 'deleted_at', 'updated_at'])
      .where('id', 'in', chunk)
      .execute();
    for (const row of rows) {
      const facts: NamedVm = {
        cloud: row.cloud,
        region: row.region,
        projectId: row.project_id,
        status: row.status,
        serverId: row.server_id,
        deleted: row.deleted_at !== null,
        updatedAt: row.updated_at,
      };
      named.set(row.id, { id: row.id, tenantId: row.tenant_id, systemId: row.system_id, facts });
    }
  }
  return named;
}

/**
 * Resolves open rows whose server a live VM now owns (vm-sync or a late create linked it) as
 * `linked`, and rows of bound projects whose server is no longer listed as `gone`. Rows of
 * projects no longer bound stay open, because this run did not list those projects.
 */
async function resolveOpenRows(run: SweepRun, bound: BoundCloud, open: OrphanRow[], present: ListedServer[], owners: Map<string, 'live' | 'deleted'>): Promise<void> {
  const presentIds = new Set(present.map((server) => server.id));
  const db = run.deps.database.db;

  for (const row of open.filter((candidate) => owners.get(candidate.server_id) === 'live')) {
    await resolveServer(db, bound, row.server_id, 'linked', run.now);
  }

  const gone = open.filter((row) => bound.projectIds.includes(row.project_id) && !presentIds.has(row.server_id));
  const resolved = await resolveRows(db, gone.map((row) => row.id), 'gone', run.now);
  run.counts.resolvedGone += resolved;
  if (resolved > 0) run.deps.logger.info({ cloud: bound.cloud, region: bound.region, serverIds: gone.map((row) => row.server_id) }, 'orphan-sweep resolved orphans whose servers are no longer listed');
}

/** Ends as `error` each VM still creating after the deadline that no listed server of its project names. */
async function endCreatesWithoutServer(run: SweepRun, bound: BoundCloud, present: ListedServer[]): Promise<void> {
  const appeared = new Set(present.filter((server) => server.portalVmId !== null).map((server) => `${server.projectId}/${server.portalVmId}`));
  const createdBefore = new Date(run.now.getTime() - run.createDeadlineMs);
  const minutes = Math.round(run.createDeadlineMs / 60_000);

  for (const vm of await findStaleCreates(run.deps.database, bound, createdBefore)) {
    if (appeared.has(`${vm.project_id}/${vm.id}`)) continue;

    const faultMessage = `Nova has no server for this VM ${minutes} minutes after the create was accepted (no server in project ${vm.project_id} carries portal_vm_id ${vm.id}); delete this VM and create it again`;
    if (!(await endStaleCreate(run.deps.database, vm, faultMessage))) continue;

    run.counts.createsEnded += 1;
    run.deps.logger.warn({ vmId: vm.id, tenantId: vm.tenant_id, cloud: vm.cloud, region: vm.region, projectId: vm.project_id, createdAt: vm.created_at.toISOString() }, 'orphan-sweep ended a create whose server never appeared');
  }
}

function chunks<T>(items: T[]): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += LOOKUP_CHUNK) result.push(items.slice(start, start + LOOKUP_CHUNK));
  return result;
}
