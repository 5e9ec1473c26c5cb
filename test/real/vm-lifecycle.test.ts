import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listInstanceActions } from '../../src/openstack/index.ts';
import { deployPortal, ORDERED_CAPACITY, USAGE_PRICES, type Deployment } from './support/deployment.ts';
import { expectedUsageBill, shanghaiDayBounds, shanghaiDayOf } from './support/expected-bill.ts';
import { novaServer, waitForNovaGone } from './support/nova.ts';
import { queryRows } from './support/postgres.ts';
import { readRealCloudSettings } from './support/settings.ts';
import { readVm, requestVm, waitForOperationEnd, waitForVmStatus, type OperationView, type VmView } from './support/vms.ts';

const settings = readRealCloudSettings();

/**
 * The tenant admin's path through one VM's life on a real cloud: every step through the portal's
 * HTTP API, each checked against Nova with the project's own client, then the day billed with the
 * CLI. The steps share one VM, so they run in order.
 */
describe('VM lifecycle through the portal on a real cloud', () => {
  let deployment: Deployment;
  let vm: VmView;

  beforeAll(async () => {
    deployment = await deployPortal(settings);
  });

  afterAll(async () => {
    await deployment?.close();
  });

  async function act(action: 'stop' | 'start' | 'reboot'): Promise<OperationView> {
    const accepted = await deployment.tenantAdmin.request<OperationView>('POST', `/api/v1/vms/${vm.id}/actions`, { action }, 202);
    const ended = await waitForOperationEnd(deployment.tenantAdmin, vm.id, accepted.id);
    expect(ended?.status, JSON.stringify(ended)).toBe('succeeded');
    return accepted;
  }

  it('create by OS and size reaches running', async () => {
    const accepted = await requestVm(deployment.tenantAdmin, deployment.systemId, `e2e-${deployment.runId}-life`);
    // On the local Zed cloud this is flavor m1.small and image ubuntu-22.04.
    expect(accepted.status).toBe('creating');
    expect(accepted.cpu).toBe(1);
    expect(accepted.memoryMiB).toBe(1024);
    expect(accepted.rootDiskGiB).toBeGreaterThanOrEqual(10);
    expect(accepted.os.distro).toBe('ubuntu');
    expect(accepted.os.version).toBe('22.04');

    vm = await waitForVmStatus(deployment.tenantAdmin, accepted.id, 'running');
    const server = await novaServer(deployment.nova, vm.serverId as string);
    const novaAddresses = Object.values(server?.addresses ?? {}).flatMap((entries) => entries.map((entry) => entry.addr));

    expect(server?.status).toBe('ACTIVE');
    expect(server?.metadata['portal_vm_id']).toBe(vm.id);
    expect(vm.primaryIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(novaAddresses).toContain(vm.primaryIp);
  });

  it('stop reaches SHUTOFF in Nova', async () => {
    await act('stop');

    const portalVm = await waitForVmStatus(deployment.tenantAdmin, vm.id, 'stopped');
    const server = await novaServer(deployment.nova, vm.serverId as string);
    expect(portalVm.status).toBe('stopped');
    expect(server?.status).toBe('SHUTOFF');
  });

  it('start reaches ACTIVE in Nova', async () => {
    await act('start');

    const portalVm = await waitForVmStatus(deployment.tenantAdmin, vm.id, 'running');
    const server = await novaServer(deployment.nova, vm.serverId as string);
    expect(portalVm.status).toBe('running');
    expect(server?.status).toBe('ACTIVE');
  });

  it('reboot is recorded by Nova', async () => {
    const accepted = await act('reboot');

    const portalVm = await waitForVmStatus(deployment.tenantAdmin, vm.id, 'running');
    const server = await novaServer(deployment.nova, vm.serverId as string);
    const actions = await listInstanceActions(deployment.nova, vm.serverId as string);
    const reboot = actions.find((action) => action.requestId === accepted.openstackRequestId);

    expect(portalVm.status).toBe('running');
    expect(server?.status).toBe('ACTIVE');
    expect(reboot?.action).toBe('reboot');
  });

  it('forced delete removes the server', async () => {
    const accepted = await deployment.tenantAdmin.request<OperationView>('DELETE', `/api/v1/vms/${vm.id}?force=true`, undefined, 202);
    const ended = await waitForOperationEnd(deployment.tenantAdmin, vm.id, accepted.id);
    expect(ended?.status, JSON.stringify(ended)).toBe('succeeded');

    vm = await readVm(deployment.tenantAdmin, vm.id);
    expect(vm.status).toBe('deleted');
    expect(vm.deletedAt).not.toBeNull();
    await waitForNovaGone(deployment.nova, vm.serverId as string);
    expect(await novaServer(deployment.nova, vm.serverId as string)).toBeNull();
  });

  it('bill rejects an unfinished day', async (context) => {
    const day = shanghaiDayOf(new Date(vm.createdAt));
    // Only when the suite ran across midnight in Shanghai has the VM's day already ended.
    if (Date.now() >= shanghaiDayBounds(day).end) context.skip();

    const result = await deployment.cli(['bill', '--date', day]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Day ${day} has not ended yet in Asia/Shanghai`);
  });

  it('bill matches the recorded life', async () => {
    const day = shanghaiDayOf(new Date(vm.createdAt));

    // The CLI bills only days that have ended, so it runs with its clock one day ahead
    // (libfaketime), as an operator's run on the next day would.
    const result = await deployment.cli(['bill', '--date', day], { prefix: ['faketime', '-f', '+1d'] });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Billed ${day} (Asia/Shanghai): 1 record(s) written, 0 already present.`);

    // No API returns billing records yet, so the record is read with SQL.
    const rows = await queryRows(
      deployment.database.url,
      `select time_zone, billing_mode, ordered_cpu_cores, ordered_memory_gib, ordered_storage_gib,
              core_hours::float8 as core_hours, memory_gib_hours::float8 as memory_gib_hours,
              storage_gib_hours::float8 as storage_gib_hours, amount_fen::float8 as amount_fen
         from billing_records where system_id = $1 and bill_date = $2`,
      [deployment.systemId, day],
    );
    expect(rows).toHaveLength(1);
    const record = rows[0] as Record<string, unknown>;
    const expected = expectedUsageBill([vm], day, USAGE_PRICES);

    expect(record['time_zone']).toBe('Asia/Shanghai');
    expect(record['billing_mode']).toBe('usage');
    expect(Number(record['ordered_cpu_cores'])).toBe(ORDERED_CAPACITY.cpuCores);
    expect(Number(record['ordered_memory_gib'])).toBe(ORDERED_CAPACITY.memoryGiB);
    expect(Number(record['ordered_storage_gib'])).toBe(ORDERED_CAPACITY.storageGiB);
    // The API shows times in milliseconds while the database keeps microseconds, so the last
    // decimal of an hour figure and one fen per price line may differ.
    expect(record['core_hours']).toBeCloseTo(expected.coreHours, 3);
    expect(record['memory_gib_hours']).toBeCloseTo(expected.memoryGiBHours, 3);
    expect(record['storage_gib_hours']).toBeCloseTo(expected.storageGiBHours, 3);
    expect(Math.abs(Number(record['amount_fen']) - expected.amountFen)).toBeLessThanOrEqual(3);
    expect(expected.coreHours).toBeGreaterThan(0);
  });
});
