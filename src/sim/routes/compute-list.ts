import { serverStatus } from '../state/lifecycle.ts';
import type { ServerOrder } from '../state/server-index.ts';
import { comesBefore } from '../state/server-index.ts';
import type { SimStore } from '../state/store.ts';
import type { Server } from '../state/types.ts';
import type { CallerContext } from './context.ts';

export interface ListQuery {
  limit?: string;
  marker?: string;
  allTenants?: string;
  projectId?: string;
  status?: string;
  name?: string;
  changesSince?: string;
}

export type ListResult =
  | { ok: true; servers: Server[]; pageFull: boolean }
  | { ok: false; status: number; message: string };

/** Parses Nova's `all_tenants` value: present without value, 1 or true mean yes. */
function truthy(value: string): boolean | null {
  const v = value.toLowerCase();
  if (v === '' || v === '1' || v === 'true' || v === 't' || v === 'yes' || v === 'y' || v === 'on') return true;
  if (v === '0' || v === 'false' || v === 'f' || v === 'no' || v === 'n' || v === 'off') return false;
  return null;
}

/**
 * Selects one page of servers with Nova's rules: project scoping, all_tenants for admins only,
 * filters, `changes-since` including deleted servers, marker and limit capped at max_limit.
 */
export function listServers(store: SimStore, ctx: CallerContext, query: ListQuery, detail: boolean): ListResult {
  let limit = store.config.maxLimit;
  if (query.limit !== undefined) {
    if (!/^[0-9]*$/.test(query.limit)) {
      return { ok: false, status: 400, message: `Invalid input for query parameters limit. Value: ${query.limit}. '${query.limit}' does not match '^[0-9]*$'` };
    }
    limit = Math.min(Number(query.limit || store.config.maxLimit), store.config.maxLimit);
  }

  let allTenants = false;
  if (query.allTenants !== undefined) {
    const parsed = truthy(query.allTenants);
    if (parsed === null) {
      return { ok: false, status: 400, message: `Invalid input for query parameters all_tenants. Value: ${query.allTenants}.` };
    }
    allTenants = parsed;
    if (allTenants && !ctx.isAdmin) {
      return { ok: false, status: 403, message: `Policy doesn't allow os_compute_api:servers:${detail ? 'detail:' : 'index:'}get_all_tenants to be performed.` };
    }
  }
  // Without all_tenants Nova scopes every caller, admins too, to the token's project.
  let projectId: string | undefined = ctx.project.id;
  if (allTenants) projectId = query.projectId;

  let nameFilter: RegExp | null = null;
  if (query.name !== undefined) {
    try {
      nameFilter = new RegExp(query.name);
    } catch {
      return { ok: false, status: 400, message: `Invalid input for query parameters name. Value: ${query.name}. '${query.name}' is not a 'regex'` };
    }
  }

  let since: number | null = null;
  if (query.changesSince !== undefined) {
    since = parseIsoDateTime(query.changesSince);
    if (since === null) {
      return {
        ok: false,
        status: 400,
        message: `Invalid input for query parameters changes-since. Value: ${query.changesSince}. '${query.changesSince}' is not a 'date-time'`,
      };
    }
  }

  let marker: Server | undefined;
  if (query.marker !== undefined) {
    marker = store.servers.get(query.marker);
    if (!marker) return { ok: false, status: 400, message: `marker [${query.marker}] not found` };
  }

  const status = query.status?.toUpperCase();
  const matches = (s: Server): boolean => {
    if (projectId !== undefined && s.projectId !== projectId) return false;
    // Soft-deleted servers show only in changes-since queries.
    if (since === null && s.deletedAt !== null) return false;
    if (since !== null && s.updatedAt < since) return false;
    if (status !== undefined && serverStatus(s.vmState, s.taskState) !== status) return false;
    if (nameFilter && !nameFilter.test(s.name)) return false;
    return true;
  };

  const page: Server[] = [];
  if (limit === 0) return { ok: true, servers: page, pageFull: false };

  if (since !== null) {
    const candidates = store.updatedLog.changedSince(since).filter(matches);
    candidates.sort((a, b) => (comesBefore(a.createdAt, a.id, b.createdAt, b.id) ? -1 : 1));
    const start = marker ? candidates.findIndex((s) => comesBefore(marker.createdAt, marker.id, s.createdAt, s.id)) : 0;
    if (start >= 0) page.push(...candidates.slice(start, start + limit));
    return { ok: true, servers: page, pageFull: page.length === limit };
  }

  const order: ServerOrder | undefined = projectId !== undefined ? store.projectOrder.get(projectId) : store.order;
  if (!order) return { ok: true, servers: page, pageFull: false };
  const items = order.items;
  for (let i = marker ? order.startAfter(marker) : items.length - 1; i >= 0 && page.length < limit; i--) {
    const server = items[i] as Server;
    if (matches(server)) page.push(server);
  }
  return { ok: true, servers: page, pageFull: page.length === limit };
}

/** Parses an ISO 8601 date-time as Nova accepts it; a value without zone is UTC. */
export function parseIsoDateTime(value: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(value)) return null;
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(value) && value.length > 10;
  const parsed = Date.parse(hasZone ? value : value.replace(' ', 'T') + (value.length > 10 ? 'Z' : 'T00:00:00Z'));
  return Number.isFinite(parsed) ? parsed : null;
}
