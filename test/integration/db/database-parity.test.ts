import { sql } from 'kysely';
import type PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedReentryError } from '../../../src/db/embedded-gate.ts';
import { migrateToLatest } from '../../../src/db/migrate.ts';
import { startQueue } from '../../../src/jobs/queue.ts';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../../helpers/test-database.ts';

describe.each(databaseKinds())('database parity on %s', (kind) => {
  let handle: TestDatabase;

  beforeAll(async () => {
    handle = await openTestDatabase(kind);
  });

  afterAll(async () => {
    await handle?.dispose();
  });

  it('applies migrations once and reports nothing on a second run', async () => {
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = 'public' order by table_name`.execute(handle.database.db);
    const names = tables.rows.map((row) => row.table_name);
    expect(names).toContain('virtual_machines');
    expect(names).toContain('billing_records');
    expect(names).toContain('idempotency_keys');

    expect(await migrateToLatest(handle.database.db)).toEqual([]);
  });

  it('ignores a duplicate billing row with on conflict do nothing', async () => {
    const db = handle.database.db;
    const tenant = await db.insertInto('tenants').values({ code: 'parity', name: '对照租户' }).returning('id').executeTakeFirstOrThrow();
    const system = await db
      .insertInto('information_systems')
      .values({ tenant_id: tenant.id, code: 'sys', name: '系统', price_plan: '{}' })
      .returning('id')
      .executeTakeFirstOrThrow();

    const row = {
      tenant_id: tenant.id,
      system_id: system.id,
      bill_date: '2026-12-03',
      time_zone: 'Asia/Shanghai',
      billing_mode: 'prepaid' as const,
      ordered_cpu_cores: 4,
      ordered_memory_gib: 8,
      ordered_storage_gib: 100,
      core_hours: '0',
      memory_gib_hours: '0',
      storage_gib_hours: '0',
      amount_fen: 1200,
    };
    const first = await db.insertInto('billing_records').values(row).onConflict((oc) => oc.columns(['system_id', 'bill_date']).doNothing()).executeTakeFirst();
    const second = await db.insertInto('billing_records').values(row).onConflict((oc) => oc.columns(['system_id', 'bill_date']).doNothing()).executeTakeFirst();

    expect(Number(first.numInsertedOrUpdatedRows)).toBe(1);
    expect(Number(second.numInsertedOrUpdatedRows)).toBe(0);

    const stored = await db.selectFrom('billing_records').select(['bill_date', 'amount_fen']).where('system_id', '=', system.id).execute();
    expect(stored).toEqual([{ bill_date: '2026-12-03', amount_fen: 1200 }]);
  });

  it('serializes two transactions that lock the same row', async () => {
    const db = handle.database.db;
    const tenant = await db.insertInto('tenants').values({ code: 'locks', name: '锁租户' }).returning('id').executeTakeFirstOrThrow();
    const order: string[] = [];

    const lockAndAppend = (label: string) =>
      handle.database.transaction(async (trx) => {
        const row = await trx.selectFrom('tenants').select('description').where('id', '=', tenant.id).forUpdate().executeTakeFirstOrThrow();
        order.push(`${label}:read:${row.description}`);
        await trx.updateTable('tenants').set({ description: `${row.description}${label}` }).where('id', '=', tenant.id).execute();
      });

    await Promise.all([lockAndAppend('a'), lockAndAppend('b')]);

    const final = await db.selectFrom('tenants').select('description').where('id', '=', tenant.id).executeTakeFirstOrThrow();
    expect(final.description).toHaveLength(2);
    expect(order[1]).toMatch(/:read:[ab]$/);
  });

  it('rolls back a failed transaction completely', async () => {
    const db = handle.database.db;
    await expect(
      handle.database.transaction(async (trx) => {
        await trx.insertInto('tenants').values({ code: 'rollback', name: '回滚' }).execute();
        throw new Error('abort on purpose');
      }),
    ).rejects.toThrow('abort on purpose');

    const found = await db.selectFrom('tenants').select('id').where('code', '=', 'rollback').execute();
    expect(found).toEqual([]);
  });

  it('rejects a check constraint violation', async () => {
    const db = handle.database.db;
    const tenant = await db.insertInto('tenants').values({ code: 'checks', name: '约束' }).returning('id').executeTakeFirstOrThrow();
    const system = await db
      .insertInto('information_systems')
      .values({ tenant_id: tenant.id, code: 'sys', name: '系统', price_plan: '{}' })
      .returning('id')
      .executeTakeFirstOrThrow();

    await expect(
      db
        .insertInto('resource_orders')
        .values({
          tenant_id: tenant.id,
          system_id: system.id,
          order_no: 'ZERO-1',
          cpu_cores: 0,
          memory_gib: 0,
          storage_gib: 0,
          valid_from: new Date('2026-01-01T00:00:00Z'),
          valid_to: new Date('2027-01-01T00:00:00Z'),
        })
        .execute(),
    ).rejects.toThrow(/resource_orders_positive/);
  });

  it.runIf(kind === 'embedded')('fails fast on root handle use inside a transaction', async () => {
    await expect(
      handle.database.transaction(async () => {
        await handle.database.db.selectFrom('tenants').select('id').execute();
      }),
    ).rejects.toBeInstanceOf(EmbeddedReentryError);
  });

  it('runs a pg-boss job sent inside the queue', async () => {
    const boss: PgBoss = await startQueue(handle.database, { schema: 'pgboss_parity', supervise: false, schedule: true });
    try {
      await boss.createQueue('parity-echo');
      const received = new Promise<unknown>((resolve) => {
        void boss.work<{ value: number }>('parity-echo', { pollingIntervalSeconds: 0.5 }, async ([job]) => {
          resolve(job?.data);
        });
      });
      await boss.send('parity-echo', { value: 42 });
      await expect(received).resolves.toEqual({ value: 42 });

      // Registering the same schedule twice keeps one schedule.
      await boss.schedule('parity-echo', '*/5 * * * *', {}, { tz: 'Asia/Shanghai' });
      await boss.schedule('parity-echo', '*/5 * * * *', {}, { tz: 'Asia/Shanghai' });
      const schedules = await boss.getSchedules();
      expect(schedules.filter((entry) => entry.name === 'parity-echo')).toHaveLength(1);
    } finally {
      await boss.stop({ graceful: false, wait: true });
    }
  });
});
