import type { Db } from '../../../src/db/database.ts';

// Rows the portal's API does not create yet (VMs, adjustments) or that tests need in bulk, written
// straight to the database.

const DAY_MS = 86_400_000;

export async function insertOrder(
  db: Db,
  input: { tenantId: string; systemId: string; orderNo: string; cpu: number; memoryGiB: number; storageGiB: number; status?: 'pending' | 'active' | 'cancelled'; fromDays?: number; toDays?: number },
): Promise<{ id: string }> {
  const now = Date.now();
  return db
    .insertInto('resource_orders')
    .values({
      tenant_id: input.tenantId,
      system_id: input.systemId,
      order_no: input.orderNo,
      cpu_cores: input.cpu,
      memory_gib: input.memoryGiB,
      storage_gib: input.storageGiB,
      valid_from: new Date(now + (input.fromDays ?? -30) * DAY_MS),
      valid_to: new Date(now + (input.toDays ?? 335) * DAY_MS),
      status: input.status ?? 'active',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

export async function insertVm(
  db: Db,
  input: { tenantId: string; systemId: string; name: string; cpu: number; memoryMiB: number; rootDiskGiB: number; volumeGiB?: number; deleted?: boolean },
): Promise<{ id: string }> {
  return db
    .insertInto('virtual_machines')
    .values({
      tenant_id: input.tenantId,
      system_id: input.systemId,
      name: input.name,
      cloud: 'sim',
      project_id: 'project-1',
      cpu_cores: input.cpu,
      memory_mib: input.memoryMiB,
      root_disk_gib: input.rootDiskGiB,
      volume_gib: input.volumeGiB ?? 0,
      status: input.deleted ? 'deleted' : 'running',
      deleted_at: input.deleted ? new Date() : null,
      addresses: '[]',
      floating_ips: '[]',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

export async function insertAdjustment(
  db: Db,
  input: { tenantId: string; systemId: string; vmId: string | null; dimension: 'cpu' | 'memory' | 'storage'; oldValue: number; newValue: number; minutesAgo: number },
): Promise<{ id: string }> {
  return db
    .insertInto('resource_adjustments')
    .values({
      tenant_id: input.tenantId,
      system_id: input.systemId,
      vm_id: input.vmId,
      subject: input.vmId ? 'vm' : 'system',
      dimension: input.dimension,
      old_value: input.oldValue,
      new_value: input.newValue,
      direction: input.newValue > input.oldValue ? 'increase' : 'decrease',
      source: input.vmId ? 'out_of_band' : 'order',
      detected_at: new Date(Date.now() - input.minutesAgo * 60_000),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

export async function insertBillingRecord(db: Db, input: { tenantId: string; systemId: string; billDate: string }): Promise<{ id: string }> {
  return db
    .insertInto('billing_records')
    .values({
      tenant_id: input.tenantId,
      system_id: input.systemId,
      bill_date: input.billDate,
      time_zone: 'Asia/Shanghai',
      billing_mode: 'prepaid',
      ordered_cpu_cores: 4,
      ordered_memory_gib: 8,
      ordered_storage_gib: 100,
      core_hours: 24,
      memory_gib_hours: 48,
      storage_gib_hours: 480,
      amount_fen: 2200,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}
