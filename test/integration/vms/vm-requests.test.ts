import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBoundTenant, openVmTestApp, smallVm, type TenantFixture, type VmTestApp } from '../../helpers/sim-cloud.ts';
import { databaseKinds } from '../../helpers/test-database.ts';

describe.each(databaseKinds())('VM request rules on %s', (kind) => {
  let t: VmTestApp;
  let tenant: TenantFixture;
  let other: TenantFixture;

  beforeAll(async () => {
    t = await openVmTestApp(kind);
    tenant = await createBoundTenant(t, 'rules', { cloud: 'sim-demo', projectName: 'demo' }, { cpu: 8, memoryGiB: 6, storageGiB: 200 });
    other = await createBoundTenant(t, 'other', { cloud: 'sim-alt', projectName: 'alt' });
  });

  afterAll(async () => {
    await t?.close();
  });

  const admin = () => tenant.sessions.admin.headers;
  const create = (payload: object, headers: Record<string, string> = admin()) => t.app.inject({ method: 'POST', url: '/api/v1/vms', headers, payload });
  const watchLast = async () => t.watch((t.queue.sent.at(-1)?.data as { operationId: string }).operationId);

  it('rejects a VM beyond the system capacity before creating a server', async () => {
    const serversBefore = t.cloud.count('POST', /\/servers$/);
    const limitsBefore = t.cloud.count('GET', /\/limits$/);
    const response = await create(smallVm(tenant.systemId, 'too-big', { cpu: 2, memoryGiB: 8 }));

    expect(response.statusCode).toBe(409);
    const problem = response.json();
    expect(problem.code).toBe('CAPACITY_EXCEEDED');
    expect(problem.detail).toContain('内存 8 GiB');
    expect(problem.detail).toContain('剩余 CPU 8 核、内存 6 GiB');
    expect(problem.errors).toEqual([{ field: 'memoryGiB', code: 'capacity', message: '内存不足：需要 8 GiB，剩余 6 GiB' }]);
    expect(t.cloud.count('POST', /\/servers$/)).toBe(serversBefore);
    // The ordered capacity is the portal's own rule, so Nova's quota is not even read.
    expect(t.cloud.count('GET', /\/limits$/)).toBe(limitsBefore);
    expect(await t.db.selectFrom('virtual_machines').select('id').where('name', '=', 'too-big').execute()).toEqual([]);

    const english = await t.app.inject({ method: 'POST', url: '/api/v1/vms', headers: { ...admin(), 'accept-language': 'en-US' }, payload: smallVm(tenant.systemId, 'too-big', { cpu: 2, memoryGiB: 8 }) });
    expect(english.json().errors[0].message).toBe('Not enough memory: 8 GiB requested, 6 GiB remaining');
  });

  it('rejects unknown flavor, image and network ids field by field', async () => {
    const response = await create({ ...smallVm(tenant.systemId, 'bad-ids'), os: undefined, imageId: 'no-such-image', flavorId: 'no-such-flavor', networkId: 'no-such-network' });
    expect(response.statusCode).toBe(400);
    const errors = response.json().errors as { field: string; message: string }[];
    expect(errors.map((error) => error.field).sort()).toEqual(['flavorId', 'imageId', 'networkId']);
    expect(errors.find((error) => error.field === 'imageId')?.message).toContain('no-such-image');
    expect(errors.find((error) => error.field === 'flavorId')?.message).toContain('no-such-flavor');
    expect(errors.find((error) => error.field === 'networkId')?.message).toContain('no-such-network');
  });

  it('rejects a deactivated image, a too small flavor and an external network', async () => {
    const images = (await t.app.inject({ method: 'GET', url: '/api/v1/catalog/images', headers: admin() })).json().items;
    expect(images.some((image: { name: string }) => image.name === 'CentOS-6-retired')).toBe(false);
    const retired = [...t.cloud.sim.store.images.values()].find((image) => image.name === 'CentOS-6-retired');
    const tiny = [...t.cloud.sim.store.flavors.values()].find((flavor) => flavor.name === '1c1g');
    const external = [...t.cloud.sim.store.networks.values()].find((network) => network.name === 'public');

    const response = await create({ ...smallVm(tenant.systemId, 'bad-picks', { memoryGiB: 2 }), os: undefined, imageId: retired?.id, flavorId: tiny?.id, networkId: external?.id });
    expect(response.statusCode).toBe(400);
    const messages = Object.fromEntries((response.json().errors as { field: string; message: string }[]).map((error) => [error.field, error.message]));
    expect(messages.imageId).toContain('deactivated');
    expect(messages.flavorId).toContain('1c1g');
    expect(messages.networkId).toContain('external');
  });

  it('rejects an invalid name and an out-of-range size', async () => {
    const response = await create(smallVm(tenant.systemId, '1-starts-with-digit', { cpu: 0 }));
    expect(response.statusCode).toBe(400);
    expect(response.json().errors.map((error: { field: string }) => error.field)).toContain('cpu');

    const badName = await create(smallVm(tenant.systemId, 'ends-with-'));
    expect(badName.statusCode).toBe(400);
    expect(badName.json().errors[0].field).toBe('name');
  });

  it('creates one VM for two requests with the same Idempotency-Key', async () => {
    const headers = { ...admin(), 'idempotency-key': 'create-idem-1' };
    const first = await create(smallVm(tenant.systemId, 'idem-1'), headers);
    const second = await create(smallVm(tenant.systemId, 'idem-1'), headers);

    expect(first.statusCode).toBe(202);
    expect(second.statusCode).toBe(202);
    expect(second.json()).toEqual(first.json());
    expect(await t.db.selectFrom('virtual_machines').select('id').where('name', '=', 'idem-1').execute()).toHaveLength(1);

    const reused = await create(smallVm(tenant.systemId, 'idem-2'), headers);
    expect(reused.statusCode).toBe(422);
    expect(reused.json().code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await t.db.selectFrom('virtual_machines').select('id').where('name', '=', 'idem-2').execute()).toEqual([]);
    await watchLast();
  });

  it('replays a failed create instead of repeating it', async () => {
    const headers = { ...admin(), 'idempotency-key': 'create-fails-1' };
    t.cloud.sim.admin.configureFaults({ routes: [{ method: 'POST', path: '/compute/v2.1/servers', errorRate: 1, status: 500, message: 'injected create failure' }] });
    let first;
    try {
      first = await create(smallVm(tenant.systemId, 'idem-fail'), headers);
    } finally {
      t.cloud.sim.admin.configureFaults({});
    }
    const second = await create(smallVm(tenant.systemId, 'idem-fail'), { ...headers, 'accept-language': 'en-US' });

    expect(first.statusCode).toBe(503);
    expect(second.statusCode).toBe(503);
    expect(second.json().code).toBe(first.json().code);
    expect(second.json().title).not.toBe(first.json().title);
    const rows = await t.db.selectFrom('virtual_machines').select(['status']).where('name', '=', 'idem-fail').execute();
    expect(rows).toEqual([{ status: 'error' }]);

    const fresh = await create(smallVm(tenant.systemId, 'idem-fail'), { ...admin(), 'idempotency-key': 'create-fails-2' });
    expect(fresh.statusCode).toBe(202);
    await watchLast();
  });

  it('returns 409 for a replay in progress', async () => {
    const sameHash = await t.app.inject({ method: 'POST', url: '/api/v1/vms', headers: { ...admin(), 'idempotency-key': 'busy-key-2' }, payload: smallVm(tenant.systemId, 'busy-2') });
    expect(sameHash.statusCode).toBe(202);
    const stored = await t.db.selectFrom('idempotency_keys').select(['request_hash', 'state']).where('key', '=', 'busy-key-2').executeTakeFirstOrThrow();
    await t.db.updateTable('idempotency_keys').set({ state: 'in_progress' }).where('key', '=', 'busy-key-2').execute();

    const replay = await t.app.inject({ method: 'POST', url: '/api/v1/vms', headers: { ...admin(), 'idempotency-key': 'busy-key-2' }, payload: smallVm(tenant.systemId, 'busy-2') });
    expect(stored.state).toBe('completed');
    expect(replay.statusCode).toBe(409);
    expect(replay.json().code).toBe('IDEMPOTENCY_IN_PROGRESS');
    await watchLast();
  });

  it('sends one of ten concurrent stops to Nova', async () => {
    const created = await create(smallVm(tenant.systemId, 'race-1'));
    expect(await watchLast()).toBe('succeeded');
    const vmId = created.json().id;
    const stopsBefore = t.cloud.count('POST', /\/action$/);

    const responses = await Promise.all(
      Array.from({ length: 10 }, () => t.app.inject({ method: 'POST', url: `/api/v1/vms/${vmId}/actions`, headers: tenant.sessions.operator.headers, payload: { action: 'stop' } })),
    );
    const statuses = responses.map((response) => response.statusCode);

    expect(statuses.filter((status) => status === 202)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(9);
    for (const response of responses.filter((item) => item.statusCode === 409)) {
      expect(response.json().code).toBe('VM_ACTION_PENDING');
      expect(response.json().detail).toContain('正在关机');
    }
    expect(t.cloud.count('POST', /\/action$/) - stopsBefore).toBe(1);

    const accepted = responses.find((response) => response.statusCode === 202);
    expect(await t.watch(accepted?.json().id)).toBe('succeeded');
  });

  it('hides another tenant’s VM on every route and changes nothing', async () => {
    const created = await create(smallVm(other.systemId, 'foreign-1'), other.sessions.admin.headers);
    expect(created.statusCode, created.body).toBe(202);
    expect(await watchLast()).toBe('succeeded');
    const foreignId = created.json().id;
    const before = await t.db.selectFrom('virtual_machines').selectAll().where('id', '=', foreignId).executeTakeFirstOrThrow();
    const operationsBefore = await t.db.selectFrom('operation_logs').select('id').where('vm_id', '=', foreignId).execute();

    const attempts = [
      { method: 'GET' as const, url: `/api/v1/vms/${foreignId}` },
      { method: 'GET' as const, url: `/api/v1/vms/${foreignId}?refresh=true` },
      { method: 'GET' as const, url: `/api/v1/vms/${foreignId}/operations` },
      { method: 'POST' as const, url: `/api/v1/vms/${foreignId}/actions`, payload: { action: 'stop' } },
      { method: 'DELETE' as const, url: `/api/v1/vms/${foreignId}?force=true` },
    ];
    for (const attempt of attempts) {
      const response = await t.app.inject({ ...attempt, headers: admin() });
      expect(response.statusCode, `${attempt.method} ${attempt.url}`).toBe(404);
      expect(response.json().code).toBe('NOT_FOUND');
    }

    const missing = await t.app.inject({ method: 'GET', url: '/api/v1/vms/00000000-0000-4000-8000-000000000000', headers: admin() });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().detail.replace(/[0-9a-f-]{36}/, 'ID')).toBe((await t.app.inject({ method: 'GET', url: `/api/v1/vms/${foreignId}`, headers: admin() })).json().detail.replace(/[0-9a-f-]{36}/, 'ID'));

    const list = await t.app.inject({ method: 'GET', url: '/api/v1/vms?page_size=100', headers: admin() });
    expect(list.json().items.map((vm: { id: string }) => vm.id)).not.toContain(foreignId);

    expect(await t.db.selectFrom('virtual_machines').selectAll().where('id', '=', foreignId).executeTakeFirstOrThrow()).toEqual(before);
    expect(await t.db.selectFrom('operation_logs').select('id').where('vm_id', '=', foreignId).execute()).toEqual(operationsBefore);
  });

  it('returns NO_TENANT to an operator without tenant', async () => {
    const { createTestUser, loginAs } = await import('../../helpers/fixtures.ts');
    await createTestUser(t.db, 'loner', { platformOperator: true });
    const session = await loginAs(t.app, 'loner');
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/vms', headers: session.headers });
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('NO_TENANT');
  });
});
