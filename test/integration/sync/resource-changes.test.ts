import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/db/database.ts';
import { detectResourceChanges } from '../../../src/services/resources/resource-changes.ts';
import { createBilledSystem, insertVm } from '../billing/billing-fixtures.ts';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../../helpers/test-database.ts';

interface AdjustmentRow {
  subject: string;
  dimension: string;
  old_value: number;
  new_value: number;
  direction: string;
  source: string;
  vm_id: string | null;
  operation_id: string | null;
}

describe.each(databaseKinds())('resource-changes on %s', (kind) => {
  let handle: TestDatabase;
  let db: Db;
  let owner: { tenantId: string; systemId: string };

  beforeEach(async () => {
    handle = await openTestDatabase(kind);
    db = handle.database.db;
    owner = await createBilledSystem(db, { mode: 'prepaid', createdAt: '2026-12-01T00:00:00Z' });
  });

  afterEach(async () => {
    await handle?.dispose();
  });

  const run = () => detectResourceChanges(handle.database);
  const adjustments = async (): Promise<AdjustmentRow[]> => {
    const rows = await db.selectFrom('resource_adjustments').select(['subject', 'dimension', 'old_value', 'new_value', 'direction', 'source', 'vm_id', 'operation_id']).orderBy('subject').orderBy('dimension').execute();
    return rows.map((row) => ({ ...row, old_value: Number(row.old_value), new_value: Number(row.new_value) }));
  };
  const resize = (vmId: string, size: { cpu_cores?: number; memory_mib?: number; root_disk_gib?: number; volume_gib?: number }) =>
    db.updateTable('virtual_machines').set(size).where('id', '=', vmId).execute();
  const addOrder = async (orderNo: string, cpu: number, memoryGiB: number, storageGiB: number) =>
    (
      await db
        .insertInto('resource_orders')
        .values({ tenant_id: owner.tenantId, system_id: owner.systemId, order_no: orderNo, cpu_cores: cpu, memory_gib: memoryGiB, storage_gib: storageGiB, valid_from: '2026-01-01T00:00:00Z', valid_to: '2099-01-01T00:00:00Z' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;

  it('records first sizes without adjustments', async () => {
    await insertVm(db, owner, { cpuCores: 2, memoryMib: 4096, rootDiskGib: 40 }, '2026-12-01T01:00:00Z');

    const first = await run();
    expect(first.firstRecorded).toBe(2);
    expect(first.adjustmentsWritten).toBe(0);
    expect(await adjustments()).toEqual([]);
  });

  it('writes nothing when nothing changed', async () => {
    await insertVm(db, owner, { cpuCores: 2, memoryMib: 4096, rootDiskGib: 40 }, '2026-12-01T01:00:00Z');
    await run();
    const statementsBefore = handle.database.stats.queries;

    const again = await run();
    // Four statements in one transaction, whatever the number of VMs and systems.
    expect(handle.database.stats.queries - statementsBefore).toBeLessThanOrEqual(6);
    expect(again).toEqual({ firstRecorded: 0, vmsChanged: 0, systemsChanged: 0, adjustmentsWritten: 0 });
    expect(await adjustments()).toEqual([]);
  });

  it('writes one row per changed dimension of a VM', async () => {
    const vmId = await insertVm(db, owner, { cpuCores: 1, memoryMib: 1024, rootDiskGib: 20 }, '2026-12-01T01:00:00Z');
    await run();

    await resize(vmId, { cpu_cores: 2, memory_mib: 4096, root_disk_gib: 40 });
    const counts = await run();
    expect(counts.vmsChanged).toBe(1);
    expect(counts.adjustmentsWritten).toBe(3);
    expect(await adjustments()).toEqual([
      { subject: 'vm', dimension: 'cpu', old_value: 1, new_value: 2, direction: 'increase', source: 'out_of_band', vm_id: vmId, operation_id: null },
      { subject: 'vm', dimension: 'memory', old_value: 1, new_value: 4, direction: 'increase', source: 'out_of_band', vm_id: vmId, operation_id: null },
      { subject: 'vm', dimension: 'storage', old_value: 20, new_value: 40, direction: 'increase', source: 'out_of_band', vm_id: vmId, operation_id: null },
    ]);

    expect((await run()).adjustmentsWritten).toBe(0);
  });

  it('writes only the dimension that changed', async () => {
    const vmId = await insertVm(db, owner, { cpuCores: 4, memoryMib: 8192, rootDiskGib: 60 }, '2026-12-01T01:00:00Z');
    await run();

    await resize(vmId, { memory_mib: 1536 });
    await run();
    expect(await adjustments()).toEqual([
      { subject: 'vm', dimension: 'memory', old_value: 8, new_value: 1.5, direction: 'decrease', source: 'out_of_band', vm_id: vmId, operation_id: null },
    ]);
  });

  it('counts volumes in storage', async () => {
    const vmId = await insertVm(db, owner, { cpuCores: 1, memoryMib: 1024, rootDiskGib: 20 }, '2026-12-01T01:00:00Z');
    await run();

    await resize(vmId, { volume_gib: 100 });
    await run();
    const rows = await adjustments();
    expect(rows.map((row) => [row.dimension, row.old_value, row.new_value])).toEqual([['storage', 20, 120]]);
  });

  it('names a portal resize operation', async () => {
    const vmId = await insertVm(db, owner, { cpuCores: 1, memoryMib: 1024, rootDiskGib: 20 }, '2026-12-01T01:00:00Z');
    await run();
    const operation = await db
      .insertInto('operation_logs')
      .values({ tenant_id: owner.tenantId, vm_id: vmId, system_id: owner.systemId, kind: 'resize', status: 'succeeded', finished_at: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();

    await resize(vmId, { cpu_cores: 2 });
    await run();
    const [row] = await adjustments();
    expect(row?.source).toBe('portal');
    expect(row?.operation_id).toBe(operation.id);
  });

  it('ignores deleted VMs', async () => {
    const vmId = await insertVm(db, owner, { cpuCores: 1, memoryMib: 1024, rootDiskGib: 20 }, '2026-12-01T01:00:00Z');
    await run();

    await db.updateTable('virtual_machines').set({ status: 'deleted', deleted_at: new Date() }).where('id', '=', vmId).execute();
    expect((await run()).adjustmentsWritten).toBe(0);
  });

  it('writes system rows when orders change', async () => {
    await run();
    const orderId = await addOrder('RC-1', 8, 16, 500);

    const grown = await run();
    expect(grown.systemsChanged).toBe(1);
    expect((await adjustments()).map((row) => [row.subject, row.dimension, row.old_value, row.new_value, row.direction, row.source])).toEqual([
      ['system', 'cpu', 0, 8, 'increase', 'order'],
      ['system', 'memory', 0, 16, 'increase', 'order'],
      ['system', 'storage', 0, 500, 'increase', 'order'],
    ]);

    await db.updateTable('resource_orders').set({ status: 'cancelled' }).where('id', '=', orderId).execute();
    await run();
    const decreases = (await adjustments()).filter((row) => row.direction === 'decrease');
    expect(decreases.map((row) => [row.dimension, row.old_value, row.new_value])).toEqual([
      ['cpu', 8, 0],
      ['memory', 16, 0],
      ['storage', 500, 0],
    ]);
  });

  it('writes each change once under concurrent runs', async () => {
    const vmIds = await Promise.all([1, 2, 3].map((n) => insertVm(db, owner, { cpuCores: n, memoryMib: 1024, rootDiskGib: 20 }, '2026-12-01T01:00:00Z')));
    await run();
    for (const vmId of vmIds) await resize(vmId, { cpu_cores: 8 });

    const results = await Promise.all([run(), run(), run()]);
    expect(results.reduce((sum, counts) => sum + counts.adjustmentsWritten, 0)).toBe(3);
    expect(await adjustments()).toHaveLength(3);
  });
});
