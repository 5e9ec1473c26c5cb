// Measures full vm-sync runs at fleet scale in one process, three ways, each from the same rows.
// batched: every VM changed, written as syncVms writes (one UPDATE per page of servers).
// one UPDATE per VM: every VM changed, written with applyObservation per VM, as vm-sync wrote
// before it batched. nothing changed: a full run right after a batched one.
// Runs on the embedded database always, and on PostgreSQL when BENCH_DATABASE_URL is set. The
// bench uses that connection only to create and drop its own scratch database.
// Run: BENCH_ONLY=vm-sync npm run bench
//   BENCH_SERVERS  servers and VM rows, default 10000
//   BENCH_ROUNDS   timed runs of each variant, default 3; the median is reported
//   BENCH_DATABASE_URL  e.g. postgres://postgres@127.0.0.1:5432/tp_bench_sync
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { Database } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { listServerPages } from '../src/openstack/index.ts';
import { CloudClients } from '../src/services/cloud/cloud-clients.ts';
import { boundClouds, listingsFor } from '../src/services/sync/server-listings.ts';
import { syncVms, type SyncDeps } from '../src/services/sync/vm-sync.ts';
import { applyObservation } from '../src/services/vms/observe.ts';
import type { VmRow } from '../src/services/vms/vm-view.ts';
import { startSimulator, type Simulator } from '../src/sim/index.ts';

const SERVER_COUNT = readCount('BENCH_SERVERS', 10_000, 100_000);
const ROUNDS = readCount('BENCH_ROUNDS', 3, 20);
const postgresAdminUrl = process.env.BENCH_DATABASE_URL ?? null;
/** VM rows per INSERT while preparing, well below PostgreSQL's 65535 bind parameters. */
const INSERT_CHUNK_ROWS = 1000;
const OBSERVED_COLUMNS = ['status', 'nova_status', 'nova_task_state', 'nova_vm_state', 'power_state', 'fault_message', 'primary_ip', 'addresses', 'floating_ips', 'launched_at', 'nova_updated_at', 'boot_volume_id', 'cpu_cores', 'memory_mib', 'root_disk_gib', 'flavor_name'];

const logger = pino({ level: 'warn' });

function readCount(name: string, fallback: number, max: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new Error(`${name} must be an integer from 1 to ${max}, got "${raw}"`);
  }
  return value;
}

type Variant = 'batched' | 'perVm' | 'unchanged';

/** One timed run: wall time and the statements the run sent. */
interface Sample {
  ms: number;
  statements: number;
}

/** A migrated database that contains the bound tenant and its VM rows, and the client cache for the simulator. */
interface Fixture {
  database: Database;
  clouds: CloudClients;
}

async function prepare(database: Database, sim: Simulator, servers: ReturnType<Simulator['admin']['loadServers']>, clouds: CloudClients): Promise<Fixture> {
  await migrateToLatest(database.db);
  const projectId = sim.admin.projectId('demo');
  const tenant = await database.db
    .insertInto('tenants')
    .values({ code: 'bench-sync', name: '同步基准', cloud: 'sim-demo', region: 'RegionOne', project_id: projectId, project_name: 'demo' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const system = await database.db.insertInto('information_systems').values({ tenant_id: tenant.id, code: 'bench-sys', name: '基准系统', price_plan: '{}' }).returning('id').executeTakeFirstOrThrow();

  // Sizes match each server's flavor, as after a create, so a run changes status, Nova state and
  // addresses but no size, and the usage-interval trigger records nothing.
  for (let start = 0; start < servers.length; start += INSERT_CHUNK_ROWS) {
    const rows = servers.slice(start, start + INSERT_CHUNK_ROWS).map((server) => ({
      tenant_id: tenant.id,
      system_id: system.id,
      name: server.name,
      cloud: 'sim-demo',
      region: 'RegionOne',
      project_id: projectId,
      server_id: server.id,
      flavor_id: server.flavor.id,
      flavor_name: server.flavor.name,
      cpu_cores: server.flavor.vcpus,
      memory_mib: server.flavor.ram,
      root_disk_gib: server.flavor.disk,
      status: 'creating',
    }));
    await database.db.insertInto('virtual_machines').values(rows).execute();
  }
  return { database, clouds };
}

/** Puts every VM back to `creating` with no Nova state, empties the rows a run adds, and vacuums. */
async function resetVms({ database }: Fixture): Promise<void> {
  await database.db
    .updateTable('virtual_machines')
    .set({
      status: 'creating',
      nova_status: null,
      nova_task_state: null,
      nova_vm_state: null,
      power_state: null,
      fault_message: null,
      primary_ip: null,
      addresses: '[]',
      floating_ips: '[]',
      launched_at: null,
      nova_updated_at: null,
      boot_volume_id: null,
      last_synced_at: null,
    })
    .execute();
  await database.db.deleteFrom('vm_status_history').execute();
  await database.db.deleteFrom('operation_logs').execute();
  // The reset leaves a dead version of every row. Vacuum removes them, so every timed run starts
  // from a table of the same shape.
  await sql`vacuum analyze virtual_machines, vm_status_history, operation_logs`.execute(database.db);
}

function syncDeps({ database, clouds }: Fixture): SyncDeps {
  return { database, clouds, logger, env: {} };
}

/**
 * Runs a full sync the way vm-sync wrote before it batched: the same listing and one transaction
 * per page, but applyObservation per VM (one UPDATE, plus a status history INSERT on a status
 * change) and one operation_logs INSERT per transition.
 */
async function syncOneUpdatePerVm(fixture: Fixture): Promise<void> {
  const { database } = fixture;
  const deps = syncDeps(fixture);
  for (const bound of await boundClouds(database)) {
    let query = database.db.selectFrom('virtual_machines').selectAll().where('cloud', '=', bound.cloud).where('deleted_at', 'is', null);
    query = bound.region === null ? query.where('region', 'is', null) : query.where('region', '=', bound.region);
    const rows = await query.execute();
    const byServerId = new Map<string, VmRow>();
    for (const row of rows) if (row.server_id !== null) byServerId.set(row.server_id, row);

    for (const listing of listingsFor(deps, bound, null, {}, [])) {
      for await (const page of listServerPages(listing.client, listing.filters)) {
        const matched = page.filter((server) => listing.projects.has(server.tenantId) && byServerId.has(server.id));
        if (matched.length === 0) continue;

        await database.transaction(async (trx) => {
          for (const server of matched) {
            const vm = byServerId.get(server.id) as VmRow;
            const updated = await applyObservation(trx, vm, server, 'sync', logger);
            byServerId.set(server.id, updated);
            if (updated.status === vm.status) continue;

            await trx
              .insertInto('operation_logs')
              .values({
                tenant_id: vm.tenant_id,
                vm_id: vm.id,
                system_id: vm.system_id,
                kind: 'sync',
                status: 'succeeded',
                finished_at: sql<Date>`now()`,
                details: JSON.stringify({ fromStatus: vm.status, toStatus: updated.status, novaStatus: server.status }),
              })
              .execute();
          }
        });
      }
    }
  }
}

async function timeRun(database: Database, run: () => Promise<unknown>): Promise<Sample> {
  const statementsBefore = database.stats.queries;
  const started = performance.now();
  await run();
  return { ms: performance.now() - started, statements: database.stats.queries - statementsBefore };
}

async function countRows(database: Database, table: 'vm_status_history' | 'operation_logs'): Promise<number> {
  const row = await database.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Checks that a run changed every VM and wrote one history and one operation row each, and
 * returns a digest of the observed columns so the two write paths can be compared.
 */
async function checkChangedRun(database: Database, label: string): Promise<string> {
  const creating = await database.db.selectFrom('virtual_machines').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'creating').executeTakeFirstOrThrow();
  if (Number(creating.n) !== 0) throw new Error(`${label}: ${creating.n} VMs are still creating after the run`);
  for (const table of ['vm_status_history', 'operation_logs'] as const) {
    const count = await countRows(database, table);
    if (count !== SERVER_COUNT) throw new Error(`${label}: expected ${SERVER_COUNT} ${table} rows, found ${count}`);
  }

  const columns = sql.join(OBSERVED_COLUMNS.map((column) => sql.ref(column)));
  const digest = await sql<{ digest: string }>`select md5(string_agg(row(${columns})::text, ',' order by server_id)) as digest from virtual_machines`.execute(database.db);
  return digest.rows[0]?.digest ?? '';
}

/** Runs every variant ROUNDS times on one back end, alternating which changing variant goes first. */
async function measure(fixture: Fixture): Promise<Record<Variant, Sample[]>> {
  const { database } = fixture;
  const samples: Record<Variant, Sample[]> = { batched: [], perVm: [], unchanged: [] };
  const digests = new Set<string>();

  const runBatched = async () => {
    await resetVms(fixture);
    samples.batched.push(await timeRun(database, () => syncVms(syncDeps(fixture), { mode: 'full', now: new Date() })));
    digests.add(await checkChangedRun(database, 'batched'));

    let rowsWritten = -1;
    samples.unchanged.push(
      await timeRun(database, async () => {
        rowsWritten = (await syncVms(syncDeps(fixture), { mode: 'full', now: new Date() })).rowsWritten;
      }),
    );
    if (rowsWritten !== 0) throw new Error(`unchanged: the run after a full sync wrote ${rowsWritten} rows`);
  };
  const runPerVm = async () => {
    await resetVms(fixture);
    samples.perVm.push(await timeRun(database, () => syncOneUpdatePerVm(fixture)));
    digests.add(await checkChangedRun(database, 'one UPDATE per VM'));
  };

  for (let round = 0; round < ROUNDS; round += 1) {
    const order = round % 2 === 0 ? [runBatched, runPerVm] : [runPerVm, runBatched];
    for (const run of order) await run();
    console.log(`  ${database.kind} round ${round + 1}: batched ${samples.batched.at(-1)?.ms.toFixed(0)} ms, one UPDATE per VM ${samples.perVm.at(-1)?.ms.toFixed(0)} ms, unchanged ${samples.unchanged.at(-1)?.ms.toFixed(0)} ms`);
  }
  if (digests.size !== 1) throw new Error(`the two write paths left different VM columns (${digests.size} digests)`);
  return samples;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Opens a scratch PostgreSQL database through the admin URL and returns it with its cleanup. */
async function openScratchPostgres(adminUrl: string): Promise<{ database: Database; drop: () => Promise<void> }> {
  const name = `tp_bench_vm_sync_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }

  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await Database.open({ kind: 'postgres', url: url.toString(), onIdleConnectionError: (error) => console.error('idle connection failed:', error.message) });
  const drop = async () => {
    await database.close();
    const cleanup = new pg.Client({ connectionString: adminUrl });
    await cleanup.connect();
    try {
      await cleanup.query(`drop database if exists ${name} with (force)`);
    } finally {
      await cleanup.end();
    }
  };
  return { database, drop };
}

const folder = mkdtempSync(join(tmpdir(), 'tp-bench-sync-'));
const sim = await startSimulator({ seed: 'bench-sync', logger: false });
const results = new Map<string, Record<Variant, Sample[]>>();
const benchStarted = performance.now();
try {
  const servers = sim.admin.loadServers(SERVER_COUNT, 'demo');
  const cloudsYamlPath = join(folder, 'clouds.yaml');
  sim.writeCloudsYaml(cloudsYamlPath);
  const clouds = new CloudClients({ env: { OS_CLIENT_CONFIG_FILE: cloudsYamlPath } });
  try {
    const embedded = await Database.open({ kind: 'embedded', dataDir: null });
    try {
      results.set('embedded', await measure(await prepare(embedded, sim, servers, clouds)));
    } finally {
      await embedded.close();
    }

    if (postgresAdminUrl === null) {
      console.log('BENCH_DATABASE_URL is not set, so PostgreSQL is skipped.');
    } else {
      const scratch = await openScratchPostgres(postgresAdminUrl);
      try {
        results.set('PostgreSQL', await measure(await prepare(scratch.database, sim, servers, clouds)));
      } finally {
        await scratch.drop();
      }
    }
  } finally {
    clouds.close();
  }
} finally {
  await sim.stop();
  rmSync(folder, { recursive: true, force: true });
}

const labels: Record<Variant, string> = {
  batched: 'every VM changed, batched writes',
  perVm: 'every VM changed, one UPDATE per VM',
  unchanged: 'nothing changed',
};
const backEnds = [...results.keys()];
console.log(`\nnode ${process.version}, ${SERVER_COUNT} servers and VM rows, median of ${ROUNDS} full runs, ${((performance.now() - benchStarted) / 1000).toFixed(0)} s in all`);
console.log(`| variant | ${backEnds.map((name) => `${name} (ms) | ${name} statements`).join(' | ')} |`);
console.log(`| --- | ${backEnds.map(() => '---: | ---:').join(' | ')} |`);
for (const variant of ['batched', 'perVm', 'unchanged'] as const) {
  const cells = backEnds.map((name) => {
    const samples = results.get(name)?.[variant] ?? [];
    return `${median(samples.map((sample) => sample.ms)).toFixed(0)} | ${median(samples.map((sample) => sample.statements))}`;
  });
  console.log(`| ${labels[variant]} | ${cells.join(' | ')} |`);
}
const ratios = backEnds.map((name) => {
  const byVariant = results.get(name) as Record<Variant, Sample[]>;
  const ms = median(byVariant.perVm.map((sample) => sample.ms)) / median(byVariant.batched.map((sample) => sample.ms));
  const statements = median(byVariant.perVm.map((sample) => sample.statements)) / median(byVariant.batched.map((sample) => sample.statements));
  return `${ms.toFixed(2)} | ${statements.toFixed(0)}`;
});
console.log(`| one UPDATE per VM / batched | ${ratios.join(' | ')} |`);
