import type { Selectable } from 'kysely';
import type { Db } from '../../db/database.ts';
import { fetchPage, mapPage, type Page, type PageRequest } from '../../db/paging.ts';
import type { BillingRecordsTable } from '../../db/tables.ts';
import { tenantScope } from '../../db/tenant-scope.ts';

/** One system's bill for one local day. docs/billing.md explains each figure. */
export interface BillingRecordView {
  id: string;
  tenantId: string;
  systemId: string;
  /** The local day billed, 'YYYY-MM-DD' in `timeZone`. */
  billDate: string;
  timeZone: string;
  billingMode: 'prepaid' | 'usage';
  /** The day's maximum ordered capacity, in cores and GiB. */
  ordered: { cpu: number; memoryGiB: number; storageGiB: number };
  usage: { coreHours: number; memoryGiBHours: number; storageGiBHours: number };
  /** Fen, 1/100 of the currency unit. */
  amountFen: number;
  currency: string;
  createdAt: string;
}

export interface BillingRecordFilter {
  systemId?: string;
  /** First local day to include, 'YYYY-MM-DD'. */
  from?: string;
  /** Last local day to include, 'YYYY-MM-DD'. */
  to?: string;
}

type BillingRecordRow = Selectable<BillingRecordsTable>;

function toBillingRecordView(row: BillingRecordRow): BillingRecordView {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    systemId: row.system_id,
    billDate: row.bill_date,
    timeZone: row.time_zone,
    billingMode: row.billing_mode,
    ordered: { cpu: row.ordered_cpu_cores, memoryGiB: row.ordered_memory_gib, storageGiB: row.ordered_storage_gib },
    // numeric(14, 4) reads back as a string; 14 significant digits survive the trip through a double.
    usage: { coreHours: Number(row.core_hours), memoryGiBHours: Number(row.memory_gib_hours), storageGiBHours: Number(row.storage_gib_hours) },
    amountFen: Number(row.amount_fen),
    currency: row.currency,
    createdAt: row.created_at.toISOString(),
  };
}

/**
 * Returns one page of billing records, newest day first and by system within a day. With
 * `scope.tenantId` the query starts from tenantScope, so it carries tenant_id in SQL. A platform
 * operator passes `filterTenantId` instead, or nothing for every tenant.
 */
export async function listBillingRecords(
  db: Db,
  scope: { tenantId: string } | { filterTenantId?: string },
  filter: BillingRecordFilter,
  page: PageRequest,
): Promise<Page<BillingRecordView>> {
  let filtered = 'tenantId' in scope ? tenantScope(db, scope.tenantId).selectFrom('billing_records') : db.selectFrom('billing_records');
  if ('filterTenantId' in scope && scope.filterTenantId) filtered = filtered.where('tenant_id', '=', scope.filterTenantId);
  if (filter.systemId) filtered = filtered.where('system_id', '=', filter.systemId);
  if (filter.from) filtered = filtered.where('bill_date', '>=', filter.from);
  if (filter.to) filtered = filtered.where('bill_date', '<=', filter.to);

  // (system_id, bill_date) is unique, so this order is total and pages neither overlap nor skip.
  const rows = await fetchPage(filtered, (query) => query.selectAll().orderBy('bill_date', 'desc').orderBy('system_id', 'asc'), page);
  return mapPage(rows, toBillingRecordView);
}
