import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../../src/db/database.ts';
import { createOpenStackClient, createServer, getServer, listFlavors, listImages, listNetworks, loadCloudConfig, type OpenStackClient } from '../../../src/openstack/index.ts';
import { startSimCloud, pollUntil, type SimCloud } from '../../helpers/sim-cloud.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/test-database.ts';

const CLI = new URL('../../../bin/tenant-portal.js', import.meta.url).pathname;

/** Runs the CLI to its end and returns its exit code and output. */
function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('tenant-portal sync without --once', () => {
  it('exits with a message naming --once', async () => {
    const result = await runCli(['sync'], {});
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/--once/);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('tenant-portal sync --once on PostgreSQL', () => {
  let scratch: ScratchDatabase;
  let env: Record<string, string>;
  let database: Database;
  let cloud: SimCloud;
  let demo: OpenStackClient;
  let vmId: string;
  let serverId: string;

  beforeAll(async () => {
    scratch = await createScratchDatabase('tp_sync');
    const url = scratch.url;

    cloud = await startSimCloud();
    env = { DATABASE_URL: url, PORTAL_MODE: 'production', OS_CLIENT_CONFIG_FILE: cloud.cloudsYamlPath, LOG_LEVEL: 'warn', PORTAL_ENCRYPTION_KEY: 'ci:' + Buffer.alloc(32, 9).toString('base64') };
    expect((await runCli(['migrate'], env)).code).toBe(0);

    // A tenant bound to the simulator's demo project, with one VM whose server is still building.
    database = await Database.open({ kind: 'postgres', url, poolSize: 2, onIdleConnectionError: () => undefined });
    const projectId = cloud.sim.admin.projectId('demo');
    const tenant = await database.db.insertInto('tenants').values({ code: 'sync-cli', name: '同步租户', cloud: 'sim-demo', region: 'RegionOne', project_id: projectId }).returning('id').executeTakeFirstOrThrow();
    const system = await database.db.insertInto('information_systems').values({ tenant_id: tenant.id, code: 'sync-sys', name: '同步系统' }).returning('id').executeTakeFirstOrThrow();

    demo = createOpenStackClient(loadCloudConfig({ cloud: 'sim-demo', env: { OS_CLIENT_CONFIG_FILE: cloud.cloudsYamlPath } }));
    const flavor = (await listFlavors(demo)).find((candidate) => candidate.name === '1c1g');
    const image = (await listImages(demo)).find((candidate) => candidate.name === 'Ubuntu-22.04');
    const network = (await listNetworks(demo)).find((candidate) => candidate.projectId === projectId);
    serverId = await createServer(demo, { name: 'cli-sync', flavorId: flavor?.id ?? '', imageId: image?.id ?? '', networks: [{ uuid: network?.id ?? '' }] });
    const vm = await database.db
      .insertInto('virtual_machines')
      .values({ tenant_id: tenant.id, system_id: system.id, name: 'cli-sync', cloud: 'sim-demo', region: 'RegionOne', project_id: projectId, server_id: serverId, cpu_cores: 1, memory_mib: 1024, root_disk_gib: 20, status: 'creating' })
      .returning('id')
      .executeTakeFirstOrThrow();
    vmId = vm.id;
    await pollUntil(() => getServer(demo, serverId), (server) => server.status === 'ACTIVE', 15_000, 100);
  }, 120_000);

  afterAll(async () => {
    demo?.close();
    await database?.close();
    await cloud?.stop();
    await scratch?.drop();
  });

  const vmRow = () => database.db.selectFrom('virtual_machines').selectAll().where('id', '=', vmId).executeTakeFirstOrThrow();

  it('runs the sync jobs and records each', async () => {
    const result = await runCli(['sync', '--once'], env);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/vm-sync-incremental: serversSeen=1 /);
    expect(result.output).toMatch(/orphan-sweep: serversSeen=1 /);
    expect(result.output).toMatch(/resource-changes: firstRecorded=2 /);

    expect((await vmRow()).status).toBe('running');
    const runs = await database.db.selectFrom('job_runs').select(['job_name', 'status', 'job_id']).orderBy('job_name').execute();
    expect(runs).toEqual([
      { job_name: 'orphan-sweep', status: 'succeeded', job_id: null },
      { job_name: 'resource-changes', status: 'succeeded', job_id: null },
      { job_name: 'vm-sync-incremental', status: 'succeeded', job_id: null },
    ]);
  });

  it('turns an out-of-band resize into adjustments', async () => {
    const response = await fetch(`${cloud.sim.url}/_sim/servers/${serverId}/out-of-band`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-sim-admin-secret': cloud.sim.adminSecret },
      body: JSON.stringify({ action: 'resize', flavor: '2c4g' }),
    });
    expect(response.status).toBe(202);
    await pollUntil(() => getServer(demo, serverId), (server) => server.status === 'ACTIVE' && server.taskState === null && server.flavor.vcpus === 2, 15_000, 100);

    const result = await runCli(['sync', '--once', '--full'], env);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/vm-sync-full: /);

    const rows = await database.db.selectFrom('resource_adjustments').select(['dimension', 'old_value', 'new_value', 'source']).where('vm_id', '=', vmId).orderBy('dimension').execute();
    expect(rows.map((row) => [row.dimension, Number(row.old_value), Number(row.new_value), row.source])).toEqual([
      ['cpu', 1, 2, 'out_of_band'],
      ['memory', 1, 4, 'out_of_band'],
      ['storage', 20, 40, 'out_of_band'],
    ]);
  });
});
