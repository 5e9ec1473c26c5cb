import type { Db } from '../../db/database.ts';
import { fetchPage, mapPage, type Page, type PageRequest } from '../../db/paging.ts';
import type { OrphanKind, OrphanResolution } from '../../domain/orphan-servers.ts';
import type { OrphanRow } from './orphan-records.ts';

/** One orphan row in the operator API. */
export interface OrphanView {
  id: string;
  cloud: string;
  region: string | null;
  projectId: string;
  serverId: string;
  serverName: string | null;
  novaStatus: string | null;
  portalVmId: string | null;
  kind: OrphanKind;
  firstSeenAt: string;
  lastSeenAt: string;
  resolvedAt: string | null;
  resolution: OrphanResolution | null;
}

export interface OrphanListFilter {
  /** Also list resolved rows; by default only open ones. */
  includeResolved: boolean;
  kind?: OrphanKind;
  projectId?: string;
}

/** Returns one page of orphan rows, the most recently seen first. */
export async function listOrphans(db: Db, filter: OrphanListFilter, page: PageRequest): Promise<Page<OrphanView>> {
  let filtered = db.selectFrom('orphan_servers');
  if (!filter.includeResolved) filtered = filtered.where('resolved_at', 'is', null);
  if (filter.kind) filtered = filtered.where('kind', '=', filter.kind);
  if (filter.projectId) filtered = filtered.where('project_id', '=', filter.projectId);

  const rows = await fetchPage(filtered, (query) => query.selectAll().orderBy('last_seen_at', 'desc').orderBy('id', 'desc'), page);
  return mapPage(rows, toOrphanView);
}

function toOrphanView(row: OrphanRow): OrphanView {
  return {
    id: row.id,
    cloud: row.cloud,
    region: row.region,
    projectId: row.project_id,
    serverId: row.server_id,
    serverName: row.server_name,
    novaStatus: row.nova_status,
    portalVmId: row.portal_vm_id,
    kind: row.kind,
    firstSeenAt: row.first_seen_at.toISOString(),
    lastSeenAt: row.last_seen_at.toISOString(),
    resolvedAt: row.resolved_at?.toISOString() ?? null,
    resolution: row.resolution,
  };
}
