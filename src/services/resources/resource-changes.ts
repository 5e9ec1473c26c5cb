import { sql } from 'kysely';
import type { Database, DbOrTrx } from '../../db/database.ts';
import { MIB_PER_GIB } from '../../domain/flavor-choice.ts';

export interface ResourceChangeCounts {
  /** VMs and systems whose size was recorded for the first time (no adjustment). */
  firstRecorded: number;
  /** VMs whose cpu, memory or storage changed since the last run. */
  vmsChanged: number;
  /** Systems whose ordered capacity changed since the last run. */
  systemsChanged: number;
  /** resource_adjustments rows written, one per changed dimension. */
  adjustmentsWritten: number;
}

/**
 * Compares every live VM's size and every system's ordered capacity with the size recorded by
 * the last run, writes one resource_adjustments row per changed dimension, and records the new
 * size. Each half is one statement that moves the record only where it still contains the value this
 * run read, so two runs at once write each change once. A run that finds no change writes nothing.
 */
export async function detectResourceChanges(database: Database): Promise<ResourceChangeCounts> {
  return database.transaction(async (trx) => {
    const vmFirst = await recordNewVms(trx);
    const vm = await adjustChangedVms(trx);
    const systemFirst = await recordNewSystems(trx);
    const system = await adjustChangedSystems(trx);

    return {
      firstRecorded: vmFirst + systemFirst,
      vmsChanged: vm.subjects,
      systemsChanged: system.subjects,
      adjustmentsWritten: vm.adjustments + system.adjustments,
    };
  });
}

/** Records the size of live VMs seen for the first time; a new VM is not a change. */
async function recordNewVms(db: DbOrTrx): Promise<number> {
  const result = await sql`
    insert into vm_size_records (vm_id, cpu_cores, memory_mib, storage_gib)
    select v.id, v.cpu_cores, v.memory_mib, v.root_disk_gib + v.volume_gib
    from virtual_machines v
    where v.deleted_at is null and v.status <> 'deleted'
      and not exists (select 1 from vm_size_records r where r.vm_id = v.id)
    on conflict (vm_id) do nothing
    returning 1`.execute(db);
  return result.rows.length;
}

/** Records the ordered capacity of systems seen for the first time. */
async function recordNewSystems(db: DbOrTrx): Promise<number> {
  const result = await sql`
    insert into system_capacity_records (system_id, cpu_cores, memory_gib, storage_gib)
    select c.system_id, c.cpu_cores, c.memory_gib, c.storage_gib
    from (${orderedCapacity()}) c
    where not exists (select 1 from system_capacity_records r where r.system_id = c.system_id)
    on conflict (system_id) do nothing
    returning 1`.execute(db);
  return result.rows.length;
}

/** Ordered capacity of every system now: the sum of its active orders valid at this moment. */
function orderedCapacity() {
  return sql`
    select s.id as system_id, s.tenant_id,
           coalesce(sum(o.cpu_cores), 0)::integer as cpu_cores,
           coalesce(sum(o.memory_gib), 0)::integer as memory_gib,
           coalesce(sum(o.storage_gib), 0)::integer as storage_gib
    from information_systems s
    left join resource_orders o
      on o.system_id = s.id and o.status = 'active' and o.valid_from <= now() and now() < o.valid_to
    group by s.id, s.tenant_id`;
}

interface AdjustedCount {
  subjects: number;
  adjustments: number;
}

/**
 * Moves the size record of each VM whose size differs and writes one adjustment per changed
 * dimension (memory in GiB, three decimals). A resize the portal ran has an operation of kind
 * resize started after the last record; its adjustments carry its id and the source `portal`, and every other
 * change is `out_of_band`.
 */
async function adjustChangedVms(db: DbOrTrx): Promise<AdjustedCount> {
  const result = await sql<{ subjects: string | number; adjustments: string | number }>`
    with changed as (
      select v.id as vm_id, v.tenant_id, v.system_id,
             r.cpu_cores as old_cpu, r.memory_mib as old_memory, r.storage_gib as old_storage,
             v.cpu_cores as new_cpu, v.memory_mib as new_memory, v.root_disk_gib + v.volume_gib as new_storage,
             (select o.id from operation_logs o
               where o.vm_id = v.id and o.kind = 'resize' and o.status = 'succeeded' and o.started_at >= r.recorded_at
               order by o.started_at desc limit 1) as operation_id
      from virtual_machines v
      join vm_size_records r on r.vm_id = v.id
      where v.deleted_at is null and v.status <> 'deleted'
        and (r.cpu_cores, r.memory_mib, r.storage_gib) <> (v.cpu_cores, v.memory_mib, v.root_disk_gib + v.volume_gib)
    ),
    moved as (
      update vm_size_records r
      set cpu_cores = c.new_cpu, memory_mib = c.new_memory, storage_gib = c.new_storage, recorded_at = now()
      from changed c
      where r.vm_id = c.vm_id and r.cpu_cores = c.old_cpu and r.memory_mib = c.old_memory and r.storage_gib = c.old_storage
      returning c.*
    ),
    inserted as (
      insert into resource_adjustments (tenant_id, system_id, vm_id, subject, dimension, old_value, new_value, direction, source, operation_id)
      select m.tenant_id, m.system_id, m.vm_id, 'vm', d.dimension, d.old_value, d.new_value,
             case when d.new_value > d.old_value then 'increase' else 'decrease' end,
             case when m.operation_id is null then 'out_of_band' else 'portal' end,
             m.operation_id
      from moved m
      cross join lateral (values
        ('cpu', m.old_cpu::numeric, m.new_cpu::numeric),
        ('memory', round(m.old_memory / ${MIB_PER_GIB}::numeric, 3), round(m.new_memory / ${MIB_PER_GIB}::numeric, 3)),
        ('storage', m.old_storage::numeric, m.new_storage::numeric)
      ) as d (dimension, old_value, new_value)
      where d.old_value <> d.new_value
      returning 1
    )
    select (select count(*) from moved) as subjects, (select count(*) from inserted) as adjustments`.execute(db);

  return countsOf(result.rows[0]);
}

/** Moves the capacity record of each system whose ordered capacity differs, one adjustment per dimension. */
async function adjustChangedSystems(db: DbOrTrx): Promise<AdjustedCount> {
  const result = await sql<{ subjects: string | number; adjustments: string | number }>`
    with changed as (
      select c.system_id, c.tenant_id,
             r.cpu_cores as old_cpu, r.memory_gib as old_memory, r.storage_gib as old_storage,
             c.cpu_cores as new_cpu, c.memory_gib as new_memory, c.storage_gib as new_storage
      from (${orderedCapacity()}) c
      join system_capacity_records r on r.system_id = c.system_id
      where (r.cpu_cores, r.memory_gib, r.storage_gib) <> (c.cpu_cores, c.memory_gib, c.storage_gib)
    ),
    moved as (
      update system_capacity_records r
      set cpu_cores = c.new_cpu, memory_gib = c.new_memory, storage_gib = c.new_storage, recorded_at = now()
      from changed c
      where r.system_id = c.system_id and r.cpu_cores = c.old_cpu and r.memory_gib = c.old_memory and r.storage_gib = c.old_storage
      returning c.*
    ),
    inserted as (
      insert into resource_adjustments (tenant_id, system_id, vm_id, subject, dimension, old_value, new_value, direction, source)
      select m.tenant_id, m.system_id, null, 'system', d.dimension, d.old_value, d.new_value,
             case when d.new_value > d.old_value then 'increase' else 'decrease' end, 'order'
      from moved m
      cross join lateral (values
        ('cpu', m.old_cpu::numeric, m.new_cpu::numeric),
        ('memory', m.old_memory::numeric, m.new_memory::numeric),
        ('storage', m.old_storage::numeric, m.new_storage::numeric)
      ) as d (dimension, old_value, new_value)
      where d.old_value <> d.new_value
      returning 1
    )
    select (select count(*) from moved) as subjects, (select count(*) from inserted) as adjustments`.execute(db);

  return countsOf(result.rows[0]);
}

function countsOf(row: { subjects: string | number; adjustments: string | number } | undefined): AdjustedCount {
  return { subjects: Number(row?.subjects ?? 0), adjustments: Number(row?.adjustments ?? 0) };
}
