import { sql, type Kysely } from 'kysely';

// The whole domain in one migration: tenants and their people, systems and orders, VMs and their
// history, billing, adjustments, audit and idempotency. Status lists are written out here rather
// than imported, because a migration must keep meaning what it meant when it first ran.

const statements = [
  `create table tenants (
    id uuid primary key default gen_random_uuid(),
    code text not null,
    name text not null,
    status text not null default 'active' check (status in ('active', 'suspended', 'archived')),
    description text not null default '',
    cloud text,
    region text,
    project_id text,
    project_name text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint tenants_code_format check (code ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    constraint tenants_binding_complete check ((project_id is null) = (cloud is null))
  )`,
  `create unique index tenants_code_key on tenants (code)`,
  `create unique index tenants_name_key on tenants (name)`,
  `create unique index tenants_project_key on tenants (cloud, coalesce(region, ''), project_id) where project_id is not null`,
  `create index tenants_status_idx on tenants (status, name)`,

  `create table contacts (
    id uuid primary key default gen_random_uuid(),
    tenant_id uuid not null references tenants (id) on delete cascade,
    type text not null check (type in ('business', 'technical', 'security', 'finance', 'other')),
    name text not null check (length(name) between 1 and 64),
    phone_encrypted text,
    phone_masked text,
    email_encrypted text,
    email_masked text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint contacts_phone_pair check ((phone_encrypted is null) = (phone_masked is null)),
    constraint contacts_email_pair check ((email_encrypted is null) = (email_masked is null))
  )`,
  `create index contacts_tenant_idx on contacts (tenant_id, type, name)`,

  `create table users (
    id uuid primary key default gen_random_uuid(),
    username text not null check (username ~ '^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$'),
    display_name text not null default '',
    password_hash text not null,
    is_platform_operator boolean not null default false,
    status text not null default 'active' check (status in ('active', 'disabled')),
    locale text not null default 'zh-CN' check (locale in ('zh-CN', 'en-US')),
    password_changed_at timestamptz not null default now(),
    last_login_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  `create unique index users_username_key on users (lower(username))`,
  `create index users_created_idx on users (created_at)`,

  `create table tenant_memberships (
    user_id uuid not null references users (id) on delete cascade,
    tenant_id uuid not null references tenants (id) on delete cascade,
    role text not null check (role in ('viewer', 'operator', 'admin')),
    created_at timestamptz not null default now(),
    primary key (user_id, tenant_id)
  )`,
  `create index tenant_memberships_tenant_idx on tenant_memberships (tenant_id, role)`,

  `create table sessions (
    id_hash text primary key,
    user_id uuid not null references users (id) on delete cascade,
    tenant_id uuid references tenants (id) on delete set null,
    csrf_token text not null,
    created_at timestamptz not null default now(),
    last_seen_at timestamptz not null default now(),
    expires_at timestamptz not null,
    client_address text,
    user_agent text,
    check (expires_at > created_at)
  )`,
  `create index sessions_user_idx on sessions (user_id)`,
  `create index sessions_tenant_idx on sessions (tenant_id)`,
  `create index sessions_expires_idx on sessions (expires_at)`,

  `create table api_tokens (
    id uuid primary key default gen_random_uuid(),
    user_id uuid not null references users (id) on delete cascade,
    name text not null check (length(name) between 1 and 64),
    token_hash text not null,
    token_prefix text not null,
    created_at timestamptz not null default now(),
    expires_at timestamptz,
    last_used_at timestamptz,
    revoked_at timestamptz
  )`,
  `create unique index api_tokens_hash_key on api_tokens (token_hash)`,
  `create index api_tokens_user_idx on api_tokens (user_id, created_at)`,

  `create table login_throttle (
    key text primary key,
    failures integer not null check (failures >= 0),
    window_started_at timestamptz not null,
    locked_until timestamptz
  )`,
  `create index login_throttle_window_idx on login_throttle (window_started_at)`,

  `create table information_systems (
    id uuid primary key default gen_random_uuid(),
    tenant_id uuid not null references tenants (id) on delete restrict,
    code text not null check (code ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name text not null check (length(name) between 1 and 128),
    description text not null default '',
    status text not null default 'active' check (status in ('active', 'suspended', 'retired')),
    protection_level smallint check (protection_level between 1 and 5),
    billing_mode text not null default 'prepaid' check (billing_mode in ('prepaid', 'usage')),
    price_plan jsonb not null default '{}'::jsonb,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  `create unique index information_systems_code_key on information_systems (tenant_id, code)`,
  `create unique index information_systems_name_key on information_systems (tenant_id, name)`,
  `create index information_systems_status_idx on information_systems (tenant_id, status, created_at)`,

  `create table resource_orders (
    id uuid primary key default gen_random_uuid(),
    tenant_id uuid not null references tenants (id) on delete restrict,
    system_id uuid not null references information_systems (id) on delete restrict,
    order_no text not null check (length(order_no) between 1 and 64),
    cpu_cores integer not null check (cpu_cores >= 0),
    memory_gib integer not null check (memory_gib >= 0),
    storage_gib integer not null check (storage_gib >= 0),
    valid_from timestamptz not null,
    valid_to timestamptz not null,
    status text not null default 'active' check (status in ('pending', 'active', 'cancelled')),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint resource_orders_positive check (cpu_cores + memory_gib + storage_gib > 0),
    constraint resource_orders_period check (valid_to > valid_from)
  )`,
  `create unique index resource_orders_order_no_key on resource_orders (order_no)`,
  `create index resource_orders_tenant_idx on resource_orders (tenant_id, created_at)`,
  `create index resource_orders_system_idx on resource_orders (system_id, status, valid_from, valid_to)`,

  `create table virtual_machines (
    id uuid primary key default gen_random_uuid(),
    tenant_id uuid not null references tenants (id) on delete restrict,
    system_id uuid not null references information_systems (id) on delete restrict,
    name text not null check (name ~ '^[A-Za-z][A-Za-z0-9-]{0,62}$'),
    description text not null default '',
    cloud text not null,
    region text,
    project_id text not null,
    server_id text,
    flavor_id text,
    flavor_name text,
    image_id text,
    image_name text,
    os_distro text,
    os_version text,
    network_id text,
    network_name text,
    cpu_cores integer not null check (cpu_cores > 0),
    memory_mib integer not null check (memory_mib > 0),
    root_disk_gib integer not null check (root_disk_gib >= 0),
    volume_gib integer not null default 0 check (volume_gib >= 0),
    boot_volume_id text,
    status text not null check (status in ('creating', 'running', 'stopped', 'paused', 'suspended', 'rebooting',
      'resizing', 'migrating', 'shelved', 'maintenance', 'error', 'deleted', 'unknown')),
    nova_status text,
    nova_vm_state text,
    nova_task_state text,
    power_state smallint,
    pending_action text check (pending_action in ('creating', 'starting', 'stopping', 'rebooting', 'deleting')),
    pending_operation_id uuid,
    pending_deadline_at timestamptz,
    fault_message text,
    primary_ip text,
    addresses jsonb not null default '[]'::jsonb,
    floating_ips jsonb not null default '[]'::jsonb,
    created_by uuid references users (id) on delete set null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    launched_at timestamptz,
    nova_updated_at timestamptz,
    last_synced_at timestamptz,
    deleted_at timestamptz,
    constraint virtual_machines_pending_pair check ((pending_action is null) = (pending_operation_id is null)),
    constraint virtual_machines_deleted_status check ((deleted_at is null) or status = 'deleted')
  )`,
  `create unique index virtual_machines_server_key on virtual_machines (cloud, coalesce(region, ''), server_id) where server_id is not null`,
  `create index virtual_machines_tenant_idx on virtual_machines (tenant_id, created_at desc, id)`,
  `create index virtual_machines_system_idx on virtual_machines (system_id, status)`,
  `create index virtual_machines_status_idx on virtual_machines (tenant_id, status)`,
  `create index virtual_machines_name_idx on virtual_machines (tenant_id, name)`,
  `create index virtual_machines_live_idx on virtual_machines (system_id) where deleted_at is null`,
  `create index virtual_machines_pending_idx on virtual_machines (pending_deadline_at) where pending_action is not null`,
  `create index virtual_machines_created_by_idx on virtual_machines (created_by)`,

  `create table vm_status_history (
    id uuid primary key default gen_random_uuid(),
    vm_id uuid not null references virtual_machines (id) on delete cascade,
    tenant_id uuid not null references tenants (id) on delete restrict,
    from_status text,
    to_status text not null,
    nova_status text,
    nova_task_state text,
    source text not null check (source in ('action', 'sync', 'watch')),
    observed_at timestamptz not null default now()
  )`,
  `create index vm_status_history_vm_idx on vm_status_history (vm_id, observed_at)`,
  `create index vm_status_history_tenant_idx on vm_status_history (tenant_id, observed_at)`,

  `create table operation_logs (
    id uuid primary key default gen_random_uuid(),
    tenant_id uuid not null references tenants (id) on delete restrict,
    vm_id uuid references virtual_machines (id) on delete restrict,
    system_id uuid references information_systems (id) on delete restrict,
    kind text not null check (kind in ('create', 'start', 'stop', 'reboot', 'hard_reboot', 'delete', 'resize', 'sync')),
    status text not null check (status in ('pending', 'running', 'succeeded', 'failed', 'timed_out')),
    requested_by uuid references users (id) on delete set null,
    request_id text,
    openstack_request_id text,
    started_at timestamptz not null default now(),
    finished_at timestamptz,
    deadline_at timestamptz,
    error_code text,
    error_message text,
    details jsonb not null default '{}'::jsonb,
    constraint operation_logs_finished check ((finished_at is null) = (status in ('pending', 'running')))
  )`,
  `create index operation_logs_vm_idx on operation_logs (vm_id, started_at desc)`,
  `create index operation_logs_tenant_idx on operation_logs (tenant_id, started_at desc)`,
  `create index operation_logs_system_idx on operation_logs (system_id)`,
  `create index operation_logs_requested_by_idx on operation_logs (requested_by)`,
  `create index operation_logs_open_idx on operation_logs (deadline_at) where status in ('pending', 'running')`,

  `create table billing_records (
    id uuid primary key default gen_random_uuid(),
    tenant_id uuid not null references tenants (id) on delete restrict,
    system_id uuid not null references information_systems (id) on delete restrict,
    bill_date date not null,
    time_zone text not null,
    billing_mode text not null check (billing_mode in ('prepaid', 'usage')),
    ordered_cpu_cores integer not null check (ordered_cpu_cores >= 0),
    ordered_memory_gib integer not null check (ordered_memory_gib >= 0),
    ordered_storage_gib integer not null check (ordered_storage_gib >= 0),
    core_hours numeric(14, 4) not null check (core_hours >= 0),
    memory_gib_hours numeric(14, 4) not null check (memory_gib_hours >= 0),
    storage_gib_hours numeric(14, 4) not null check (storage_gib_hours >= 0),
    amount_fen bigint not null check (amount_fen >= 0),
    currency text not null default 'CNY',
    created_at timestamptz not null default now()
  )`,
  `create unique index billing_records_system_day_key on billing_records (system_id, bill_date)`,
  `create index billing_records_tenant_idx on billing_records (tenant_id, bill_date desc)`,

  `create table resource_adjustments (
    id uuid primary key default gen_random_uuid(),
    tenant_id uuid not null references tenants (id) on delete restrict,
    system_id uuid not null references information_systems (id) on delete restrict,
    vm_id uuid references virtual_machines (id) on delete restrict,
    subject text not null check (subject in ('vm', 'system')),
    dimension text not null check (dimension in ('cpu', 'memory', 'storage')),
    old_value numeric(14, 3) not null,
    new_value numeric(14, 3) not null,
    direction text not null check (direction in ('increase', 'decrease')),
    source text not null check (source in ('portal', 'out_of_band', 'order')),
    operation_id uuid references operation_logs (id) on delete set null,
    detected_at timestamptz not null default now(),
    constraint resource_adjustments_changed check (old_value <> new_value),
    constraint resource_adjustments_direction check ((direction = 'increase') = (new_value > old_value)),
    constraint resource_adjustments_subject check ((subject = 'vm') = (vm_id is not null))
  )`,
  `create index resource_adjustments_tenant_idx on resource_adjustments (tenant_id, detected_at desc)`,
  `create index resource_adjustments_system_idx on resource_adjustments (system_id, detected_at desc)`,
  `create index resource_adjustments_vm_idx on resource_adjustments (vm_id)`,
  `create index resource_adjustments_operation_idx on resource_adjustments (operation_id)`,

  `create table audit_log (
    id uuid primary key default gen_random_uuid(),
    occurred_at timestamptz not null default now(),
    actor_user_id uuid references users (id) on delete set null,
    tenant_id uuid references tenants (id) on delete set null,
    action text not null,
    target_type text not null,
    target_id text,
    request_id text,
    client_address text,
    details jsonb not null default '{}'::jsonb
  )`,
  `create index audit_log_occurred_idx on audit_log (occurred_at desc)`,
  `create index audit_log_actor_idx on audit_log (actor_user_id, occurred_at desc)`,
  `create index audit_log_tenant_idx on audit_log (tenant_id, occurred_at desc)`,
  `create index audit_log_target_idx on audit_log (target_type, target_id)`,

  `create table idempotency_keys (
    user_id uuid not null references users (id) on delete cascade,
    key text not null check (length(key) between 1 and 255),
    method text not null,
    path text not null,
    request_hash text not null,
    state text not null check (state in ('in_progress', 'completed')),
    response_status smallint,
    response_body jsonb,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    primary key (user_id, key)
  )`,
  `create index idempotency_keys_expires_idx on idempotency_keys (expires_at)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const tables = [
    'idempotency_keys', 'audit_log', 'resource_adjustments', 'billing_records', 'operation_logs',
    'vm_status_history', 'virtual_machines', 'resource_orders', 'information_systems', 'login_throttle',
    'api_tokens', 'sessions', 'tenant_memberships', 'users', 'contacts', 'tenants',
  ];
  for (const table of tables) {
    await sql.raw(`drop table if exists ${table}`).execute(db);
  }
}
