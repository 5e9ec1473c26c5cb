import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chargePrepaidDay, chargeUsageDay, computeDayUsage } from '../../../src/domain/billing.ts';
import { addDays, localDayBounds, previousLocalDay } from '../../../src/domain/local-day.ts';
import type { Db } from '../../../src/db/database.ts';
import { billDay } from '../../../src/services/billing/bill-day.ts';
import { billPendingDays, CATCH_UP_DAYS } from '../../../src/services/billing/bill-pending-days.ts';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../../helpers/test-database.ts';
import {
  billingRecordOf,
  createBilledSystem,
  deleteVm,
  insertVm,
  PREPAID_PLAN_DOMAIN,
  resizeVm,
  SHANGHAI,
  shelveOffloadVm,
  usageIntervalsOf,
  USAGE_PLAN_DOMAIN,
} from './billing-fixtures.ts';

// Local day 2026-12-02 in Shanghai runs from 2026-12-01T16:00Z to 2026-12-02T16:00Z.
const DAY = '2026-12-02';

// Half of the last stored decimal, plus room for floating-point error in the oracle.
const HOURS_TOLERANCE = 0.00005 + 1e-9;

let orderSequence = 0;

async function insertOrder(
  db: Db,
  owner: { tenantId: string; systemId: string },
  order: { cpu: number; memoryGiB: number; storageGiB: number; from: string; to: string; status?: 'pending' | 'active' | 'cancelled' },
): Promise<void> {
  orderSequence += 1;
  await db
    .insertInto('resource_orders')
    .values({
      tenant_id: owner.tenantId,
      system_id: owner.systemId,
      order_no: `BILL-${orderSequence}`,
      cpu_cores: order.cpu,
      memory_gib: order.memoryGiB,
      storage_gib: order.storageGiB,
      valid_from: order.from,
      valid_to: order.to,
      status: order.status ?? 'active',
    })
    .execute();
}

describe.each(databaseKinds())('daily billing on %s', (kind) => {
  let handle: TestDatabase;
  let db: Db;

  beforeEach(async () => {
    handle = await openTestDatabase(kind);
    db = handle.database.db;
  });

  afterEach(async () => {
    await handle.dispose();
  });

  it('splits a VM at local midnight in Shanghai', async () => {
    const owner = await createBilledSystem(db, { mode: 'usage', createdAt: '2026-12-03T00:00:00Z' });
    // 23:30 local time on 2026-12-03.
    await insertVm(db, owner, { cpuCores: 2, memoryMib: 4096, rootDiskGib: 40 }, '2026-12-03T15:30:00Z');

    // 00:10 local time on 2026-12-05 settles 2026-12-04, and catches up 2026-12-03.
    const runAt = new Date('2026-12-04T16:10:00Z');
    expect(previousLocalDay(runAt, SHANGHAI)).toBe('2026-12-04');
    const result = await billPendingDays(db, runAt, SHANGHAI);

    expect(result.lastDay).toBe('2026-12-04');
    expect(result.days.map((day) => day.day)).toEqual(['2026-12-03', '2026-12-04']);
    expect(result.written).toBe(2);

    const first = await billingRecordOf(db, owner.systemId, '2026-12-03');
    expect(Number(first?.core_hours)).toBe(1);
    expect(Number(first?.memory_gib_hours)).toBe(2);
    expect(Number(first?.storage_gib_hours)).toBe(20);
    expect(first?.time_zone).toBe(SHANGHAI);

    const second = await billingRecordOf(db, owner.systemId, '2026-12-04');
    expect(Number(second?.core_hours)).toBe(48);
    expect(Number(second?.memory_gib_hours)).toBe(96);
    expect(Number(second?.storage_gib_hours)).toBe(960);
  });

  it('matches the domain oracle on a usage plan', async () => {
    const owner = await createBilledSystem(db, { mode: 'usage', createdAt: '2026-11-01T00:00:00Z' });

    // Running all day, resized mid-day at an instant with milliseconds.
    const resized = await insertVm(db, owner, { cpuCores: 2, memoryMib: 4096, rootDiskGib: 40, volumeGib: 60 }, '2026-11-20T00:00:00Z');
    await resizeVm(db, resized, { cpuCores: 4, memoryMib: 8192, rootDiskGib: 40, volumeGib: 60 }, '2026-12-02T02:17:33.123Z');

    // Created mid-day with 1.5 GiB of memory, then shelved-offloaded.
    const shelved = await insertVm(db, owner, { cpuCores: 1, memoryMib: 1536, rootDiskGib: 20 }, '2026-12-01T19:45:10.500Z');
    await shelveOffloadVm(db, shelved, '2026-12-02T07:00:00Z');

    // Deleted mid-day.
    const deleted = await insertVm(db, owner, { cpuCores: 8, memoryMib: 16384, rootDiskGib: 100 }, '2026-11-25T00:00:00Z');
    await deleteVm(db, deleted, '2026-12-02T03:33:20.001Z');

    // Deleted before the day, so it must not count.
    const deletedBefore = await insertVm(db, owner, { cpuCores: 16, memoryMib: 32768, rootDiskGib: 100 }, '2026-11-25T00:00:00Z');
    await deleteVm(db, deletedBefore, '2026-12-01T15:59:59.999Z');

    // Created after the day, so it must not count.
    await insertVm(db, owner, { cpuCores: 16, memoryMib: 32768, rootDiskGib: 100 }, '2026-12-02T16:00:00Z');

    const result = await billDay(db, DAY, SHANGHAI);
    expect(result.written).toBe(1);

    const intervals = await usageIntervalsOf(db, [resized, shelved, deleted, deletedBefore]);
    const usage = computeDayUsage(intervals, DAY, SHANGHAI);
    const charge = chargeUsageDay(USAGE_PLAN_DOMAIN, usage);
    const record = await billingRecordOf(db, owner.systemId, DAY);

    expect(record?.billing_mode).toBe('usage');
    // Hours are stored as numeric(14, 4), rounded half up, so they differ by at most 0.00005.
    expect(Math.abs(Number(record?.core_hours) - usage.coreHours)).toBeLessThanOrEqual(HOURS_TOLERANCE);
    expect(Math.abs(Number(record?.memory_gib_hours) - usage.memoryGiBHours)).toBeLessThanOrEqual(HOURS_TOLERANCE);
    expect(Math.abs(Number(record?.storage_gib_hours) - usage.storageGiBHours)).toBeLessThanOrEqual(HOURS_TOLERANCE);
    expect(Number(record?.amount_fen)).toBe(charge.totalFen);
    expect(charge.totalFen).toBeGreaterThan(0);
  });

  it('counts shelved-offloaded time as storage only', async () => {
    const owner = await createBilledSystem(db, { mode: 'usage', createdAt: '2026-11-01T00:00:00Z' });
    const vmId = await insertVm(db, owner, { cpuCores: 4, memoryMib: 8192, rootDiskGib: 50 }, '2026-11-20T00:00:00Z');
    await shelveOffloadVm(db, vmId, '2026-11-21T00:00:00Z');

    await billDay(db, DAY, SHANGHAI);
    const record = await billingRecordOf(db, owner.systemId, DAY);

    expect(Number(record?.core_hours)).toBe(0);
    expect(Number(record?.memory_gib_hours)).toBe(0);
    expect(Number(record?.storage_gib_hours)).toBe(50 * 24);
    expect(Number(record?.amount_fen)).toBe(50 * 24 * USAGE_PLAN_DOMAIN.storageGiBHourFen);
  });

  it('rounds each usage line half up', async () => {
    const owner = await createBilledSystem(db, { mode: 'usage', createdAt: '2026-11-01T00:00:00Z' });
    // 1 core for 30 minutes at 7 fen per core-hour is 3.5 fen, billed as 4 fen. 1 GiB at 3 fen for
    // 30 minutes is 1.5 fen, billed as 2. No storage.
    const vmId = await insertVm(db, owner, { cpuCores: 1, memoryMib: 1024, rootDiskGib: 0 }, '2026-12-02T00:00:00Z');
    await deleteVm(db, vmId, '2026-12-02T00:30:00Z');

    await billDay(db, DAY, SHANGHAI);
    const record = await billingRecordOf(db, owner.systemId, DAY);

    expect(Number(record?.amount_fen)).toBe(6);
  });

  it('matches the domain oracle on a prepaid plan', async () => {
    const owner = await createBilledSystem(db, { mode: 'prepaid', createdAt: '2026-11-01T00:00:00Z' });
    const { start, end } = localDayBounds(DAY, SHANGHAI);

    await insertOrder(db, owner, { cpu: 4, memoryGiB: 8, storageGiB: 100, from: '2026-11-01T00:00:00Z', to: '2027-11-01T00:00:00Z' });
    // An upgrade that starts mid-day counts for the whole day.
    await insertOrder(db, owner, { cpu: 2, memoryGiB: 4, storageGiB: 50, from: '2026-12-02T04:00:00Z', to: '2027-11-01T00:00:00Z' });
    // Ignored: cancelled, pending, ended exactly at the day's start, starting exactly at its end.
    await insertOrder(db, owner, { cpu: 64, memoryGiB: 64, storageGiB: 64, from: '2026-11-01T00:00:00Z', to: '2027-11-01T00:00:00Z', status: 'cancelled' });
    await insertOrder(db, owner, { cpu: 64, memoryGiB: 64, storageGiB: 64, from: '2026-11-01T00:00:00Z', to: '2027-11-01T00:00:00Z', status: 'pending' });
    await insertOrder(db, owner, { cpu: 64, memoryGiB: 64, storageGiB: 64, from: '2026-11-01T00:00:00Z', to: start.toISOString() });
    await insertOrder(db, owner, { cpu: 64, memoryGiB: 64, storageGiB: 64, from: end.toISOString(), to: '2027-11-01T00:00:00Z' });

    await insertVm(db, owner, { cpuCores: 2, memoryMib: 2048, rootDiskGib: 20 }, '2026-11-20T00:00:00Z');

    await billDay(db, DAY, SHANGHAI);
    const record = await billingRecordOf(db, owner.systemId, DAY);
    const charge = chargePrepaidDay(PREPAID_PLAN_DOMAIN, { cpu: 6, memoryGiB: 12, storageGiB: 150 });

    expect(record?.billing_mode).toBe('prepaid');
    expect(record?.ordered_cpu_cores).toBe(6);
    expect(record?.ordered_memory_gib).toBe(12);
    expect(record?.ordered_storage_gib).toBe(150);
    expect(Number(record?.amount_fen)).toBe(charge.totalFen);
    expect(Number(record?.core_hours)).toBe(48);
  });

  it('counts a mid-day renewal once', async () => {
    const owner = await createBilledSystem(db, { mode: 'prepaid', createdAt: '2026-11-01T00:00:00Z' });
    await insertOrder(db, owner, { cpu: 4, memoryGiB: 8, storageGiB: 100, from: '2026-11-01T00:00:00Z', to: '2026-12-02T04:00:00Z' });
    await insertOrder(db, owner, { cpu: 4, memoryGiB: 8, storageGiB: 100, from: '2026-12-02T04:00:00Z', to: '2027-12-02T04:00:00Z' });

    await billDay(db, DAY, SHANGHAI);
    const record = await billingRecordOf(db, owner.systemId, DAY);

    expect(record?.ordered_cpu_cores).toBe(4);
    expect(Number(record?.amount_fen)).toBe(chargePrepaidDay(PREPAID_PLAN_DOMAIN, { cpu: 4, memoryGiB: 8, storageGiB: 100 }).totalFen);
  });

  it('bills a 23-hour daylight saving day', async () => {
    // Clocks in Berlin moved from 02:00 to 03:00 on 2026-03-29, so that local day lasts 23 hours.
    const owner = await createBilledSystem(db, { mode: 'usage', createdAt: '2026-03-01T00:00:00Z' });
    await insertVm(db, owner, { cpuCores: 1, memoryMib: 1024, rootDiskGib: 10 }, '2026-03-20T00:00:00Z');

    await billDay(db, '2026-03-29', 'Europe/Berlin');
    const record = await billingRecordOf(db, owner.systemId, '2026-03-29');

    expect(Number(record?.core_hours)).toBe(23);
    expect(Number(record?.storage_gib_hours)).toBe(230);
    expect(record?.time_zone).toBe('Europe/Berlin');
  });

  it('skips systems created after the day', async () => {
    const owner = await createBilledSystem(db, { mode: 'usage', createdAt: '2026-12-02T16:00:00Z' });

    const result = await billDay(db, DAY, SHANGHAI);

    expect(result.written).toBe(0);
    expect(await billingRecordOf(db, owner.systemId, DAY)).toBeUndefined();
  });

  it('writes one record under concurrent runs', async () => {
    const systems = [
      await createBilledSystem(db, { mode: 'usage', createdAt: '2026-11-01T00:00:00Z' }),
      await createBilledSystem(db, { mode: 'prepaid', createdAt: '2026-11-01T00:00:00Z' }),
      await createBilledSystem(db, { mode: 'usage', createdAt: '2026-11-01T00:00:00Z' }),
    ];
    for (const owner of systems) {
      await insertVm(db, owner, { cpuCores: 2, memoryMib: 2048, rootDiskGib: 20 }, '2026-11-20T00:00:00Z');
    }

    const [first, second] = await Promise.all([billDay(db, DAY, SHANGHAI), billDay(db, DAY, SHANGHAI)]);
    expect((first?.written ?? 0) + (second?.written ?? 0)).toBe(3);

    const counts = await db
      .selectFrom('billing_records')
      .select(['system_id', (eb) => eb.fn.countAll<string>().as('count')])
      .where('bill_date', '=', DAY)
      .groupBy('system_id')
      .execute();
    expect(counts).toHaveLength(3);
    expect(counts.every((row) => Number(row.count) === 1)).toBe(true);

    const rerun = await billDay(db, DAY, SHANGHAI);
    expect(rerun.written).toBe(0);
    expect(rerun.alreadyPresent).toBe(3);
  });

  it('catches up days a missed run left', async () => {
    const runAt = new Date('2026-12-04T16:10:00Z');
    const lastDay = previousLocalDay(runAt, SHANGHAI);
    const threeDaysAgo = addDays(lastDay, -3);
    const owner = await createBilledSystem(db, { mode: 'usage', createdAt: localDayBounds(threeDaysAgo, SHANGHAI).start.toISOString() });
    await billDay(db, threeDaysAgo, SHANGHAI);

    const result = await billPendingDays(db, runAt, SHANGHAI);

    expect(result.days.map((day) => [day.day, day.written])).toEqual([
      [threeDaysAgo, 0],
      [addDays(lastDay, -2), 1],
      [addDays(lastDay, -1), 1],
      [lastDay, 1],
    ]);
    const records = await db.selectFrom('billing_records').select('bill_date').where('system_id', '=', owner.systemId).orderBy('bill_date').execute();
    expect(records.map((row) => row.bill_date)).toEqual([threeDaysAgo, addDays(lastDay, -2), addDays(lastDay, -1), lastDay]);

    const rerun = await billPendingDays(db, runAt, SHANGHAI);
    expect(rerun.written).toBe(0);
  });

  it('bounds catch-up to 31 days', async () => {
    const runAt = new Date('2026-12-04T16:10:00Z');
    const lastDay = previousLocalDay(runAt, SHANGHAI);
    const owner = await createBilledSystem(db, { mode: 'prepaid', createdAt: '2026-09-01T00:00:00Z' });

    const result = await billPendingDays(db, runAt, SHANGHAI);

    expect(CATCH_UP_DAYS).toBe(31);
    expect(result.written).toBe(31);
    const range = await db
      .selectFrom('billing_records')
      .select((eb) => [eb.fn.min<string>('bill_date').as('first'), eb.fn.max<string>('bill_date').as('last')])
      .where('system_id', '=', owner.systemId)
      .executeTakeFirstOrThrow();
    expect(range.first).toBe(addDays(lastDay, -30));
    expect(range.last).toBe(lastDay);
  });
});
