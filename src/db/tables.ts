import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

// Row types of the tables that migrations create. Timestamps read back as Date on both the
// embedded database and PostgreSQL, and `date` columns as 'YYYY-MM-DD' strings (see
// type-parsers.ts). Numeric columns read back as strings, so callers decide how to round.

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type RequiredTimestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string | undefined, string>;
type Numeric = ColumnType<string, string | number, string | number>;

export interface TenantsTable {
  id: Generated<string>;
  code: string;
  name: string;
  status: Generated<'active' | 'suspended' | 'archived'>;
  description: Generated<string>;
  cloud: string | null;
  region: string | null;
  project_id: string | null;
  project_name: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ContactsTable {
  id: Generated<string>;
  tenant_id: string;
  type: 'business' | 'technical' | 'security' | 'finance' | 'other';
  name: string;
  phone_encrypted: string | null;
  phone_masked: string | null;
  email_encrypted: string | null;
  email_masked: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface UsersTable {
  id: Generated<string>;
  username: string;
  display_name: Generated<string>;
  password_hash: string;
  is_platform_operator: Generated<boolean>;
  status: Generated<'active' | 'disabled'>;
  locale: Generated<'zh-CN' | 'en-US'>;
  password_changed_at: Timestamp;
  last_login_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type TenantRole = 'viewer' | 'operator' | 'admin';

export interface TenantMembershipsTable {
  user_id: string;
  tenant_id: string;
  role: TenantRole;
  created_at: Timestamp;
}

export interface SessionsTable {
  id_hash: string;
  user_id: string;
  tenant_id: string | null;
  csrf_token: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: RequiredTimestamp;
  client_address: string | null;
  user_agent: string | null;
}

export interface ApiTokensTable {
  id: Generated<string>;
  user_id: string;
  name: string;
  token_hash: string;
  token_prefix: string;
  created_at: Timestamp;
  expires_at: NullableTimestamp;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  window_started_at: RequiredTimestamp;
  locked_until: NullableTimestamp;
}

export interface InformationSystemsTable {
  id: Generated<string>;
  tenant_id: string;
  code: string;
  name: string;
  description: Generated<string>;
  status: Generated<'active' | 'suspended' | 'retired'>;
  protection_level: number | null;
  billing_mode: Generated<'prepaid' | 'usage'>;
  price_plan: Json<Record<string, number>>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ResourceOrdersTable {
  id: Generated<string>;
  tenant_id: string;
  system_id: string;
  order_no: string;
  cpu_cores: number;
  memory_gib: number;
  storage_gib: number;
  valid_from: RequiredTimestamp;
  valid_to: RequiredTimestamp;
  status: Generated<'pending' | 'active' | 'cancelled'>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface VirtualMachinesTable {
  id: Generated<string>;
  tenant_id: string;
  system_id: string;
  name: string;
  description: Generated<string>;
  cloud: string;
  region: string | null;
  project_id: string;
  server_id: string | null;
  flavor_id: string | null;
  flavor_name: string | null;
  image_id: string | null;
  image_name: string | null;
  os_distro: string | null;
  os_version: string | null;
  network_id: string | null;
  network_name: string | null;
  cpu_cores: number;
  memory_mib: number;
  root_disk_gib: number;
  volume_gib: Generated<number>;
  boot_volume_id: string | null;
  status: string;
  nova_status: string | null;
  nova_vm_state: string | null;
  nova_task_state: string | null;
  power_state: number | null;
  pending_action: 'creating' | 'starting' | 'stopping' | 'rebooting' | 'deleting' | null;
  pending_operation_id: string | null;
  pending_deadline_at: NullableTimestamp;
  fault_message: string | null;
  primary_ip: string | null;
  addresses: Json<unknown[]>;
  floating_ips: Json<unknown[]>;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  launched_at: NullableTimestamp;
  nova_updated_at: NullableTimestamp;
  last_synced_at: NullableTimestamp;
  deleted_at: NullableTimestamp;
}

export interface VmStatusHistoryTable {
  id: Generated<string>;
  vm_id: string;
  tenant_id: string;
  from_status: string | null;
  to_status: string;
  nova_status: string | null;
  nova_task_state: string | null;
  source: 'action' | 'sync' | 'watch';
  observed_at: Timestamp;
}

export interface OperationLogsTable {
  id: Generated<string>;
  tenant_id: string;
  vm_id: string | null;
  system_id: string | null;
  kind: 'create' | 'start' | 'stop' | 'reboot' | 'hard_reboot' | 'delete' | 'resize' | 'sync';
  status: 'pending' | 'running' | 'succeeded' | 'failed' | 'timed_out';
  requested_by: string | null;
  request_id: string | null;
  openstack_request_id: string | null;
  started_at: Timestamp;
  finished_at: NullableTimestamp;
  deadline_at: NullableTimestamp;
  error_code: string | null;
  error_message: string | null;
  details: Json<Record<string, unknown>>;
}

export interface BillingRecordsTable {
  id: Generated<string>;
  tenant_id: string;
  system_id: string;
  bill_date: string;
  time_zone: string;
  billing_mode: 'prepaid' | 'usage';
  ordered_cpu_cores: number;
  ordered_memory_gib: number;
  ordered_storage_gib: number;
  core_hours: Numeric;
  memory_gib_hours: Numeric;
  storage_gib_hours: Numeric;
  amount_fen: ColumnType<number, number | string, number | string>;
  currency: Generated<string>;
  created_at: Timestamp;
}

export interface ResourceAdjustmentsTable {
  id: Generated<string>;
  tenant_id: string;
  system_id: string;
  vm_id: string | null;
  subject: 'vm' | 'system';
  dimension: 'cpu' | 'memory' | 'storage';
  old_value: Numeric;
  new_value: Numeric;
  direction: 'increase' | 'decrease';
  source: 'portal' | 'out_of_band' | 'order';
  operation_id: string | null;
  detected_at: Timestamp;
}

export interface AuditLogTable {
  id: Generated<string>;
  occurred_at: Timestamp;
  actor_user_id: string | null;
  tenant_id: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  request_id: string | null;
  client_address: string | null;
  details: Json<Record<string, unknown>>;
}

export interface IdempotencyKeysTable {
  user_id: string;
  key: string;
  method: string;
  path: string;
  request_hash: string;
  state: 'in_progress' | 'completed';
  response_status: number | null;
  response_body: Json<unknown>;
  created_at: Timestamp;
  expires_at: RequiredTimestamp;
}

export interface VmUsageIntervalsTable {
  id: Generated<string>;
  tenant_id: string;
  system_id: string;
  vm_id: string;
  started_at: RequiredTimestamp;
  /** Null while the interval is open. */
  ended_at: NullableTimestamp;
  cpu_cores: number;
  memory_mib: number;
  /** Root disk plus attached volumes, in GiB. */
  storage_gib: number;
  shelved_offloaded: boolean;
}

export interface JobRunsTable {
  id: Generated<string>;
  job_name: string;
  /** pg-boss job id, or null for a run started outside the queue. */
  job_id: string | null;
  started_at: RequiredTimestamp;
  finished_at: RequiredTimestamp;
  status: 'succeeded' | 'failed';
  duration_ms: number;
  counts: Json<Record<string, number>>;
  error: string | null;
}

export interface VmSizeRecordsTable {
  vm_id: string;
  cpu_cores: number;
  memory_mib: number;
  /** Root disk plus attached volumes, in GiB. */
  storage_gib: number;
  recorded_at: Timestamp;
}

export interface SystemCapacityRecordsTable {
  system_id: string;
  cpu_cores: number;
  memory_gib: number;
  storage_gib: number;
  recorded_at: Timestamp;
}

export interface OrphanServersTable {
  id: Generated<string>;
  cloud: string;
  region: string | null;
  project_id: string;
  server_id: string;
  server_name: string | null;
  nova_status: string | null;
  /** The server's `portal_vm_id` metadata as Nova returned it, or null without one. */
  portal_vm_id: string | null;
  kind: 'unknown' | 'no_record' | 'failed_create';
  first_seen_at: Timestamp;
  last_seen_at: Timestamp;
  resolved_at: NullableTimestamp;
  resolution: 'linked' | 'deleted' | 'gone' | null;
}

export interface DatabaseSchema {
  tenants: TenantsTable;
  contacts: ContactsTable;
  users: UsersTable;
  tenant_memberships: TenantMembershipsTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  login_throttle: LoginThrottleTable;
  information_systems: InformationSystemsTable;
  resource_orders: ResourceOrdersTable;
  virtual_machines: VirtualMachinesTable;
  vm_status_history: VmStatusHistoryTable;
  operation_logs: OperationLogsTable;
  billing_records: BillingRecordsTable;
  resource_adjustments: ResourceAdjustmentsTable;
  audit_log: AuditLogTable;
  idempotency_keys: IdempotencyKeysTable;
  vm_usage_intervals: VmUsageIntervalsTable;
  job_runs: JobRunsTable;
  vm_size_records: VmSizeRecordsTable;
  system_capacity_records: SystemCapacityRecordsTable;
  orphan_servers: OrphanServersTable;
}

export type Tenant = Selectable<TenantsTable>;
export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type Contact = Selectable<ContactsTable>;
export type Session = Selectable<SessionsTable>;
export type ApiToken = Selectable<ApiTokensTable>;
