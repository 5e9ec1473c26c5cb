import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBoundTenant, openVmTestApp, pollUntil, smallVm, type TenantFixture, type VmTestApp } from '../../helpers/sim-cloud.ts';
import { databaseKinds } from '../../helpers/test-database.ts';

describe.each(databaseKinds())('VM booted from a volume on %s', (kind) => {
  let t: VmTestApp;
  let tenant: TenantFixture;
  const flavorId = 'b0000000-0000-4000-8000-000000000001';

  beforeAll(async () => {
    t = await openVmTestApp(kind);
    // A flavor without a local disk, so the root disk must be a Cinder volume.
    t.cloud.sim.store.flavors.set(flavorId, { id: flavorId, name: '1c1g-volume', vcpus: 1, ram: 1024, disk: 0, ephemeral: 0, swap: 0, isPublic: true, description: null, extraSpecs: {} });
    tenant = await createBoundTenant(t, 'bfv', { cloud: 'sim-demo', projectName: 'demo' });
  });

  afterAll(async () => {
    await t?.close();
  });

  const admin = () => tenant.sessions.admin.headers;
  const watchLast = async () => t.watch((t.queue.sent.at(-1)?.data as { operationId: string }).operationId);

  it('creates the boot volume and removes it with the VM', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/vms', headers: admin(), payload: smallVm(tenant.systemId, 'bfv-1', { diskGiB: 30, flavorId }) });
    expect(created.statusCode, created.body).toBe(202);
    expect(created.json().rootDiskGiB).toBe(30);
    expect(await watchLast()).toBe('succeeded');

    const vm = (await t.app.inject({ method: 'GET', url: `/api/v1/vms/${created.json().id}`, headers: admin() })).json();
    expect(vm.status).toBe('running');
    expect(vm.bootVolumeId).not.toBeNull();
    const volume = t.cloud.sim.store.volumes.get(vm.bootVolumeId);
    expect(volume?.size).toBe(30);

    const deleted = await t.app.inject({ method: 'DELETE', url: `/api/v1/vms/${vm.id}?force=true`, headers: admin() });
    expect(deleted.statusCode).toBe(202);
    expect(await t.watch(deleted.json().id)).toBe('succeeded');

    const remaining = await pollUntil(async () => t.cloud.sim.store.volumes.get(vm.bootVolumeId), (value) => value === undefined || value.status === 'deleting');
    expect(remaining === undefined || remaining.status === 'deleting').toBe(true);
    expect(t.cloud.count('DELETE', new RegExp(`/volumes/${vm.bootVolumeId}$`))).toBe(1);
  });
});
