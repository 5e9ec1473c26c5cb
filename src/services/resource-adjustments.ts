import type { Db } from '../db/database.ts';
import { fetchPage, mapPage, type Page, type PageRequest } from '../db/paging.ts';
import { tenantScope } from '../db/tenant-scope.ts';

export type AdjustmentDimension = 'cpu' | 'memory' | 'storage';

/** One detected change of one dimension; values in cores for cpu and GiB otherwise. */
export interface AdjustmentView {
  id: string;
  systemId: string;
  vmId: string | null;
  subject: 'vm' | 'system';
  dimension: AdjustmentDimension;
  oldValue: number;
  newValue: number;
  direction: 'increase' | 'decrease';
  source: 'portal' | 'out_of_band' | 'order';
  operationId: string | null;
  detectedAt: string;
}

export interface AdjustmentFilter {
  systemId?: string;
  vmId?: string;
  dimension?: AdjustmentDimension;
}

/** Returns one page of a tenant's resource adjustments, newest first. */
export async function listResourceAdjustments(db: Db, tenantId: string, filter: AdjustmentFilter, page: PageRequest): Promise<Page<AdjustmentView>> {
  let filtered = tenantScope(db, tenantId).selectFrom('resource_adjustments');
  if (filter.systemId) filtered = filtered.where('system_id', '=', filter.systemId);
  if (filter.vmId) filtered = filtered.where('vm_id', '=', filter.vmId);
  if (filter.dimension) filtered = filtered.where('dimension', '=', filter.dimension);

  const rows = await fetchPage(filtered, (query) => query.selectAll().orderBy('detected_at', 'desc').orderBy('id', 'desc'), page);
  return mapPage(rows, (row) => ({
    id: row.id,
    systemId: row.system_id,
    vmId: row.vm_id,
    subject: row.subject,
    dimension: row.dimension,
    // numeric(14, 3) reads back as a string. Its 14 significant digits convert to a double and back unchanged.
    oldValue: Number(row.old_value),
    newValue: Number(row.new_value),
    direction: row.direction,
    source: row.source,
    operationId: row.operation_id,
    detectedAt: row.detected_at.toISOString(),
  }));
}
