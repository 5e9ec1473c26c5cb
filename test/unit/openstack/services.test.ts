import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { resolveLink } from '../../../src/openstack/url.ts';
import {
  OPENSTACK_ERROR_CODES,
  createOpenStackClient,
  deleteFloatingIp,
  deletePort,
  getImage,
  getNetwork,
  getVolume,
  getVolumeLimits,
  listFloatingIps,
  listImagePages,
  listImages,
  listNetworks,
  listPorts,
  listSubnets,
  listVolumes,
  type OpenStackClient,
  type OpenStackError,
} from '../../../src/openstack/index.ts';
import { loadFixture, replyFromFixture, serveFixtures, startFakeCloud, type FakeCloud } from './helpers/fake-cloud.ts';

let fake: FakeCloud;
let client: OpenStackClient;

async function rejection(promise: Promise<unknown>): Promise<OpenStackError> {
  try {
    await promise;
  } catch (error) {
    return error as OpenStackError;
  }
  throw new Error('expected a rejection');
}

function lastId(fixtureName: string): string {
  return loadFixture(fixtureName).request.path.split('?')[0]?.split('/').pop() ?? '';
}

beforeEach(async () => {
  fake = await startFakeCloud();
  client = createOpenStackClient(fake.cloud());
});

afterEach(async () => {
  client.close();
  await fake.close();
});

describe('paging links', () => {
  it('keeps the endpoint prefix for Glance relative links', () => {
    expect(resolveLink('http://h/image/v2', '/v2/images?limit=1&marker=m').href).toBe('http://h/image/v2/images?limit=1&marker=m');
    expect(resolveLink('http://h:9292/v2', '/v2/images?marker=m').href).toBe('http://h:9292/v2/images?marker=m');
  });

  it('keeps absolute links to the endpoint origin', () => {
    expect(resolveLink('http://h:8774/v2.1', 'http://h:8774/v2.1/servers/detail?marker=m').href).toBe('http://h:8774/v2.1/servers/detail?marker=m');
  });

  it('sends links to another origin to the endpoint instead', () => {
    expect(resolveLink('http://h/compute/v2.1', 'http://internal:8774/v2.1/servers/detail?marker=m').href).toBe('http://h/compute/v2.1/servers/detail?marker=m');
  });
});

describe('images', () => {
  it('follows relative next links', async () => {
    serveFixtures(fake, ['image-list-page-1', 'image-list-page-2']);
    fake.routes.push({ method: 'GET', path: /^\/image\/v2\/images\?limit=2&marker=/, handler: () => ({ status: 200, body: { images: [] } }) });

    const pages: string[][] = [];
    for await (const page of listImagePages(client, { limit: 2 })) {
      pages.push(page.map((image) => image.name));
    }

    expect(pages[0]).toHaveLength(2);
    expect(pages.flat().sort()).toEqual(['centos-7', 'ubuntu-22.04', 'windows-2019']);
  });

  it('decodes properties and sizes', async () => {
    serveFixtures(fake, ['image-list-page-1', 'image-list-page-2']);
    fake.routes.push({ method: 'GET', path: /^\/image\/v2\/images\?limit=2&marker=/, handler: () => ({ status: 200, body: { images: [] } }) });

    const images = await listImages(client, { limit: 2 });
    const ubuntu = images.find((image) => image.name === 'ubuntu-22.04');
    const windows = images.find((image) => image.name === 'windows-2019');

    expect(ubuntu).toMatchObject({ status: 'active', visibility: 'public', osDistro: 'ubuntu', osVersion: '22.04', diskFormat: 'qcow2', osHidden: false, minDiskGiB: 0, minRamMiB: 0 });
    expect(ubuntu?.sizeBytes).toBeGreaterThan(0);
    expect(windows?.properties['os_type']).toBe('windows');
    expect(windows?.properties['name']).toBeUndefined();
  });

  it('reads null min_disk as 0', async () => {
    const id = lastId('image-get');
    fake.routes.unshift({
      method: 'GET',
      path: `/image/v2/images/${id}`,
      handler: () =>
        replyFromFixture('image-get', (fixture) => {
          const body = fixture.response.body as Record<string, unknown>;
          body['min_disk'] = null;
          body['min_ram'] = null;
        }),
    });

    const image = await getImage(client, id);

    expect(image.minDiskGiB).toBe(0);
    expect(image.minRamMiB).toBe(0);
  });

  it('sends filters and community visibility', async () => {
    fake.routes.unshift({ method: 'GET', path: '/image/v2/images', handler: () => ({ status: 200, body: { images: [] } }) });

    await listImages(client, { visibility: 'community', status: 'active', osDistro: 'ubuntu', name: 'u', properties: { hw_firmware_type: 'uefi' } });
    const url = new URL(fake.requestsTo('GET', '/image/v2/images')[0]?.url ?? '', fake.origin);

    expect(Object.fromEntries(url.searchParams)).toEqual({ visibility: 'community', status: 'active', os_distro: 'ubuntu', name: 'u', hw_firmware_type: 'uefi' });
  });

  it('raises OS_NOT_FOUND for the HTML 404', async () => {
    fake.routes.unshift({ method: 'GET', path: '/image/v2/images/00000000-0000-0000-0000-000000000000', handler: () => replyFromFixture('image-not-found-404-html') });

    const error = await rejection(getImage(client, '00000000-0000-0000-0000-000000000000'));

    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_NOT_FOUND);
    expect(error.openstackMessage).toContain('No image found with ID');
  });
});

describe('networks', () => {
  it('follows networks_links', async () => {
    serveFixtures(fake, ['network-list-page-1', 'network-list-page-2']);
    fake.routes.push({ method: 'GET', path: /^\/network\/v2\.0\/networks\?limit=1&marker=/, handler: () => ({ status: 200, body: { networks: [] } }) });

    const networks = await listNetworks(client, { limit: 1 });

    expect(networks.map((network) => network.name).sort()).toEqual(['demo-net', 'public']);
  });

  it('decodes external and tenant networks', async () => {
    serveFixtures(fake, ['network-list']);

    const networks = await listNetworks(client);
    const publicNetwork = networks.find((network) => network.name === 'public');
    const demo = networks.find((network) => network.name === 'demo-net');

    expect(publicNetwork).toMatchObject({ external: true, shared: false, status: 'ACTIVE', adminStateUp: true, providerNetworkType: null });
    expect(demo?.external).toBe(false);
    expect(demo?.projectId).toMatch(/^[0-9a-f]{32}$/);
    expect(demo?.subnetIds).toHaveLength(1);
  });

  it('raises OS_NOT_FOUND with the Neutron type', async () => {
    serveFixtures(fake, ['network-not-found-404']);

    const error = await rejection(getNetwork(client, lastId('network-not-found-404')));

    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_NOT_FOUND);
    expect(error.openstackType).toBe('NetworkNotFound');
  });

  it('decodes subnets, ports and floating IPs', async () => {
    serveFixtures(fake, ['network-subnets', 'network-ports', 'network-floatingips']);

    const subnets = await listSubnets(client);
    const ports = await listPorts(client);
    const floatingIps = await listFloatingIps(client);

    expect(subnets.find((subnet) => subnet.name === 'demo-subnet')).toMatchObject({ cidr: '10.10.0.0/24', ipVersion: 4, gatewayIp: '10.10.0.1', enableDhcp: true });
    expect(ports.find((port) => port.deviceOwner === 'compute:nova')?.status).toBe('DOWN');
    expect(floatingIps[0]).toMatchObject({ portId: null, fixedIpAddress: null, status: 'DOWN' });
    expect(floatingIps[0]?.floatingIpAddress).toMatch(/^203\.0\.113\./);
  });

  it('filters ports by device and deletes', async () => {
    fake.routes.unshift(
      { method: 'GET', path: '/network/v2.0/ports', handler: () => ({ status: 200, body: { ports: [] } }) },
      { method: 'DELETE', path: '/network/v2.0/ports/p1', handler: () => ({ status: 204 }) },
      { method: 'DELETE', path: '/network/v2.0/floatingips/f1', handler: () => ({ status: 204 }) },
    );

    await listPorts(client, { deviceId: 'server-1', networkId: 'net-1' });
    await deletePort(client, 'p1');
    await deleteFloatingIp(client, 'f1');

    expect(fake.requestsTo('GET', '/network/v2.0/ports')[0]?.url).toBe('/network/v2.0/ports?device_id=server-1&network_id=net-1');
    expect(fake.requestsTo('DELETE', '/network/v2.0/')).toHaveLength(2);
  });

  it('maps Neutron OverQuota to OS_QUOTA_EXCEEDED', async () => {
    fake.routes.unshift({ method: 'GET', path: '/network/v2.0/networks', handler: () => replyFromFixture('network-create-over-quota-409') });

    const error = await rejection(listNetworks(client));

    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_QUOTA_EXCEEDED);
  });
});

describe('volumes', () => {
  it('gets and lists volumes from the project URL', async () => {
    serveFixtures(fake, ['volume-get', 'volume-list']);

    const volume = await getVolume(client, lastId('volume-get'));
    const volumes = await listVolumes(client);

    expect(volume).toMatchObject({ name: 'fixture-volume', status: 'available', sizeGiB: 1, volumeType: 'fake', bootable: false, attachments: [] });
    expect(volume.createdAt?.toISOString()).toMatch(/Z$/);
    expect(volumes.map((item) => item.id)).toContain(volume.id);
    expect(fake.requestsTo('GET', '/volume/v3/')[0]?.url).toMatch(/^\/volume\/v3\/[0-9a-f]{32}\/volumes\//);
  });

  it('reads volume limits', async () => {
    serveFixtures(fake, ['volume-limits']);

    const limits = await getVolumeLimits(client);

    expect(limits).toMatchObject({ maxTotalVolumes: 10, maxTotalVolumeGigabytes: 1000, maxTotalSnapshots: 10 });
  });
});
