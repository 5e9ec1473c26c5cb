import type { SelectQueryBuilder } from 'kysely';
import type { DatabaseSchema } from '../../db/tables.ts';
import { fetchPage, mapPage, parseSort, type Page, type PageRequest } from '../../http/pagination.ts';
import { likePattern } from '../../db/paging.ts';
import { tenantScope } from '../../db/tenant-scope.ts';
import { PortalError } from '../../errors/portal-error.ts';
import type { VmCaller, VmServiceDeps } from './context.ts';
import { applyObservation, pollServer } from './observe.ts';
import { portalErrorFor } from './openstack-failure.ts';
import { toOperationView, toVmView, type OperationView, type VmView } from './vm-view.ts';

export const VM_SORT_FIELDS = ['name', 'created_at', 'status'] as const;
export type VmSortField = (typeof VM_SORT_FIELDS)[number];

export interface VmListFilters extends PageRequest {
  systemId?: string | undefined;
  status?: string | undefined;
  q?: string | undefined;
  sort?: VmSortField | `-${VmSortField}` | undefined;
}

/**
 * Lists the tenant's VMs, newest first by default, in two statements whatever the page size.
 * Deleted VMs are left out unless the filter is `status=deleted`.
 */
export async function listVms(deps: Pick<VmServiceDeps, 'database'>, tenantId: string, filters: VmListFilters): Promise<Page<VmView>> {
  const page = await fetchVmPage(tenantScope(deps.database.db, tenantId).selectFrom('virtual_machines'), filters);
  return mapPage(page, toVmView);
}

/** A VM as operators list it: the tenant's view plus where it runs. */
export type AdminVmView = VmView & { tenantId: string; cloud: string; region: string | null; projectId: string };

/** Lists the VMs of every tenant, or of one with `tenantId`, for platform operators. */
export async function listAllVms(deps: Pick<VmServiceDeps, 'database'>, filters: VmListFilters & { tenantId?: string | undefined }): Promise<Page<AdminVmView>> {
  let query = deps.database.db.selectFrom('virtual_machines');
  if (filters.tenantId !== undefined) query = query.where('virtual_machines.tenant_id', '=', filters.tenantId);

  const page = await fetchVmPage(query, filters);
  return mapPage(page, (vm) => ({ ...toVmView(vm), tenantId: vm.tenant_id, cloud: vm.cloud, region: vm.region, projectId: vm.project_id }));
}

/** Applies the list filters and sort to a VM query and fetches one page in two statements. */
function fetchVmPage(base: SelectQueryBuilder<DatabaseSchema, 'virtual_machines', object>, filters: VmListFilters) {
  let filtered = base;
  if (filters.systemId !== undefined) filtered = filtered.where('virtual_machines.system_id', '=', filters.systemId);
  filtered = filters.status !== undefined ? filtered.where('virtual_machines.status', '=', filters.status) : filtered.where('virtual_machines.status', '<>', 'deleted');
  if (filters.q !== undefined && filters.q.trim() !== '') filtered = filtered.where('virtual_machines.name', 'ilike', likePattern(filters.q.trim()));

  const sort = parseSort<VmSortField>(filters.sort, '-created_at');
  return fetchPage(filtered, (query) => query.selectAll('virtual_machines').orderBy(`virtual_machines.${sort.field}`, sort.direction).orderBy('virtual_machines.id'), filters);
}

/**
 * Returns one VM of the tenant; another tenant's VM is "not found" like a missing one. With
 * `refresh`, Nova is read first and the changed columns written.
 */
export async function getVm(deps: VmServiceDeps, caller: VmCaller, vmId: string, options: { refresh?: boolean } = {}): Promise<VmView> {
  const vm = await tenantScope(deps.database.db, caller.tenantId).selectFrom('virtual_machines').selectAll().where('id', '=', vmId).executeTakeFirst();
  if (!vm) throw new PortalError('NOT_FOUND', { resource: 'VM', id: vmId });
  if (!options.refresh || vm.server_id === null || vm.deleted_at !== null) return toVmView(vm);

  let server;
  try {
    server = await pollServer(deps.clouds.forBinding({ cloud: vm.cloud, region: vm.region, projectId: vm.project_id }), vm.server_id);
  } catch (error) {
    throw portalErrorFor(error);
  }
  const updated = await applyObservation(deps.database.db, vm, server, 'sync', caller.log);
  caller.log.info({ userId: caller.userId, tenantId: caller.tenantId, vmId, status: updated.status }, 'VM refreshed from Nova');
  return toVmView(updated);
}

/** Lists a VM's operations, newest first. */
export async function listVmOperations(deps: Pick<VmServiceDeps, 'database'>, tenantId: string, vmId: string, page: PageRequest): Promise<Page<OperationView>> {
  const scope = tenantScope(deps.database.db, tenantId);
  const vm = await scope.selectFrom('virtual_machines').select('id').where('id', '=', vmId).executeTakeFirst();
  if (!vm) throw new PortalError('NOT_FOUND', { resource: 'VM', id: vmId });

  const filtered = scope.selectFrom('operation_logs').where('operation_logs.vm_id', '=', vmId);
  const result = await fetchPage(filtered, (query) => query.selectAll('operation_logs').orderBy('operation_logs.started_at', 'desc').orderBy('operation_logs.id', 'desc'), page);
  return mapPage(result, toOperationView);
}
