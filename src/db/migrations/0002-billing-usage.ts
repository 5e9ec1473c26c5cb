import { sql, type Kysely } from 'kysely';

// Usage intervals that daily billing sums, the trigger that keeps them in step with
// virtual_machines, and a record of every background job run.
//
// A VM counts from created_at until deleted_at (or until status becomes 'deleted'), whatever its
// power state, with the size it had at each moment. A VM whose status is 'shelved' and whose Nova
// status is SHELVED_OFFLOADED holds no host CPU or memory, so its interval counts storage only.

const statements = [
  `create table vm_usage_intervals (
    id uuid primary key default gen_random_uuid(),
    tenant_id uuid not null references tenants (id) on delete restrict,
    system_id uuid not null references information_systems (id) on delete restrict,
    vm_id uuid not null references virtual_machines (id) on delete restrict,
    started_at timestamptz not null,
    ended_at timestamptz,
    cpu_cores integer not null check (cpu_cores >= 0),
    memory_mib integer not null check (memory_mib >= 0),
    storage_gib integer not null check (storage_gib >= 0),
    shelved_offloaded boolean not null,
    constraint vm_usage_intervals_period check (ended_at is null or ended_at > started_at)
  )`,
  `create index vm_usage_intervals_tenant_idx on vm_usage_intervals (tenant_id)`,
  `create index vm_usage_intervals_vm_idx on vm_usage_intervals (vm_id, started_at)`,
  `create index vm_usage_intervals_system_idx on vm_usage_intervals (system_id, started_at, ended_at)`,
  // At most one open interval per VM. The trigger relies on it to find the interval to close.
  `create unique index vm_usage_intervals_open_key on vm_usage_intervals (vm_id) where ended_at is null`,

  // The trigger runs under the row lock of the UPDATE that fired it, so two changes to one VM
  // cannot interleave. Event times come from the row: deleted_at for a deletion, else updated_at.
  // A caller that changes a VM without moving updated_at gets the transaction's now() instead.
  `create function vm_usage_intervals_track() returns trigger language plpgsql as $$
  declare
    old_live boolean;
    new_live boolean;
    old_offloaded boolean;
    new_offloaded boolean;
    event_at timestamptz;
    open_started_at timestamptz;
  begin
    new_live := new.status <> 'deleted' and new.deleted_at is null;
    new_offloaded := new.status = 'shelved' and coalesce(new.nova_status, '') = 'SHELVED_OFFLOADED';

    if tg_op = 'INSERT' then
      if new_live then
        insert into vm_usage_intervals
          (tenant_id, system_id, vm_id, started_at, cpu_cores, memory_mib, storage_gib, shelved_offloaded)
        values
          (new.tenant_id, new.system_id, new.id, new.created_at, new.cpu_cores, new.memory_mib,
           new.root_disk_gib + new.volume_gib, new_offloaded);
      end if;
      return null;
    end if;

    old_live := old.status <> 'deleted' and old.deleted_at is null;
    old_offloaded := old.status = 'shelved' and coalesce(old.nova_status, '') = 'SHELVED_OFFLOADED';

    if not old_live and not new_live then
      return null;
    end if;
    if old_live and new_live
       and new.cpu_cores = old.cpu_cores and new.memory_mib = old.memory_mib
       and new.root_disk_gib = old.root_disk_gib and new.volume_gib = old.volume_gib
       and new_offloaded = old_offloaded
       and new.system_id = old.system_id and new.tenant_id = old.tenant_id then
      return null;
    end if;

    if not new_live then
      event_at := coalesce(new.deleted_at, new.updated_at);
    elsif new.updated_at is distinct from old.updated_at then
      event_at := new.updated_at;
    else
      event_at := now();
    end if;

    select started_at into open_started_at from vm_usage_intervals where vm_id = new.id and ended_at is null;

    if open_started_at is not null then
      -- An event at or before the open interval's start (same instant, or clock skew) replaces
      -- that interval instead of closing it, because an interval must not have zero length.
      if event_at <= open_started_at then
        delete from vm_usage_intervals where vm_id = new.id and ended_at is null;
        event_at := open_started_at;
      else
        update vm_usage_intervals set ended_at = event_at where vm_id = new.id and ended_at is null;
      end if;
    end if;

    if new_live then
      insert into vm_usage_intervals
        (tenant_id, system_id, vm_id, started_at, cpu_cores, memory_mib, storage_gib, shelved_offloaded)
      values
        (new.tenant_id, new.system_id, new.id, event_at, new.cpu_cores, new.memory_mib,
         new.root_disk_gib + new.volume_gib, new_offloaded);
    end if;
    return null;
  end;
  $$`,
  `create trigger virtual_machines_usage_insert after insert on virtual_machines
    for each row execute function vm_usage_intervals_track()`,
  `create trigger virtual_machines_usage_update after update on virtual_machines
    for each row execute function vm_usage_intervals_track()`,

  // VMs created before this migration get one interval with their current size, because their
  // earlier sizes were never recorded.
  `insert into vm_usage_intervals
     (tenant_id, system_id, vm_id, started_at, ended_at, cpu_cores, memory_mib, storage_gib, shelved_offloaded)
   select tenant_id, system_id, id, created_at, ended_at, cpu_cores, memory_mib, storage_gib, shelved_offloaded
   from (
     select tenant_id, system_id, id, created_at,
            case when deleted_at is not null or status = 'deleted' then coalesce(deleted_at, updated_at) end as ended_at,
            cpu_cores, memory_mib, root_disk_gib + volume_gib as storage_gib,
            status = 'shelved' and coalesce(nova_status, '') = 'SHELVED_OFFLOADED' as shelved_offloaded
     from virtual_machines
   ) existing
   where ended_at is null or ended_at > created_at`,

  `create table job_runs (
    id uuid primary key default gen_random_uuid(),
    job_name text not null,
    job_id text,
    started_at timestamptz not null,
    finished_at timestamptz not null,
    status text not null check (status in ('succeeded', 'failed')),
    duration_ms integer not null check (duration_ms >= 0),
    counts jsonb not null default '{}'::jsonb,
    error text,
    constraint job_runs_error check ((status = 'failed') = (error is not null))
  )`,
  `create index job_runs_name_started_idx on job_runs (job_name, started_at desc)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const steps = [
    'drop table if exists job_runs',
    'drop trigger if exists virtual_machines_usage_update on virtual_machines',
    'drop trigger if exists virtual_machines_usage_insert on virtual_machines',
    'drop function if exists vm_usage_intervals_track()',
    'drop table if exists vm_usage_intervals',
  ];
  for (const step of steps) {
    await sql.raw(step).execute(db);
  }
}
