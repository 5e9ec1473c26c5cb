// Compares the embedded database (PGlite) with PostgreSQL on the statements the portal runs most:
// a session lookup by primary key, a locked read-modify-write transaction, a 20-row page with a
// count, and a pg-boss send. Both run in the same process, one after the other, the same number
// of times; the figure that matters is the ratio.
// Run: npm run bench (BENCH_URL selects PostgreSQL, default postgres://postgres@127.0.0.1:5432/postgres)
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { Database } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { startQueue } from '../src/jobs/queue.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 300);
const adminUrl = process.env.BENCH_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function prepare(database: Database): Promise<{ sessionHash: string; tenantId: string }> {
  await migrateToLatest(database.db);
  const tenant = await database.db.insertInto('tenants').values({ code: 'bench', name: '基准' }).returning('id').executeTakeFirstOrThrow();
  const user = await database.db.insertInto('users').values({ username: 'bench', password_hash: 'x' }).returning('id').executeTakeFirstOrThrow();
  const sessionHash = randomBytes(32).toString('hex');
  await database.db.insertInto('sessions').values({ id_hash: sessionHash, user_id: user.id, csrf_token: 't', expires_at: new Date(Date.now() + 3_600_000) }).execute();
  for (let i = 0; i < 200; i += 1) {
    await database.db.insertInto('information_systems').values({ tenant_id: tenant.id, code: `sys-${i}`, name: `系统 ${i}`, price_plan: '{}' }).execute();
  }
  return { sessionHash, tenantId: tenant.id };
}

async function timeRounds(run: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 20; i += 1) await run();
  const started = performance.now();
  for (let i = 0; i < ROUNDS; i += 1) await run();
  return ((performance.now() - started) * 1000) / ROUNDS;
}

async function measure(database: Database): Promise<Record<string, number>> {
  const { sessionHash, tenantId } = await prepare(database);
  const boss = await startQueue(database, { schema: 'pgboss_bench', supervise: false, schedule: false });
  await boss.createQueue('bench');

  const results = {
    'session lookup': await timeRounds(() => database.db.selectFrom('sessions').selectAll().where('id_hash', '=', sessionHash).executeTakeFirst()),
    'locked update transaction': await timeRounds(() =>
      database.transaction(async (trx) => {
        const row = await trx.selectFrom('tenants').select('description').where('id', '=', tenantId).forUpdate().executeTakeFirstOrThrow();
        await trx.updateTable('tenants').set({ description: row.description.length > 100 ? '' : `${row.description}x` }).where('id', '=', tenantId).execute();
      }),
    ),
    'page of 20 with total': await timeRounds(() =>
      database.db
        .selectFrom('information_systems')
        .select((eb) => ['id', 'name', eb.fn.countAll().over().as('total')])
        .where('tenant_id', '=', tenantId)
        .orderBy('name')
        .limit(20)
        .offset(40)
        .execute(),
    ),
    'pg-boss send': await timeRounds(() => boss.send('bench', { n: 1 })),
  };
  await boss.stop({ graceful: false, wait: true });
  return results;
}

const embedded = await Database.open({ kind: 'embedded', dataDir: null });
const embeddedResults = await measure(embedded);
await embedded.close();

const name = `tp_bench_${process.pid}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`create database ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const postgres = await Database.open({ kind: 'postgres', url: url.toString(), onIdleConnectionError: (error) => console.error('idle connection failed:', error.message) });
const postgresResults = await measure(postgres);
await postgres.close();
await admin.query(`drop database ${name} with (force)`);
await admin.end();

console.log(`rounds per operation: ${ROUNDS}, sequential, one client`);
console.log('| operation | embedded (µs/op) | PostgreSQL (µs/op) | embedded / PostgreSQL |');
console.log('| --- | ---: | ---: | ---: |');
for (const [operation, embeddedMicros] of Object.entries(embeddedResults)) {
  const postgresMicros = postgresResults[operation as keyof typeof postgresResults] ?? Number.NaN;
  console.log(`| ${operation} | ${embeddedMicros.toFixed(0)} | ${postgresMicros.toFixed(0)} | ${(embeddedMicros / postgresMicros).toFixed(2)} |`);
}
