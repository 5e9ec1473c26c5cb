import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../../helpers/test-database.ts';
import { createBilledSystem, deleteVm, insertVm, resizeVm, shelveOffloadVm, unshelveVm } from './billing-fixtures.ts';

describe.each(databaseKinds())('vm_usage_intervals trigger on %s', (kind) => {
  let handle: TestDatabase;

  beforeEach(async () => {
    handle = await openTestDatabase(kind);
  });

  afterEach(async () => {
    await handle.dispose();
  });

  async function intervals(vmId: string) {
    return handle.database.db
      .selectFrom('vm_usage_intervals')
      .select(['started_at', 'ended_at', 'cpu_cores', 'memory_mib', 'storage_gib', 'shelved_offloaded'])
      .where('vm_id', '=', vmId)
      .orderBy('started_at')
      .execute();
  }

  it('follows insert, resize, shelve and delete', async () => {
    const db = handle.database.db;
    const owner = await createBilledSystem(db, { mode: 'usage', createdAt: '2026-11-01T00:00:00Z' });
    const vmId = await insertVm(db, owner, { cpuCores: 2, memoryMib: 4096, rootDiskGib: 40, volumeGib: 100 }, '2026-12-01T01:00:00Z');

    expect(await intervals(vmId)).toEqual([
      { started_at: new Date('2026-12-01T01:00:00Z'), ended_at: null, cpu_cores: 2, memory_mib: 4096, storage_gib: 140, shelved_offloaded: false },
    ]);

    await resizeVm(db, vmId, { cpuCores: 4, memoryMib: 8192, rootDiskGib: 40, volumeGib: 100 }, '2026-12-01T05:00:00Z');
    await shelveOffloadVm(db, vmId, '2026-12-01T09:00:00Z');
    await unshelveVm(db, vmId, '2026-12-01T10:00:00Z');
    await deleteVm(db, vmId, '2026-12-01T12:00:00Z');

    expect(await intervals(vmId)).toEqual([
      { started_at: new Date('2026-12-01T01:00:00Z'), ended_at: new Date('2026-12-01T05:00:00Z'), cpu_cores: 2, memory_mib: 4096, storage_gib: 140, shelved_offloaded: false },
      { started_at: new Date('2026-12-01T05:00:00Z'), ended_at: new Date('2026-12-01T09:00:00Z'), cpu_cores: 4, memory_mib: 8192, storage_gib: 140, shelved_offloaded: false },
      { started_at: new Date('2026-12-01T09:00:00Z'), ended_at: new Date('2026-12-01T10:00:00Z'), cpu_cores: 4, memory_mib: 8192, storage_gib: 140, shelved_offloaded: true },
      { started_at: new Date('2026-12-01T10:00:00Z'), ended_at: new Date('2026-12-01T12:00:00Z'), cpu_cores: 4, memory_mib: 8192, storage_gib: 140, shelved_offloaded: false },
    ]);
  });

  it('ignores power state changes', async () => {
    const db = handle.database.db;
    const owner = await createBilledSystem(db, { mode: 'usage', createdAt: '2026-11-01T00:00:00Z' });
    const vmId = await insertVm(db, owner, { cpuCores: 1, memoryMib: 1024, rootDiskGib: 20 }, '2026-12-01T01:00:00Z');

    await db.updateTable('virtual_machines').set({ status: 'stopped', nova_status: 'SHUTOFF', updated_at: '2026-12-01T02:00:00Z' }).where('id', '=', vmId).execute();

    // A shelved server that Nova has not offloaded yet still holds its host resources.
    await db.updateTable('virtual_machines').set({ status: 'shelved', nova_status: 'SHELVED', updated_at: '2026-12-01T03:00:00Z' }).where('id', '=', vmId).execute();

    const rows = await intervals(vmId);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.ended_at).toBeNull();
  });

  it('opens no interval for a VM inserted as deleted', async () => {
    const db = handle.database.db;
    const owner = await createBilledSystem(db, { mode: 'usage', createdAt: '2026-11-01T00:00:00Z' });
    const row = await db
      .insertInto('virtual_machines')
      .values({
        tenant_id: owner.tenantId,
        system_id: owner.systemId,
        name: 'gone',
        cloud: 'sim',
        project_id: 'p1',
        cpu_cores: 1,
        memory_mib: 1024,
        root_disk_gib: 20,
        status: 'deleted',
        created_at: '2026-12-01T01:00:00Z',
        deleted_at: '2026-12-01T02:00:00Z',
      })
      .returning('id')
      .executeTakeFirstOrThrow();

    expect(await intervals(row.id)).toEqual([]);
  });

  it('replaces the open interval on an earlier event', async () => {
    const db = handle.database.db;
    const owner = await createBilledSystem(db, { mode: 'usage', createdAt: '2026-11-01T00:00:00Z' });
    const vmId = await insertVm(db, owner, { cpuCores: 1, memoryMib: 1024, rootDiskGib: 20 }, '2026-12-01T01:00:00Z');

    // An updated_at before the open interval's start (clock skew) must not create a negative interval.
    await resizeVm(db, vmId, { cpuCores: 2, memoryMib: 2048, rootDiskGib: 20 }, '2026-12-01T00:30:00Z');

    expect(await intervals(vmId)).toEqual([
      { started_at: new Date('2026-12-01T01:00:00Z'), ended_at: null, cpu_cores: 2, memory_mib: 2048, storage_gib: 20, shelved_offloaded: false },
    ]);
  });

  it('uses now() when updated_at is unchanged', async () => {
    const db = handle.database.db;
    const owner = await createBilledSystem(db, { mode: 'usage', createdAt: '2026-11-01T00:00:00Z' });
    const vmId = await insertVm(db, owner, { cpuCores: 1, memoryMib: 1024, rootDiskGib: 20 }, '2026-12-01T01:00:00Z');
    const before = Date.now();

    await db.updateTable('virtual_machines').set({ cpu_cores: 2 }).where('id', '=', vmId).execute();

    const rows = await intervals(vmId);
    expect(rows).toHaveLength(2);
    expect(rows[0]?.ended_at?.getTime()).toBeGreaterThanOrEqual(before - 60_000);
    expect(rows[1]?.started_at).toEqual(rows[0]?.ended_at);
    expect(rows[1]?.cpu_cores).toBe(2);
  });

  it('closes the interval when only status becomes deleted', async () => {
    const db = handle.database.db;
    const owner = await createBilledSystem(db, { mode: 'usage', createdAt: '2026-11-01T00:00:00Z' });
    const vmId = await insertVm(db, owner, { cpuCores: 1, memoryMib: 1024, rootDiskGib: 20 }, '2026-12-01T01:00:00Z');

    await db.updateTable('virtual_machines').set({ status: 'deleted', updated_at: '2026-12-01T04:00:00Z' }).where('id', '=', vmId).execute();

    const rows = await intervals(vmId);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.ended_at).toEqual(new Date('2026-12-01T04:00:00Z'));
  });
});
