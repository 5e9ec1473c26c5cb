import type { Db } from '../../../src/db/database.ts';
import type { PricePlan, UsageInterval } from '../../../src/domain/billing.ts';

export const SHANGHAI = 'Asia/Shanghai';

export const PREPAID_PLAN = { corePerDayFen: 500, memoryGiBPerDayFen: 200, storageGiBPerDayFen: 2 };
// Odd prices make half-fen rounding matter.
export const USAGE_PLAN = { corePerHourFen: 7, memoryGiBPerHourFen: 3, storageGiBPerHourFen: 1 };

/** The stored usage plan in the shape of src/domain/billing.ts. */
export const USAGE_PLAN_DOMAIN: Extract<PricePlan, { mode: 'usage' }> = {
  mode: 'usage',
  coreHourFen: USAGE_PLAN.corePerHourFen,
  memoryGiBHourFen: USAGE_PLAN.memoryGiBPerHourFen,
  storageGiBHourFen: USAGE_PLAN.storageGiBPerHourFen,
};

export const PREPAID_PLAN_DOMAIN: Extract<PricePlan, { mode: 'prepaid' }> = { mode: 'prepaid', ...PREPAID_PLAN };

let sequence = 0;

export async function createBilledSystem(
  db: Db,
  options: { mode: 'prepaid' | 'usage'; createdAt: string; tenantId?: string },
): Promise<{ tenantId: string; systemId: string }> {
  sequence += 1;
  const tenantId =
    options.tenantId ??
    (await db.insertInto('tenants').values({ code: `bill-t${sequence}`, name: `计费租户 ${sequence}` }).returning('id').executeTakeFirstOrThrow()).id;

  const system = await db
    .insertInto('information_systems')
    .values({
      tenant_id: tenantId,
      code: `bill-s${sequence}`,
      name: `计费系统 ${sequence}`,
      billing_mode: options.mode,
      price_plan: JSON.stringify(options.mode === 'prepaid' ? PREPAID_PLAN : USAGE_PLAN),
      created_at: options.createdAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();

  return { tenantId, systemId: system.id };
}

export interface VmSpec {
  cpuCores: number;
  memoryMib: number;
  rootDiskGib: number;
  volumeGib?: number;
}

export async function insertVm(db: Db, owner: { tenantId: string; systemId: string }, spec: VmSpec, createdAt: string): Promise<string> {
  sequence += 1;
  const row = await db
    .insertInto('virtual_machines')
    .values({
      tenant_id: owner.tenantId,
      system_id: owner.systemId,
      name: `vm-${sequence}`,
      cloud: 'sim',
      project_id: 'p1',
      cpu_cores: spec.cpuCores,
      memory_mib: spec.memoryMib,
      root_disk_gib: spec.rootDiskGib,
      volume_gib: spec.volumeGib ?? 0,
      status: 'running',
      nova_status: 'ACTIVE',
      created_at: createdAt,
      updated_at: createdAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function resizeVm(db: Db, vmId: string, spec: VmSpec, at: string): Promise<void> {
  await db
    .updateTable('virtual_machines')
    .set({ cpu_cores: spec.cpuCores, memory_mib: spec.memoryMib, root_disk_gib: spec.rootDiskGib, volume_gib: spec.volumeGib ?? 0, updated_at: at })
    .where('id', '=', vmId)
    .execute();
}

export async function shelveOffloadVm(db: Db, vmId: string, at: string): Promise<void> {
  await db.updateTable('virtual_machines').set({ status: 'shelved', nova_status: 'SHELVED_OFFLOADED', updated_at: at }).where('id', '=', vmId).execute();
}

export async function unshelveVm(db: Db, vmId: string, at: string): Promise<void> {
  await db.updateTable('virtual_machines').set({ status: 'running', nova_status: 'ACTIVE', updated_at: at }).where('id', '=', vmId).execute();
}

export async function deleteVm(db: Db, vmId: string, at: string): Promise<void> {
  await db.updateTable('virtual_machines').set({ status: 'deleted', deleted_at: at, updated_at: at }).where('id', '=', vmId).execute();
}

/** Reads a VM's intervals, oldest first, in the shape src/domain/billing.ts takes. */
export async function usageIntervalsOf(db: Db, vmIds: readonly string[]): Promise<UsageInterval[]> {
  const rows = await db.selectFrom('vm_usage_intervals').selectAll().where('vm_id', 'in', vmIds).orderBy('started_at').execute();

  return rows.map((row) => ({
    start: row.started_at,
    end: row.ended_at,
    vcpus: row.cpu_cores,
    memoryGiB: row.memory_mib / 1024,
    storageGiB: row.storage_gib,
    shelvedOffloaded: row.shelved_offloaded,
  }));
}

export async function billingRecordOf(db: Db, systemId: string, day: string) {
  return db.selectFrom('billing_records').selectAll().where('system_id', '=', systemId).where('bill_date', '=', day).executeTakeFirst();
}
