import { sql, type SelectQueryBuilder } from 'kysely';
import type { Db } from '../db/database.ts';
import { fetchPage, mapPage, type Page, type PageRequest } from '../db/paging.ts';
import type { DatabaseSchema } from '../db/tables.ts';
import { tenantScope } from '../db/tenant-scope.ts';
import { computeRemainingCapacity, type ResourceAmounts } from '../domain/capacity.ts';

/** Capacity of one information system: what its orders provide, what its VMs use, what remains. */
export interface CapacitySummary {
  systemId: string;
  systemCode: string;
  systemName: string;
  systemStatus: string;
  /** Sum of the system's active orders whose validity period contains the evaluation time. */
  ordered: ResourceAmounts;
  /** Sum over the system's VMs that are not deleted; memory converted from MiB to GiB. */
  used: ResourceAmounts;
  /** Ordered minus used; negative when VMs outlive an expired order. */
  remaining: ResourceAmounts;
}

const MIB_PER_GIB = 1024;

type SystemsQuery = SelectQueryBuilder<DatabaseSchema, 'information_systems', object>;

/**
 * Adds the order and VM sums to a query over information_systems as two lateral subqueries, so
 * any number of systems costs one statement. Both subqueries also match the system's tenant, so a
 * row of another tenant can never be counted even if a foreign key pointed across tenants.
 */
function withCapacity(query: SystemsQuery, at: Date) {
  return query
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('resource_orders as o')
          .select([
            sql<string | number | null>`sum(o.cpu_cores)`.as('cpu'),
            sql<string | number | null>`sum(o.memory_gib)`.as('memory_gib'),
            sql<string | number | null>`sum(o.storage_gib)`.as('storage_gib'),
          ])
          .whereRef('o.system_id', '=', 'information_systems.id')
          .whereRef('o.tenant_id', '=', 'information_systems.tenant_id')
          .where('o.status', '=', 'active')
          .where('o.valid_from', '<=', at)
          .where('o.valid_to', '>', at)
          .as('ordered'),
      (join) => join.onTrue(),
    )
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('virtual_machines as v')
          .select([
            sql<string | number | null>`sum(v.cpu_cores)`.as('cpu'),
            sql<string | number | null>`sum(v.memory_mib)`.as('memory_mib'),
            sql<string | number | null>`sum(v.root_disk_gib + v.volume_gib)`.as('storage_gib'),
          ])
          .whereRef('v.system_id', '=', 'information_systems.id')
          .whereRef('v.tenant_id', '=', 'information_systems.tenant_id')
          .where('v.deleted_at', 'is', null)
          .where('v.status', '<>', 'deleted')
          .as('used'),
      (join) => join.onTrue(),
    )
    .select([
      'information_systems.id',
      'information_systems.code',
      'information_systems.name',
      'information_systems.status',
      'ordered.cpu as ordered_cpu',
      'ordered.memory_gib as ordered_memory_gib',
      'ordered.storage_gib as ordered_storage_gib',
      'used.cpu as used_cpu',
      'used.memory_mib as used_memory_mib',
      'used.storage_gib as used_storage_gib',
    ]);
}

interface CapacityRow {
  id: string;
  code: string;
  name: string;
  status: string;
  ordered_cpu: string | number | null;
  ordered_memory_gib: string | number | null;
  ordered_storage_gib: string | number | null;
  used_cpu: string | number | null;
  used_memory_mib: string | number | null;
  used_storage_gib: string | number | null;
}

// sum() over integer columns is bigint, which reads back as a number. Over bigint it is numeric,
// which reads back as a string, and it is null when no row matched. All three become numbers.
const amount = (value: string | number | null) => (value === null ? 0 : Number(value));

function toSummary(row: CapacityRow): CapacitySummary {
  const ordered = { cpu: amount(row.ordered_cpu), memoryGiB: amount(row.ordered_memory_gib), storageGiB: amount(row.ordered_storage_gib) };
  const used = { cpu: amount(row.used_cpu), memoryGiB: amount(row.used_memory_mib) / MIB_PER_GIB, storageGiB: amount(row.used_storage_gib) };
  return {
    systemId: row.id,
    systemCode: row.code,
    systemName: row.name,
    systemStatus: row.status,
    ordered,
    used,
    remaining: computeRemainingCapacity(ordered, used),
  };
}

/** Returns one page of a tenant's systems with their capacity at `at`, ordered by system name. */
export async function listCapacitySummaries(db: Db, tenantId: string, page: PageRequest, at = new Date()): Promise<Page<CapacitySummary>> {
  const filtered = tenantScope(db, tenantId).selectFrom('information_systems');
  const rows = await fetchPage(
    filtered,
    (query) => withCapacity(query, at).orderBy('information_systems.name').orderBy('information_systems.id'),
    page,
  );
  return mapPage(rows, toSummary);
}

/** Computes the capacity of one system at `at`; null when it does not exist in the given tenant. */
export async function systemCapacity(db: Db, systemId: string, tenantId: string | null, at = new Date()): Promise<CapacitySummary | null> {
  let query: SystemsQuery = tenantId ? tenantScope(db, tenantId).selectFrom('information_systems') : db.selectFrom('information_systems');
  query = query.where('information_systems.id', '=', systemId);

  const row = await withCapacity(query, at).executeTakeFirst();
  return row ? toSummary(row) : null;
}
