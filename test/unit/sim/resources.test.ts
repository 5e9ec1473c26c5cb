import { afterEach, describe, expect, it } from 'vitest';
import type { TestSim } from './helpers.ts';
import { createTestSim, states } from './helpers.ts';

let env: TestSim;

afterEach(async () => {
  await env.sim.stop();
});

describe('volumes, ports and floating IPs', () => {
  it('volume goes creating, available, deleted', async () => {
    env = createTestSim();
    const token = await env.login();
    const projectId = env.sim.admin.projectId('demo');
    const created = await env.request('POST', `/volume/v3/${projectId}/volumes`, { token, body: { volume: { size: 2, name: 'data' } } });
    expect(created.status).toBe(202);
    const id = (created.body as { volume: { id: string; status: string } }).volume.id;
    expect((created.body as { volume: { status: string } }).volume.status).toBe('creating');
    env.clock.advance(60_000);
    const shown = (await env.request('GET', `/volume/v3/${projectId}/volumes/${id}`, { token })).body as { volume: { status: string } };
    expect(shown.volume.status).toBe('available');
    expect((await env.request('DELETE', `/volume/v3/${projectId}/volumes/${id}`, { token })).status).toBe(202);
    env.clock.advance(60_000);
    const gone = await env.request('GET', `/volume/v3/${projectId}/volumes/${id}`, { token });
    expect(gone.body).toEqual({ itemNotFound: { code: 404, message: `Volume ${id} could not be found.` } });
  });

  it('boot from volume marks it in-use, then available', async () => {
    env = createTestSim();
    const token = await env.login();
    const r = await env.refs(token);
    const projectId = env.sim.admin.projectId('demo');
    const result = await env.request('POST', '/compute/v2.1/servers', {
      token,
      body: {
        server: {
          name: 'bfv',
          flavorRef: r.flavorId,
          networks: [{ uuid: r.networkId }],
          block_device_mapping_v2: [{ boot_index: 0, uuid: r.imageId, source_type: 'image', destination_type: 'volume', volume_size: 20 }],
        },
      },
    });
    expect(result.status).toBe(202);
    const serverId = (result.body as { server: { id: string } }).server.id;
    env.clock.advance(60_000);
    const server = await env.server(token, serverId);
    expect(server?.image).toBe('');
    const attached = server?.['os-extended-volumes:volumes_attached'] as { id: string }[];
    expect(attached).toHaveLength(1);
    const volumeId = attached[0]?.id as string;
    const volume = (await env.request('GET', `/volume/v3/${projectId}/volumes/${volumeId}`, { token })).body as {
      volume: { status: string; bootable: string; attachments: { server_id: string }[] };
    };
    expect(volume.volume.status).toBe('in-use');
    expect(volume.volume.bootable).toBe('true');
    expect(volume.volume.attachments[0]?.server_id).toBe(serverId);

    const busy = await env.request('DELETE', `/volume/v3/${projectId}/volumes/${volumeId}`, { token });
    expect(busy.status).toBe(400);
    await env.request('DELETE', `/compute/v2.1/servers/${serverId}`, { token });
    env.clock.advance(60_000);
    const after = (await env.request('GET', `/volume/v3/${projectId}/volumes/${volumeId}`, { token })).body as { volume: { status: string } };
    expect(after.volume.status).toBe('available');
  });

  it('external network rejects member servers', async () => {
    env = createTestSim();
    const token = await env.login();
    const r = await env.refs(token);
    const networks = (await env.request('GET', '/network/v2.0/networks?router:external=true', { token })).body as { networks: { id: string; name: string }[] };
    expect(networks.networks.map((n) => n.name)).toEqual(['public']);
    const result = await env.request('POST', '/compute/v2.1/servers', {
      token,
      body: { server: { name: 'x', flavorRef: r.flavorId, imageRef: r.imageId, networks: [{ uuid: networks.networks[0]?.id }] } },
    });
    expect(result.status).toBe(403);
  });

  it('member sees own, shared and external networks', async () => {
    env = createTestSim();
    const demo = (await env.request('GET', '/network/v2.0/networks', { token: await env.login('demo') })).body as { networks: { name: string; admin_state_up: boolean }[] };
    expect(demo.networks.map((n) => n.name).sort()).toEqual(['demo-down-net', 'demo-net', 'public']);
    expect(demo.networks.find((n) => n.name === 'demo-down-net')?.admin_state_up).toBe(false);
    const alt = (await env.request('GET', '/network/v2.0/networks', { token: await env.login('alt') })).body as { networks: { name: string }[] };
    expect(alt.networks.map((n) => n.name).sort()).toEqual(['alt-net', 'public']);
  });

  it('floating IP associates and shows in addresses', async () => {
    env = createTestSim();
    const token = await env.login();
    const id = await env.createServer(token);
    env.clock.advance(60_000);
    const ports = (await env.request('GET', `/network/v2.0/ports?device_id=${id}`, { token })).body as { ports: { id: string; mac_address: string }[] };
    const networks = (await env.request('GET', '/network/v2.0/networks?name=public', { token })).body as { networks: { id: string }[] };
    const created = await env.request('POST', '/network/v2.0/floatingips', {
      token,
      body: { floatingip: { floating_network_id: networks.networks[0]?.id, port_id: ports.ports[0]?.id } },
    });
    expect(created.status).toBe(201);
    const fip = (created.body as { floatingip: { floating_ip_address: string; status: string; fixed_ip_address: string } }).floatingip;
    expect(fip.floating_ip_address).toBe('203.0.113.2');
    expect(fip.fixed_ip_address).toBe('10.10.0.2');
    const addresses = (await env.server(token, id))?.addresses as Record<string, { addr: string; 'OS-EXT-IPS:type': string }[]>;
    expect(addresses['demo-net']?.map((a) => [a.addr, a['OS-EXT-IPS:type']])).toEqual([
      ['10.10.0.2', 'fixed'],
      ['203.0.113.2', 'floating'],
    ]);
    const missing = await env.request('GET', '/network/v2.0/floatingips/00000000-0000-4000-8000-000000000000', { token });
    expect((missing.body as { NeutronError: { type: string } }).NeutronError.type).toBe('FloatingIPNotFound');
  });

  it('addresses come from the subnet pool in order', async () => {
    env = createTestSim();
    const token = await env.login();
    const first = await env.createServer(token, 'a');
    const second = await env.createServer(token, 'b');
    env.clock.advance(60_000);
    const addressOf = async (id: string) => ((await env.server(token, id))?.addresses as Record<string, { addr: string }[]>)['demo-net']?.[0]?.addr;
    expect(await addressOf(first)).toBe('10.10.0.2');
    expect(await addressOf(second)).toBe('10.10.0.3');
    expect(states(await env.server(token, second))[0]).toBe('ACTIVE');
  });
});

describe('glance image writes', () => {
  it('create, upload, patch and delete an image', async () => {
    env = createTestSim();
    const token = await env.login();
    const created = await env.request('POST', '/image/v2/images', { token, body: { name: 'mine', disk_format: 'qcow2', container_format: 'bare', os_distro: 'alpine' } });
    expect(created.status).toBe(201);
    const image = created.body as { id: string; status: string; os_distro: string; visibility: string };
    expect(image.status).toBe('queued');
    expect(image.os_distro).toBe('alpine');
    expect(image.visibility).toBe('shared');

    const upload = await env.sim.app.inject({
      method: 'PUT',
      url: `/image/v2/images/${image.id}/file`,
      headers: { 'x-auth-token': token, 'content-type': 'application/octet-stream' },
      payload: Buffer.from('0123456789'),
    });
    expect(upload.statusCode).toBe(204);
    const shown = (await env.request('GET', `/image/v2/images/${image.id}`, { token })).body as { status: string; size: number; checksum: string };
    expect(shown.status).toBe('active');
    expect(shown.size).toBe(10);
    expect(shown.checksum).toBe('781e5e245d69b566979b86e28d23f2c7');

    const patched = await env.request('PATCH', `/image/v2/images/${image.id}`, {
      token,
      headers: { 'content-type': 'application/openstack-images-v2.1-json-patch' },
      body: [
        { op: 'replace', path: '/name', value: 'renamed' },
        { op: 'add', path: '/os_version', value: '3.19' },
        { op: 'remove', path: '/os_distro' },
      ],
    });
    expect(patched.status).toBe(200);
    const after = patched.body as Record<string, unknown>;
    expect(after.name).toBe('renamed');
    expect(after.os_version).toBe('3.19');
    expect(after.os_distro).toBeUndefined();
    const readOnly = await env.request('PATCH', `/image/v2/images/${image.id}`, { token, body: [{ op: 'replace', path: '/status', value: 'active' }] });
    expect(readOnly.status).toBe(403);

    expect((await env.request('DELETE', `/image/v2/images/${image.id}`, { token })).status).toBe(204);
    expect((await env.request('GET', `/image/v2/images/${image.id}`, { token, headers: { accept: 'application/json' } })).status).toBe(404);
  });
});

describe('remote consoles', () => {
  it('console URL opens the placeholder page', async () => {
    env = createTestSim();
    const token = await env.login();
    const id = await env.createServer(token);
    const path = `/compute/v2.1/servers/${id}/remote-consoles`;
    const headers = { 'openstack-api-version': 'compute 2.93' };
    const building = await env.request('POST', path, { token, headers, body: { remote_console: { protocol: 'vnc', type: 'novnc' } } });
    expect(building.body).toEqual({ conflictingRequest: { code: 409, message: `Instance ${id} is not ready` } });
    env.clock.advance(60_000);

    const result = await env.request('POST', path, { token, headers, body: { remote_console: { protocol: 'vnc', type: 'novnc' } } });
    expect(result.status).toBe(200);
    const console = (result.body as { remote_console: { protocol: string; type: string; url: string } }).remote_console;
    expect(console.protocol).toBe('vnc');
    expect(console.url).toMatch(/^http:\/\/127\.0\.0\.1:9999\/vnc_auto\.html\?path=%3Ftoken%3D[0-9a-f-]{36}$/);
    const page = await env.request('GET', console.url.replace('http://127.0.0.1:9999', ''));
    expect(page.status).toBe(200);
    expect(page.text).toContain(id);
    expect((await env.request('GET', '/vnc_auto.html?path=%3Ftoken%3Dbad')).status).toBe(401);

    const wrongType = await env.request('POST', path, { token, headers, body: { remote_console: { protocol: 'vnc', type: 'spice-html5' } } });
    expect(wrongType.body).toEqual({ badRequest: { code: 400, message: 'Invalid console type spice-html5' } });
    const legacy = await env.request('POST', `/compute/v2.1/servers/${id}/action`, { token, body: { 'os-getVNCConsole': { type: 'novnc' } } });
    expect((legacy.body as { console: { type: string; url: string } }).console.type).toBe('novnc');
    expect((await env.request('POST', path, { token, body: { remote_console: { protocol: 'vnc', type: 'novnc' } } })).status).toBe(404);
  });
});
