import { sql } from 'kysely';
import { checkCapacity, formatCapacityShortfall, type ResourceAmounts } from '../../domain/capacity.ts';
import { MIB_PER_GIB } from '../../domain/flavor-choice.ts';
import type { Trx } from '../../db/database.ts';
import { fieldError } from '../../errors/field-error.ts';
import { PortalError } from '../../errors/portal-error.ts';

const FIELD_BY_DIMENSION = { cpu: 'cpu', memory: 'memoryGiB', storage: 'diskGiB' } as const;

/**
 * Reads the system's remaining capacity in one statement: active orders valid now, minus every VM
 * of the system that is not deleted. Memory is stored in MiB and counted in GiB, storage is the
 * root disk plus data volumes. Call it inside the transaction that holds the system row lock.
 */
export async function remainingCapacity(trx: Trx, tenantId: string, systemId: string): Promise<ResourceAmounts> {
  const result = await sql<{ cpu: string | number; memory_gib: string | number; storage_gib: string | number }>`
    select
      coalesce((select sum(cpu_cores) from resource_orders o
        where o.tenant_id = ${tenantId} and o.system_id = ${systemId} and o.status = 'active'
          and o.valid_from <= now() and now() < o.valid_to), 0)
      - coalesce((select sum(cpu_cores) from virtual_machines v
        where v.tenant_id = ${tenantId} and v.system_id = ${systemId} and v.deleted_at is null and v.status <> 'deleted'), 0) as cpu,
      coalesce((select sum(memory_gib) from resource_orders o
        where o.tenant_id = ${tenantId} and o.system_id = ${systemId} and o.status = 'active'
          and o.valid_from <= now() and now() < o.valid_to), 0)
      - coalesce((select sum(memory_mib) from virtual_machines v
        where v.tenant_id = ${tenantId} and v.system_id = ${systemId} and v.deleted_at is null and v.status <> 'deleted'), 0) / ${MIB_PER_GIB}::numeric as memory_gib,
      coalesce((select sum(storage_gib) from resource_orders o
        where o.tenant_id = ${tenantId} and o.system_id = ${systemId} and o.status = 'active'
          and o.valid_from <= now() and now() < o.valid_to), 0)
      - coalesce((select sum(root_disk_gib + volume_gib) from virtual_machines v
        where v.tenant_id = ${tenantId} and v.system_id = ${systemId} and v.deleted_at is null and v.status <> 'deleted'), 0) as storage_gib
  `.execute(trx);

  const row = result.rows[0];
  return { cpu: Number(row?.cpu ?? 0), memoryGiB: Number(row?.memory_gib ?? 0), storageGiB: Number(row?.storage_gib ?? 0) };
}

/** Raises CAPACITY_EXCEEDED with the numbers when `request` does not fit in `remaining`. */
export function assertCapacity(remaining: ResourceAmounts, request: ResourceAmounts): void {
  const check = checkCapacity(remaining, request);
  if (check.ok) return;

  const round = (value: number) => Math.round(Math.max(value, 0) * 100) / 100;
  throw new PortalError(
    'CAPACITY_EXCEEDED',
    {
      cpu: request.cpu,
      memoryGiB: round(request.memoryGiB),
      storageGiB: request.storageGiB,
      cpuRemaining: round(remaining.cpu),
      memoryRemaining: round(remaining.memoryGiB),
      storageRemaining: round(remaining.storageGiB),
    },
    {
      fieldErrors: check.exceeded.map((shortfall) =>
        fieldError(FIELD_BY_DIMENSION[shortfall.dimension], 'capacity', formatCapacityShortfall(shortfall, 'zh-CN'), formatCapacityShortfall(shortfall, 'en-US')),
      ),
    },
  );
}
