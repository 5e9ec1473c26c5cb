import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import { localDayBounds } from '../../domain/local-day.ts';

/** Outcome of billing one local day for every system that existed on it. */
export interface BillDayResult {
  day: string;
  timeZone: string;
  /** Records this call inserted. */
  written: number;
  /** Systems that already had a record for the day, written by an earlier or concurrent run. */
  alreadyPresent: number;
}

/**
 * Inserts one billing record per information system for the local day `day` in `timeZone`, with
 * one INSERT ... SELECT. The day's UTC bounds come from `localDayBounds`, so the SQL and
 * src/domain/billing.ts agree on where a day starts and ends.
 *
 * A system is billed for the day when it was created before the day's end. The statement ends in
 * ON CONFLICT (system_id, bill_date) DO NOTHING, so a rerun or a concurrent run for the same day
 * writes nothing twice. The caller must only bill days that have ended, because a record is never
 * rewritten.
 */
export async function billDay(db: Db, day: string, timeZone: string): Promise<BillDayResult> {
  const { start, end } = localDayBounds(day, timeZone);

  const inserted = await sql<{ written: string }>`
    with
      -- Systems that existed during the day and have no record for it yet. Skipping billed systems
      -- here saves the work; the unique key still decides under concurrency.
      systems as (
        select s.id, s.tenant_id, s.billing_mode, s.price_plan
        from information_systems s
        where s.created_at < ${end}
          and not exists (select 1 from billing_records r where r.system_id = s.id and r.bill_date = ${day}::date)
      ),

      -- Each interval clipped to [start, end), as milliseconds. Open intervals run to the day's end.
      clipped as (
        select i.system_id, i.cpu_cores, i.memory_mib, i.storage_gib, i.shelved_offloaded,
               extract(epoch from (least(coalesce(i.ended_at, ${end}), ${end}) - greatest(i.started_at, ${start}))) * 1000 as ms
        from vm_usage_intervals i
        join systems s on s.id = i.system_id
        where i.started_at < ${end}
          and (i.ended_at is null or i.ended_at > ${start})
      ),

      -- Quantity × milliseconds per system. Shelved-offloaded intervals add storage only.
      used as (
        select system_id,
               sum(case when shelved_offloaded then 0 else cpu_cores end * ms) as core_ms,
               sum(case when shelved_offloaded then 0 else memory_mib end * ms) as memory_mib_ms,
               sum(storage_gib * ms) as storage_gib_ms
        from clipped
        group by system_id
      ),

      -- Ordered capacity changes only where an active order starts, so the maximum over the day is
      -- the maximum over the day's start and every order start within the day.
      capacity_points as (
        select distinct o.system_id, greatest(o.valid_from, ${start}) as at
        from resource_orders o
        join systems s on s.id = o.system_id
        where o.status = 'active'
          and o.valid_from < ${end}
          and o.valid_to > ${start}
      ),
      capacity_at_points as (
        select p.system_id,
               sum(o.cpu_cores) as cpu_cores,
               sum(o.memory_gib) as memory_gib,
               sum(o.storage_gib) as storage_gib
        from capacity_points p
        join resource_orders o
          on o.system_id = p.system_id
         and o.status = 'active'
         and o.valid_from <= p.at
         and o.valid_to > p.at
        group by p.system_id, p.at
      ),
      ordered as (
        select system_id,
               max(cpu_cores) as cpu_cores,
               max(memory_gib) as memory_gib,
               max(storage_gib) as storage_gib
        from capacity_at_points
        group by system_id
      ),

      -- Whole quantity-milliseconds, rounded half up as src/domain/billing.ts does. Memory is
      -- converted from MiB to GiB here (1 GiB = 1024 MiB).
      quantities as (
        select s.id as system_id, s.tenant_id, s.billing_mode, s.price_plan,
               coalesce(o.cpu_cores, 0) as ordered_cpu_cores,
               coalesce(o.memory_gib, 0) as ordered_memory_gib,
               coalesce(o.storage_gib, 0) as ordered_storage_gib,
               coalesce(u.core_ms, 0) as core_ms,
               coalesce(u.memory_mib_ms, 0) / 1024 as memory_gib_ms,
               coalesce(u.storage_gib_ms, 0) as storage_gib_ms,
               floor(coalesce(u.core_ms, 0) + 0.5) as core_ms_whole,
               floor(coalesce(u.memory_mib_ms, 0) / 1024 + 0.5) as memory_gib_ms_whole,
               floor(coalesce(u.storage_gib_ms, 0) + 0.5) as storage_gib_ms_whole
        from systems s
        left join used u on u.system_id = s.id
        left join ordered o on o.system_id = s.id
      ),

      -- Prepaid: ordered units × price per unit-day. Usage: each line is quantity-ms × price per
      -- unit-hour / 3,600,000 ms, rounded half up with integer division, and the total is the sum
      -- of the rounded lines. A price missing from the plan counts as 0 fen.
      priced as (
        select q.*,
               case when q.billing_mode = 'prepaid' then
                 q.ordered_cpu_cores * coalesce((q.price_plan ->> 'corePerDayFen')::numeric, 0)
                 + q.ordered_memory_gib * coalesce((q.price_plan ->> 'memoryGiBPerDayFen')::numeric, 0)
                 + q.ordered_storage_gib * coalesce((q.price_plan ->> 'storageGiBPerDayFen')::numeric, 0)
               else
                 div(2 * q.core_ms_whole * coalesce((q.price_plan ->> 'corePerHourFen')::numeric, 0) + 3600000, 7200000)
                 + div(2 * q.memory_gib_ms_whole * coalesce((q.price_plan ->> 'memoryGiBPerHourFen')::numeric, 0) + 3600000, 7200000)
                 + div(2 * q.storage_gib_ms_whole * coalesce((q.price_plan ->> 'storageGiBPerHourFen')::numeric, 0) + 3600000, 7200000)
               end as amount_fen
        from quantities q
      ),

      inserted as (
        insert into billing_records
          (tenant_id, system_id, bill_date, time_zone, billing_mode,
           ordered_cpu_cores, ordered_memory_gib, ordered_storage_gib,
           core_hours, memory_gib_hours, storage_gib_hours, amount_fen)
        select tenant_id, system_id, ${day}::date, ${timeZone}, billing_mode,
               ordered_cpu_cores, ordered_memory_gib, ordered_storage_gib,
               round(core_ms / 3600000, 4), round(memory_gib_ms / 3600000, 4), round(storage_gib_ms / 3600000, 4),
               amount_fen
        from priced
        on conflict (system_id, bill_date) do nothing
        returning 1
      )
    select count(*) as written from inserted
  `.execute(db);

  const written = Number(inserted.rows[0]?.written ?? 0);

  // Counted after the insert, so rows of a concurrent run that won the conflict are included.
  const present = await db
    .selectFrom('billing_records as r')
    .innerJoin('information_systems as s', 's.id', 'r.system_id')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('r.bill_date', '=', day)
    .where('s.created_at', '<', end)
    .executeTakeFirstOrThrow();

  return { day, timeZone, written, alreadyPresent: Number(present.count) - written };
}
