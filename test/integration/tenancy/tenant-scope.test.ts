import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TENANT_TABLES, tenantScope, type TenantTable } from '../../../src/db/tenant-scope.ts';
import type { Db } from '../../../src/db/database.ts';
import { createSystem, createTenant } from '../../helpers/fixtures.ts';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../../helpers/test-database.ts';

/** Inserts one row into every tenant-owned table for the tenant; returns the row id per table. */
async function seedTenantRows(db: Db, tenantId: string, code: string): Promise<Record<TenantTable, string>> {
  const system = await createSystem(db, tenantId, `${code}-sys`);
  const contact = await db.insertInto('contacts').values({ tenant_id: tenantId, type: 'business', name: code, phone_encrypted: null, phone_masked: null, email_encrypted: null, email_masked: null }).returning('id').executeTakeFirstOrThrow();
  const order = await db
    .insertInto('resource_orders')
    .values({ tenant_id: tenantId, system_id: system.id, order_no: `${code}-1`, cpu_cores: 4, memory_gib: 8, storage_gib: 100, valid_from: new Date('2026-01-01T00:00:00Z'), valid_to: new Date('2027-01-01T00:00:00Z') })
    .returning('id')
    .executeTakeFirstOrThrow();
  const vm = await db
    .insertInto('virtual_machines')
    .values({ tenant_id: tenantId, system_id: system.id, name: `${code}-vm`, cloud: 'sim', project_id: `${code}-project`, cpu_cores: 2, memory_mib: 4096, root_disk_gib: 40, status: 'running' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const history = await db.insertInto('vm_status_history').values({ vm_id: vm.id, tenant_id: tenantId, to_status: 'running', source: 'sync' }).returning('id').executeTakeFirstOrThrow();
  const operation = await db.insertInto('operation_logs').values({ tenant_id: tenantId, vm_id: vm.id, system_id: system.id, kind: 'start', status: 'pending', details: '{}' }).returning('id').executeTakeFirstOrThrow();
  const bill = await db
    .insertInto('billing_records')
    .values({ tenant_id: tenantId, system_id: system.id, bill_date: '2026-12-01', time_zone: 'Asia/Shanghai', billing_mode: 'prepaid', ordered_cpu_cores: 4, ordered_memory_gib: 8, ordered_storage_gib: 100, core_hours: 0, memory_gib_hours: 0, storage_gib_hours: 0, amount_fen: 0 })
    .returning('id')
    .executeTakeFirstOrThrow();
  const adjustment = await db
    .insertInto('resource_adjustments')
    .values({ tenant_id: tenantId, system_id: system.id, vm_id: vm.id, subject: 'vm', dimension: 'cpu', old_value: 2, new_value: 4, direction: 'increase', source: 'portal' })
    .returning('id')
    .executeTakeFirstOrThrow();

  // The usage interval is opened by a trigger on virtual_machines, not inserted here.
  const interval = await db.selectFrom('vm_usage_intervals').select('id').where('vm_id', '=', vm.id).executeTakeFirstOrThrow();

  return {
    vm_usage_intervals: interval.id,
    contacts: contact.id,
    information_systems: system.id,
    resource_orders: order.id,
    virtual_machines: vm.id,
    vm_status_history: history.id,
    operation_logs: operation.id,
    billing_records: bill.id,
    resource_adjustments: adjustment.id,
  };
}

describe.each(databaseKinds())('tenant scope on %s', (kind) => {
  let handle: TestDatabase;
  let rowsA: Record<TenantTable, string>;
  let rowsB: Record<TenantTable, string>;
  let tenantA: string;

  beforeAll(async () => {
    handle = await openTestDatabase(kind);
    const db = handle.database.db;
    tenantA = (await createTenant(db, 'tenant-a')).id;
    const tenantB = (await createTenant(db, 'tenant-b')).id;
    rowsA = await seedTenantRows(db, tenantA, 'a');
    rowsB = await seedTenantRows(db, tenantB, 'b');
  });

  afterAll(async () => {
    await handle?.dispose();
  });

  it.each(TENANT_TABLES)('lists only the caller’s rows of %s', async (table) => {
    const scope = tenantScope(handle.database.db, tenantA);
    const rows = await scope.selectFrom(table).select(`${table}.id` as never).execute();
    const ids = rows.map((row) => (row as { id: string }).id);

    expect(ids).toContain(rowsA[table]);
    expect(ids).not.toContain(rowsB[table]);
  });

  it.each(TENANT_TABLES)('finds no row of %s by another tenant’s id', async (table) => {
    const scope = tenantScope(handle.database.db, tenantA);
    const found = await scope
      .selectFrom(table)
      .select(`${table}.id` as never)
      .where(`${table}.id` as never, '=', rowsB[table] as never)
      .execute();

    expect(found).toEqual([]);
  });

  it('changes nothing when updating or deleting another tenant’s row', async () => {
    const scope = tenantScope(handle.database.db, tenantA);
    const updated = await scope.updateTable('virtual_machines').set({ description: 'hijacked' }).where('id', '=', rowsB.virtual_machines).executeTakeFirst();
    const deleted = await scope.deleteFrom('contacts').where('id', '=', rowsB.contacts).executeTakeFirst();

    expect(Number(updated.numUpdatedRows)).toBe(0);
    expect(Number(deleted.numDeletedRows)).toBe(0);
    const vm = await handle.database.db.selectFrom('virtual_machines').select('description').where('id', '=', rowsB.virtual_machines).executeTakeFirstOrThrow();
    expect(vm.description).toBe('');
  });

  it('covers every table that has a tenant_id column', async () => {
    const columns = await handle.database.db
      .selectFrom('information_schema.columns' as never)
      .select('table_name' as never)
      .where('table_schema' as never, '=', 'public' as never)
      .where('column_name' as never, '=', 'tenant_id' as never)
      .execute();
    const tables = (columns as Array<{ table_name: string }>).map((row) => row.table_name).filter((name) => !['sessions', 'tenant_memberships', 'audit_log'].includes(name));

    expect(new Set(tables)).toEqual(new Set(TENANT_TABLES));
  });
});
