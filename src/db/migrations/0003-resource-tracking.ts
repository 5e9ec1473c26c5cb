import { sql, type Kysely } from 'kysely';

// State of the resource-changes and orphan-sweep jobs.
//
// resource-changes compares each live VM's size and each system's ordered capacity with the last
// size it recorded here, writes one resource_adjustments row per changed dimension and moves the
// recorded size forward in the same statement. A VM or system seen for the first time gets its
// size recorded and no adjustment, since appearing is not a change.
//
// orphan-sweep records here the servers it found in bound projects that it could not match to a
// live VM, so operators can list them; a row is resolved (linked, deleted, or gone) rather than
// removed, which keeps the history of what the sweep did.

const statements = [
  `create table vm_size_records (
    vm_id uuid primary key references virtual_machines (id) on delete cascade,
    cpu_cores integer not null check (cpu_cores >= 0),
    memory_mib integer not null check (memory_mib >= 0),
    storage_gib integer not null check (storage_gib >= 0),
    recorded_at timestamptz not null default now()
  )`,

  `create table system_capacity_records (
    system_id uuid primary key references information_systems (id) on delete cascade,
    cpu_cores integer not null check (cpu_cores >= 0),
    memory_gib integer not null check (memory_gib >= 0),
    storage_gib integer not null check (storage_gib >= 0),
    recorded_at timestamptz not null default now()
  )`,

  `create table orphan_servers (
    id uuid primary key default gen_random_uuid(),
    cloud text not null,
    region text,
    project_id text not null,
    server_id text not null,
    server_name text,
    nova_status text,
    portal_vm_id text,
    kind text not null check (kind in ('unknown', 'no_record', 'failed_create')),
    first_seen_at timestamptz not null default now(),
    last_seen_at timestamptz not null default now(),
    resolved_at timestamptz,
    resolution text check (resolution in ('linked', 'deleted', 'gone')),
    constraint orphan_servers_resolved check ((resolved_at is null) = (resolution is null))
  )`,
  `create unique index orphan_servers_server_key on orphan_servers (cloud, coalesce(region, ''), server_id)`,
  `create index orphan_servers_open_idx on orphan_servers (last_seen_at desc) where resolved_at is null`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['orphan_servers', 'system_capacity_records', 'vm_size_records']) {
    await sql.raw(`drop table if exists ${table}`).execute(db);
  }
}
