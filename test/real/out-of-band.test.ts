import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFlavors, type Flavor, type OpenStackClient } from '../../src/openstack/index.ts';
import { deployPortal, type Deployment } from './support/deployment.ts';
import { novaServer, waitForNovaGone, waitForNovaStatus } from './support/nova.ts';
import { openstack } from './support/openstack-cli.ts';
import type { CommandResult } from './support/processes.ts';
import { readRealCloudSettings } from './support/settings.ts';
import { readVm, requestVm, waitForVmStatus, type Page, type VmView } from './support/vms.ts';

const settings = readRealCloudSettings();

interface Adjustment {
  vmId: string | null;
  subject: string;
  dimension: string;
  oldValue: number;
  newValue: number;
  direction: string;
  source: string;
}

/** Picks the smallest visible flavor larger than the given one in CPU, memory and disk, so every dimension changes. */
async function largerFlavor(nova: OpenStackClient, flavorId: string): Promise<Flavor> {
  const flavors = await listFlavors(nova);
  const current = flavors.find((flavor) => flavor.id === flavorId);
  if (current === undefined) throw new Error(`flavor ${flavorId} of the VM is not in the flavor list`);

  const larger = flavors
    .filter((flavor) => flavor.vcpus > current.vcpus && flavor.ramMiB > current.ramMiB && flavor.diskGiB > current.diskGiB)
    .sort((a, b) => a.vcpus - b.vcpus || a.ramMiB - b.ramMiB || a.diskGiB - b.diskGiB);
  if (larger[0] === undefined) throw new Error(`the cloud has no flavor larger than ${current.name} in CPU, memory and disk`);
  return larger[0];
}

function output(result: CommandResult): string {
  return `exit ${result.code ?? result.signal}\n${result.stdout}${result.stderr}`;
}

/**
 * An administrator changes servers with the `openstack` CLI, outside the portal; one run of
 * `tenant-portal sync --once` must bring the portal in line. The worker is stopped for these
 * tests, because its own vm-sync runs every minute and would otherwise hide whether the CLI run
 * did the work.
 */
describe('servers changed in Nova outside the portal', () => {
  let deployment: Deployment;
  let stopped: VmView;
  let deleted: VmView;
  let resized: VmView;

  beforeAll(async () => {
    deployment = await deployPortal(settings);
    const user = deployment.tenantAdmin;
    const requested = await Promise.all(['stop', 'delete', 'resize'].map((role) => requestVm(user, deployment.systemId, `e2e-${deployment.runId}-${role}`)));
    [stopped, deleted, resized] = (await Promise.all(requested.map((vm) => waitForVmStatus(user, vm.id, 'running')))) as [VmView, VmView, VmView];

    await deployment.worker.stop();
  });

  afterAll(async () => {
    await deployment?.close();
  });

  it('sync shows an out-of-band stop', async () => {
    await openstack(settings, ['server', 'stop', stopped.serverId as string]);
    await waitForNovaStatus(deployment.nova, stopped.serverId as string, 'SHUTOFF');
    const before = await readVm(deployment.tenantAdmin, stopped.id);

    const result = await deployment.cli(['sync', '--once']);
    const after = await readVm(deployment.tenantAdmin, stopped.id);

    expect(before.status).toBe('running');
    expect(result.code, output(result)).toBe(0);
    expect(after.status).toBe('stopped');
  });

  it('sync shows an out-of-band delete', async () => {
    await openstack(settings, ['server', 'delete', '--wait', deleted.serverId as string]);
    await waitForNovaGone(deployment.nova, deleted.serverId as string);
    const before = await readVm(deployment.tenantAdmin, deleted.id);

    const result = await deployment.cli(['sync', '--once']);
    const after = await readVm(deployment.tenantAdmin, deleted.id);

    expect(before.status).toBe('running');
    expect(result.code, output(result)).toBe(0);
    expect(after.status).toBe('deleted');
    expect(after.deletedAt).not.toBeNull();
  });

  it('sync records resize adjustments', async () => {
    const serverId = resized.serverId as string;
    const target = await largerFlavor(deployment.nova, resized.flavor.id as string);
    await openstack(settings, ['server', 'resize', '--flavor', target.id, '--wait', serverId]);
    await waitForNovaStatus(deployment.nova, serverId, 'VERIFY_RESIZE');
    await openstack(settings, ['server', 'resize', 'confirm', serverId]);
    const server = await waitForNovaStatus(deployment.nova, serverId, 'ACTIVE');
    expect(server?.flavor.name).toBe(target.name);

    const result = await deployment.cli(['sync', '--once']);
    expect(result.code, output(result)).toBe(0);

    // On the local Zed cloud this is m1.small to m1.medium: cpu 1 to 2, memory 1 to 4 GiB, storage 10 to 40 GiB.
    const page = await deployment.tenantAdmin.get<Page<Adjustment>>(`/api/v1/resource-adjustments?vm_id=${resized.id}`);
    const byDimension = new Map(page.items.map((row) => [row.dimension, row]));
    const expected = { subject: 'vm', direction: 'increase', source: 'out_of_band' };
    expect(page.items).toHaveLength(3);
    expect(byDimension.get('cpu')).toMatchObject({ ...expected, oldValue: resized.cpu, newValue: target.vcpus });
    expect(byDimension.get('memory')).toMatchObject({ ...expected, oldValue: resized.memoryMiB / 1024, newValue: target.ramMiB / 1024 });
    expect(byDimension.get('storage')).toMatchObject({ ...expected, oldValue: resized.rootDiskGiB, newValue: target.diskGiB });

    const portalVm = await readVm(deployment.tenantAdmin, resized.id);
    expect(portalVm.status).toBe('running');
    expect(portalVm.cpu).toBe(target.vcpus);
    expect(portalVm.memoryMiB).toBe(target.ramMiB);
    expect(portalVm.rootDiskGiB).toBe(target.diskGiB);
  });

  it('full sync changes nothing more', async () => {
    const result = await deployment.cli(['sync', '--once', '--full']);
    const statuses = await Promise.all([stopped, deleted, resized].map(async (vm) => (await readVm(deployment.tenantAdmin, vm.id)).status));

    expect(result.code, output(result)).toBe(0);
    expect(statuses).toEqual(['stopped', 'deleted', 'running']);
    expect(await novaServer(deployment.nova, stopped.serverId as string)).toMatchObject({ status: 'SHUTOFF' });
  });
});
