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
    const vm = await adjustChanged(trx, VM_SUBJECT);
    const systemFirst = await recordNewSystems(trx);
    const system = await adjustChanged(trx, SYSTEM_SUBJECT);

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

/** Parts that differ between the VM half and the system half of a run, which share one statement. */
interface SizeSubject {
  subject: 'vm' | 'system';
  /** Table of recorded sizes, keyed by `key`. */
  records: 'vm_size_records' | 'system_capacity_records';
  key: 'vm_id' | 'system_id';
  /** Memory column of `records`, and how many of its units make one GiB. */
  memoryColumn: 'memory_mib' | 'memory_gib';
  memoryUnitsPerGiB: number;
  /**
   * Current sizes, one row per subject with the columns key, tenant_id, system_id, vm_id,
   * cpu_cores, memory (in memoryColumn's unit), storage_gib, source and operation_id. It may
   * refer to the record as `r`, which the statement joins on the key.
   */
  current: ReturnType<typeof sql>;
}

const VM_SUBJECT: SizeSubject = {
  subject: 'vm',
  records: 'vm_size_records',
  key: 'vm_id',
  memoryColumn: 'memory_mib',
  memoryUnitsPerGiB: MIB_PER_GIB,
  // A resize that the portal ran has a resize operation that started after the last record.
  // Its adjustments carry that operation and the source portal. Any other change is out of band.
  current: sql`
    select v.id as key, v.tenant_id, v.system_id, v.id as vm_id,
           v.cpu_cores, v.memory_mib as memory, v.root_disk_gib + v.volume_gib as storage_gib,
           o.id as operation_id, case when o.id is null then 'out_of_band' else 'portal' end as source
    from virtual_machines v
    left join lateral (
      select o.id from operation_logs o
      where o.vm_id = v.id and o.kind = 'resize' and o.status = 'succeeded' and o.started_at >= r.recorded_at
      order by o.started_at desc limit 1
    ) o on true
    where v.deleted_at is null and v.status <> 'deleted' and v.id = r.vm_id`,
};

const SYSTEM_SUBJECT: SizeSubject = {
  subject: 'system',
  records: 'system_capacity_records',
  key: 'system_id',
  memoryColumn: 'memory_gib',
  memoryUnitsPerGiB: 1,
  current: sql`
    select c.system_id as key, c.tenant_id, c.system_id, null::uuid as vm_id,
           c.cpu_cores, c.memory_gib as memory, c.storage_gib, null::uuid as operation_id, 'order' as source
    from (${orderedCapacity()}) c
    where c.system_id = r.system_id`,
};

/**
 * Moves the record of each subject whose size differs from it and writes one adjustment per
 * changed dimension, with memory in GiB rounded to three decimals. The UPDATE matches only a
 * record that still has the old values, so a concurrent run that moved it first wins.
 */
async function adjustChanged(db: DbOrTrx, subject: SizeSubject): Promise<AdjustedCount> {
  const records = sql.table(subject.records);
  const key = sql.ref(`r.${subject.key}`);
  const memory = sql.ref(`r.${subject.memoryColumn}`);
  const memoryColumn = sql.ref(subject.memoryColumn);
  const perGiB = sql.lit(subject.memoryUnitsPerGiB);

  const result = await sql<{ subjects: string | number; adjustments: string | number }>`
    with changed as (
      select c.*, ${key} as record_key,
             r.cpu_cores as old_cpu, ${memory} as old_memory, r.storage_gib as old_storage
      from ${records} r
      cross join lateral (${subject.current}) c
      where (r.cpu_cores, ${memory}, r.storage_gib) <> (c.cpu_cores, c.memory, c.storage_gib)
    ),
    moved as (
      update ${records} r
      set cpu_cores = c.cpu_cores, ${memoryColumn} = c.memory, storage_gib = c.storage_gib, recorded_at = now()
      from changed c
      where ${key} = c.record_key and r.cpu_cores = c.old_cpu and ${memory} = c.old_memory and r.storage_gib = c.old_storage
      returning c.*
    ),
    inserted as (
      insert into resource_adjustments (tenant_id, system_id, vm_id, subject, dimension, old_value, new_value, direction, source, operation_id)
      select m.tenant_id, m.system_id, m.vm_id, ${subject.subject}, d.dimension, d.old_value, d.new_value,
             case when d.new_value > d.old_value then 'increase' else 'decrease' end, m.source, m.operation_id
      from moved m
      cross join lateral (values
        ('cpu', m.old_cpu::numeric, m.cpu_cores::numeric),
        ('memory', round(m.old_memory / ${perGiB}::numeric, 3), round(m.memory / ${perGiB}::numeric, 3)),
        ('storage', m.old_storage::numeric, m.storage_gib::numeric)
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
