import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { buildCreateServerBody } from '../../../src/openstack/compute/servers.ts';
import { chooseMicroversion, parseVersionDocument, versionDocumentUrl } from '../../../src/openstack/compute/microversion.ts';
import {
  OPENSTACK_ERROR_CODES,
  computeMicroversion,
  createOpenStackClient,
  createServer,
  createServerWithRequestId,
  getComputeLimits,
  getComputeQuotas,
  getFlavor,
  getInstanceAction,
  getRemoteConsole,
  getServer,
  listFlavors,
  listInstanceActions,
  listServerPages,
  listServers,
  rebootServer,
  startServer,
  stopServer,
  updateComputeQuotas,
  type OpenStackClient,
  type OpenStackError,
} from '../../../src/openstack/index.ts';
import { loadFixture, replyFromFixture, serveFixtures, startFakeCloud, type FakeCloud } from './helpers/fake-cloud.ts';

let fake: FakeCloud;
let client: OpenStackClient;

const serverFixture = loadFixture('compute-server-get-2.93');
const serverId = (serverFixture.response.body as { server: { id: string } }).server.id;

async function rejection(promise: Promise<unknown>): Promise<OpenStackError> {
  try {
    await promise;
  } catch (error) {
    return error as OpenStackError;
  }
  throw new Error('expected a rejection');
}

function lastRequest(method: string, pathPrefix: string): { headers: Record<string, unknown>; body: string; url: string } {
  const requests = fake.requestsTo(method, pathPrefix);
  const request = requests[requests.length - 1];
  if (request === undefined) {
    throw new Error(`no ${method} ${pathPrefix} request`);
  }
  return request;
}

beforeEach(async () => {
  fake = await startFakeCloud();
  client = createOpenStackClient(fake.cloud());
});

afterEach(async () => {
  client.close();
  await fake.close();
});

describe('microversion negotiation', () => {
  it('uses the highest version both sides support', async () => {
    expect(await computeMicroversion(client)).toBe('2.93');
  });

  it('caps at the tested maximum', () => {
    expect(chooseMicroversion({ min: '2.1', max: '2.99' })).toBe('2.93');
    expect(chooseMicroversion({ min: '2.1', max: '2.60' })).toBe('2.60');
    expect(chooseMicroversion({ min: '2.1', max: '2.100' })).toBe('2.93');
  });

  it('honours a pinned version within range', () => {
    expect(chooseMicroversion({ min: '2.1', max: '2.93' }, '2.1')).toBe('2.1');
    expect(() => chooseMicroversion({ min: '2.1', max: '2.60' }, '2.93')).toThrow(/outside the cloud's range/);
  });

  it('reads the captured version document', () => {
    expect(parseVersionDocument(loadFixture('compute-version-document').response.body)).toEqual({ min: '2.1', max: '2.93' });
    expect(parseVersionDocument({ version: { version: '', min_version: '' } })).toEqual({ min: '2.1', max: '2.1' });
  });

  it('strips a project id from the endpoint', () => {
    expect(versionDocumentUrl('http://h:8774/v2.1/abc123')).toBe('http://h:8774/v2.1/');
    expect(versionDocumentUrl('http://h/compute/v2.1')).toBe('http://h/compute/v2.1/');
  });

  it('negotiates once and sends both headers', async () => {
    serveFixtures(fake, ['compute-server-get-2.93']);

    await Promise.all([getServer(client, serverId), getServer(client, serverId), getServer(client, serverId)]);
    const request = lastRequest('GET', `/compute/v2.1/servers/${serverId}`);

    expect(fake.requestsTo('GET', '/compute/v2.1/')).toHaveLength(4);
    expect(fake.requests.filter((recorded) => recorded.url === '/compute/v2.1/')).toHaveLength(1);
    expect(request.headers['openstack-api-version']).toBe('compute 2.93');
    expect(request.headers['x-openstack-nova-api-version']).toBe('2.93');
  });

  it('survives one caller aborting the shared negotiation', async () => {
    fake.routes.unshift({ method: 'GET', path: '/compute/v2.1/', handler: () => ({ ...replyFromFixture('compute-version-document'), delayMs: 200 }) });
    serveFixtures(fake, ['compute-server-get-2.93']);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);

    const [aborted, served] = await Promise.allSettled([getServer(client, serverId, controller.signal), getServer(client, serverId)]);

    expect(aborted.status).toBe('rejected');
    expect(aborted.status === 'rejected' ? (aborted.reason as OpenStackError).code : null).toBe(OPENSTACK_ERROR_CODES.OS_ABORTED);
    expect(served.status).toBe('fulfilled');
    expect(served.status === 'fulfilled' ? served.value.id : null).toBe(serverId);
    expect(fake.requests.filter((recorded) => recorded.url === '/compute/v2.1/')).toHaveLength(1);
  });

  it('sends a pinned 2.1', async () => {
    const pinned = createOpenStackClient(fake.cloud(), { computeMicroversion: '2.1' });
    serveFixtures(fake, ['compute-server-get-2.1']);

    await getServer(pinned, serverId);
    pinned.close();

    expect(lastRequest('GET', `/compute/v2.1/servers/${serverId}`).headers['openstack-api-version']).toBe('compute 2.1');
  });
});

describe('server decoding', () => {
  it('decodes a 2.93 server with an embedded flavor', async () => {
    serveFixtures(fake, ['compute-server-get-2.93']);

    const server = await getServer(client, serverId);

    expect(server.id).toBe(serverId);
    expect(server.name).toBe('fixture-server-1');
    expect(server.status).toBe('ACTIVE');
    expect(server.vmState).toBe('active');
    expect(server.taskState).toBeNull();
    expect(server.powerState).toBe(1);
    expect(server.flavor).toMatchObject({ id: null, name: 'm1.small', vcpus: 1, ramMiB: 1024, diskGiB: 10, swapMiB: 0 });
    expect(server.imageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(server.addresses['demo-net']?.[0]).toMatchObject({ version: 4, type: 'fixed' });
    expect(server.addresses['demo-net']?.[0]?.macAddr).toMatch(/^fa:16:3e:/);
    expect(server.metadata).toEqual({ purpose: 'fixture' });
    expect(server.host).toBeNull();
    expect(server.fault).toBeNull();
    expect(server.tags).toEqual([]);
    expect(server.locked).toBe(false);
  });

  it('reads launched_at without a zone as UTC', async () => {
    serveFixtures(fake, ['compute-server-get-2.93']);
    const raw = (serverFixture.response.body as { server: Record<string, string> }).server;

    const server = await getServer(client, serverId);

    expect(raw['OS-SRV-USG:launched_at']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    expect(server.launchedAt?.toISOString()).toBe(`${raw['OS-SRV-USG:launched_at']?.slice(0, 19)}.000Z`);
    expect(server.updated?.toISOString()).toBe(raw['updated']?.replace('Z', '.000Z'));
  });

  it('decodes a 2.1 server with a flavor id', async () => {
    const pinned = createOpenStackClient(fake.cloud(), { computeMicroversion: '2.1' });
    serveFixtures(fake, ['compute-server-get-2.1']);

    const server = await getServer(pinned, serverId);
    pinned.close();

    expect(server.flavor.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(server.flavor.name).toBeNull();
    expect(server.flavor.ramMiB).toBeNull();
    expect(server.description).toBeNull();
  });

  it('decodes a SHUTOFF server', async () => {
    serveFixtures(fake, ['compute-server-get-shutoff-2.93']);

    const server = await getServer(client, serverId);

    expect(server.status).toBe('SHUTOFF');
    expect(server.vmState).toBe('stopped');
    expect(server.powerState).toBe(4);
  });

  it('decodes the fault of an ERROR server', async () => {
    const errorServer = (loadFixture('compute-server-get-error-fault').response.body as { server: { id: string } }).server;
    serveFixtures(fake, ['compute-server-get-error-fault']);

    const server = await getServer(client, errorServer.id);

    expect(server.status).toBe('ERROR');
    expect(server.fault?.code).toBe(500);
    expect(server.fault?.message).toContain('No valid host was found');
    expect(server.addresses).toEqual({});
  });

  it('reads an empty image as boot from volume', async () => {
    fake.routes.unshift({
      method: 'GET',
      path: `/compute/v2.1/servers/${serverId}`,
      handler: () =>
        replyFromFixture('compute-server-get-2.93', (fixture) => {
          (fixture.response.body as { server: Record<string, unknown> }).server['image'] = '';
        }),
    });

    expect((await getServer(client, serverId)).imageId).toBeNull();
  });
});

describe('server listing', () => {
  it('follows servers_links until an empty page', async () => {
    serveFixtures(fake, ['compute-servers-detail-page-1', 'compute-servers-detail-page-2', 'compute-servers-detail-page-3']);

    const pages: string[][] = [];
    for await (const page of listServerPages(client, { name: 'fixture-server', limit: 1 })) {
      pages.push(page.map((server) => server.name));
    }

    expect(pages).toEqual([['fixture-server-2'], ['fixture-server-1']]);
    expect(fake.requestsTo('GET', '/compute/v2.1/servers/detail')).toHaveLength(3);
    expect(lastRequest('GET', '/compute/v2.1/servers/detail').url).toContain('marker=');
  });

  it('sends every filter', async () => {
    fake.routes.unshift({ method: 'GET', path: '/compute/v2.1/servers/detail', handler: () => ({ status: 200, body: { servers: [] } }) });

    await listServers(client, { allTenants: true, projectId: 'p1', changesSince: new Date('2026-12-04T19:00:00Z'), status: 'ACTIVE', name: 'web', limit: 5, marker: 'm1' });
    const url = new URL(lastRequest('GET', '/compute/v2.1/servers/detail').url, fake.origin);

    expect(Object.fromEntries(url.searchParams)).toEqual({
      all_tenants: '1',
      project_id: 'p1',
      'changes-since': '2026-12-04T19:00:00.000Z',
      status: 'ACTIVE',
      name: 'web',
      limit: '5',
      marker: 'm1',
    });
  });

  it('lists deleted servers from changes-since', async () => {
    fake.routes.unshift({ method: 'GET', path: '/compute/v2.1/servers/detail', handler: () => replyFromFixture('compute-servers-changes-since') });

    const servers = await listServers(client, { changesSince: '2026-12-04T20:00:00Z' });

    expect(servers.map((server) => server.status)).toEqual(['DELETED']);
  });

  it('stops on a repeated next link', async () => {
    const loop = { status: 200, body: { servers: [{ id: 'a' }], servers_links: [{ rel: 'next', href: `${fake.origin}/compute/v2.1/servers/detail?marker=a` }] } };
    fake.routes.unshift({ method: 'GET', path: '/compute/v2.1/servers/detail', handler: () => loop });

    const error = await rejection(listServers(client));

    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_INVALID_RESPONSE);
    expect(fake.requestsTo('GET', '/compute/v2.1/servers/detail')).toHaveLength(2);
  });
});

describe('server create', () => {
  it('returns the id from the 202 body', async () => {
    fake.routes.unshift({ method: 'POST', path: '/compute/v2.1/servers', handler: () => replyFromFixture('compute-server-create-202') });
    const captured = loadFixture('compute-server-create-202');

    const id = await createServer(client, { name: 'fixture-server-1', flavorId: 'f', imageId: 'i', networks: [{ uuid: 'n' }], metadata: { purpose: 'fixture' } });

    expect(id).toBe((captured.response.body as { server: { id: string } }).server.id);
    expect(JSON.parse(lastRequest('POST', '/compute/v2.1/servers').body)).toEqual({
      server: { name: 'fixture-server-1', flavorRef: 'f', imageRef: 'i', networks: [{ uuid: 'n' }], metadata: { purpose: 'fixture' } },
    });
  });

  it('returns the request id of a create', async () => {
    fake.routes.unshift({ method: 'POST', path: '/compute/v2.1/servers', handler: () => replyFromFixture('compute-server-create-202') });
    const headers = loadFixture('compute-server-create-202').response.headers;

    const created = await createServerWithRequestId(client, { name: 'x', flavorId: 'f', imageId: 'i', networks: 'auto' });

    expect(created.requestId).toBe(headers['x-openstack-request-id']);
    expect(headers['location']).toContain(created.serverId);
  });

  it('does not retry a failed create', async () => {
    fake.routes.unshift({ method: 'POST', path: '/compute/v2.1/servers', handler: () => ({ status: 503, body: { computeFault: { code: 503, message: 'busy' } } }) });

    const error = await rejection(createServer(client, { name: 'x', flavorId: 'f', imageId: 'i', networks: 'auto' }));

    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_UNAVAILABLE);
    expect(fake.requestsTo('POST', '/compute/v2.1/servers')).toHaveLength(1);
  });

  it('maps Nova quota 403 to OS_QUOTA_EXCEEDED', async () => {
    fake.routes.unshift({ method: 'POST', path: '/compute/v2.1/servers', handler: () => replyFromFixture('compute-server-create-quota-403') });

    const error = await rejection(createServer(client, { name: 'x', flavorId: 'f', imageId: 'i', networks: 'none' }));

    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_QUOTA_EXCEEDED);
    expect(error.openstackMessage).toBe('Quota exceeded for instances: Requested 1, but already used 0 of 0 instances');
  });

  it('builds boot from volume, user data and the other fields', () => {
    const body = buildCreateServerBody(
      {
        name: 'bfv',
        flavorId: 'f',
        networks: [{ port: 'p1' }, { uuid: 'n1', fixedIp: '10.0.0.5' }],
        blockDeviceMappings: [{ sourceType: 'image', destinationType: 'volume', uuid: 'img', bootIndex: 0, volumeSize: 10, deleteOnTermination: true }],
        availabilityZone: 'nova',
        keyName: 'k',
        securityGroups: ['default', 'web'],
        userData: '#cloud-config\n',
        description: 'd',
      },
      '2.93',
    );

    expect(body).toEqual({
      server: {
        name: 'bfv',
        flavorRef: 'f',
        imageRef: '',
        networks: [{ port: 'p1' }, { uuid: 'n1', fixed_ip: '10.0.0.5' }],
        block_device_mapping_v2: [{ source_type: 'image', destination_type: 'volume', uuid: 'img', boot_index: 0, volume_size: 10, delete_on_termination: true }],
        availability_zone: 'nova',
        key_name: 'k',
        security_groups: [{ name: 'default' }, { name: 'web' }],
        user_data: Buffer.from('#cloud-config\n').toString('base64'),
        description: 'd',
      },
    });
  });

  it('adapts networks to the microversion', () => {
    expect(buildCreateServerBody({ name: 'x', flavorId: 'f', imageId: 'i', networks: 'auto' }, '2.93').server).toMatchObject({ networks: 'auto' });
    expect(buildCreateServerBody({ name: 'x', flavorId: 'f', imageId: 'i', networks: 'auto' }, '2.1').server).toMatchObject({ networks: undefined });
    expect(() => buildCreateServerBody({ name: 'x', flavorId: 'f', imageId: 'i', networks: 'none' }, '2.1')).toThrow(/2\.37/);
    expect(() => buildCreateServerBody({ name: 'x', flavorId: 'f', imageId: 'i', networks: 'auto', description: 'd' }, '2.1')).toThrow(/2\.19/);
  });

  it('rejects user data over 64 KiB encoded', () => {
    expect(() => buildCreateServerBody({ name: 'x', flavorId: 'f', imageId: 'i', networks: 'auto', userData: 'a'.repeat(60_000) }, '2.93')).toThrow(/user_data/);
  });
});

describe('server actions', () => {
  it('parses the conflict of start on ACTIVE', async () => {
    fake.routes.unshift({ method: 'POST', path: `/compute/v2.1/servers/${serverId}/action`, handler: () => replyFromFixture('compute-server-start-active-409') });

    const error = await rejection(startServer(client, serverId));

    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_CONFLICT);
    expect(error.conflict).toEqual({ action: 'start', serverId, vmState: 'active', taskState: null });
    expect(fake.requestsTo('POST', `/compute/v2.1/servers/${serverId}/action`)).toHaveLength(1);
  });

  it('sends the action bodies', async () => {
    fake.routes.unshift({ method: 'POST', path: `/compute/v2.1/servers/${serverId}/action`, handler: () => replyFromFixture('compute-server-stop-202') });

    const stopped = await stopServer(client, serverId);
    await rebootServer(client, serverId, 'HARD');
    const bodies = fake.requestsTo('POST', `/compute/v2.1/servers/${serverId}/action`).map((request) => JSON.parse(request.body) as unknown);

    expect(bodies).toEqual([{ 'os-stop': null }, { reboot: { type: 'HARD' } }]);
    expect(stopped.requestId).toBe(loadFixture('compute-server-stop-202').response.headers['x-openstack-request-id']);
  });

  it('reads a remote console at 2.93', async () => {
    const consoleFixture = loadFixture('compute-remote-console');
    const consolePath = consoleFixture.request.path;
    fake.routes.unshift({ method: 'POST', path: consolePath, handler: () => replyFromFixture('compute-remote-console') });

    const console = await getRemoteConsole(client, consolePath.split('/')[4] ?? '', { protocol: 'vnc', type: 'novnc' });

    expect(console.protocol).toBe('vnc');
    expect(console.url).toContain('vnc_auto.html');
  });

  it('uses os-getVNCConsole before 2.6', async () => {
    const pinned = createOpenStackClient(fake.cloud(), { computeMicroversion: '2.1' });
    fake.routes.unshift({ method: 'POST', path: `/compute/v2.1/servers/${serverId}/action`, handler: () => ({ status: 200, body: { console: { type: 'novnc', url: 'http://127.0.0.1:6080/x' } } }) });

    const console = await getRemoteConsole(pinned, serverId, { protocol: 'vnc', type: 'novnc' });
    pinned.close();

    expect(console.url).toBe('http://127.0.0.1:6080/x');
    expect(JSON.parse(lastRequest('POST', `/compute/v2.1/servers/${serverId}/action`).body)).toEqual({ 'os-getVNCConsole': { type: 'novnc' } });
  });
});

describe('flavors', () => {
  it('normalises swap "" at 2.1 to 0 MiB', async () => {
    const raw = (loadFixture('compute-flavors-detail-2.1').response.body as { flavors: Array<{ swap: unknown }> }).flavors;
    const pinned = createOpenStackClient(fake.cloud(), { computeMicroversion: '2.1' });
    fake.routes.unshift({ method: 'GET', path: '/compute/v2.1/flavors/detail', handler: () => replyFromFixture('compute-flavors-detail-2.1') });

    const flavors = await listFlavors(pinned);
    pinned.close();

    expect(raw.every((flavor) => flavor.swap === '')).toBe(true);
    expect(flavors.map((flavor) => flavor.swapMiB)).toEqual([0, 0, 0]);
    expect(flavors.find((flavor) => flavor.name === 'm1.small')).toMatchObject({ vcpus: 1, ramMiB: 1024, diskGiB: 10, ephemeralGiB: 0, isPublic: true, disabled: false });
  });

  it('reads 2.93 flavors', async () => {
    fake.routes.unshift({ method: 'GET', path: '/compute/v2.1/flavors/detail', handler: () => replyFromFixture('compute-flavors-detail-2.93') });

    const flavors = await listFlavors(client);

    expect(flavors.map((flavor) => flavor.name).sort()).toEqual(['m1.large', 'm1.medium', 'm1.small']);
    expect(flavors.every((flavor) => flavor.swapMiB === 0 && flavor.description === null)).toBe(true);
  });

  it('gets one flavor', async () => {
    const captured = loadFixture('compute-flavor-get-2.1');
    fake.routes.unshift({ method: 'GET', path: captured.request.path, handler: () => replyFromFixture('compute-flavor-get-2.1') });

    const flavor = await getFlavor(client, captured.request.path.split('/').pop() ?? '');

    expect(flavor.name).toBe('m1.small');
    expect(flavor.swapMiB).toBe(0);
  });
});

describe('limits, quotas and instance actions', () => {
  it('reads absolute limits', async () => {
    serveFixtures(fake, ['compute-limits']);

    const limits = await getComputeLimits(client);

    expect(limits).toMatchObject({ maxTotalInstances: 10, maxTotalCores: 20, maxTotalRAMSizeMiB: 51200, totalInstancesUsed: 2 });
  });

  it('reads and updates quota sets', async () => {
    const readFixture = loadFixture('compute-quota-set');
    const updateFixture = loadFixture('compute-quota-update-admin');
    serveFixtures(fake, ['compute-quota-set', 'compute-quota-update-admin']);

    const quotas = await getComputeQuotas(client, readFixture.request.path.split('/').pop() ?? '');
    const updated = await updateComputeQuotas(client, updateFixture.request.path.split('/').pop() ?? '', { instances: 0 });

    expect(quotas).toMatchObject({ instances: 10, cores: 20, ramMiB: 51200 });
    expect(updated.instances).toBe(0);
    expect(JSON.parse(lastRequest('PUT', '/compute/v2.1/os-quota-sets/').body)).toEqual({ quota_set: { instances: 0 } });
  });

  it('lists and gets instance actions', async () => {
    const listFixture = loadFixture('compute-instance-actions-list');
    const getFixture = loadFixture('compute-instance-action-get');
    serveFixtures(fake, ['compute-instance-actions-list', 'compute-instance-action-get']);
    const id = listFixture.request.path.split('/')[4] ?? '';

    const actions = await listInstanceActions(client, id);
    const action = await getInstanceAction(client, id, getFixture.request.path.split('/').pop() ?? '');

    expect(actions.map((item) => item.action)).toEqual(['stop', 'create']);
    expect(actions[0]?.startTime?.toISOString()).toMatch(/Z$/);
    expect(action.action).toBe('stop');
    expect(action.events.length).toBeGreaterThan(0);
    expect(action.events[0]?.result).toBe('Success');
  });
});
