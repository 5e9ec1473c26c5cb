import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  OPENSTACK_ERROR_CODES,
  collectAll,
  createServer,
  createVolume,
  deleteFloatingIp,
  deletePort,
  deleteVolume,
  getImage,
  getNetwork,
  getPort,
  getServer,
  getVolume,
  getVolumeLimits,
  listFlavors,
  listFloatingIps,
  listImagePages,
  listImages,
  listNetworks,
  listPorts,
  listSubnets,
  listVolumes,
  waitForServer,
  waitForVolume,
  type OpenStackClient,
} from '../../../src/openstack/index.ts';
import { STATE_DEADLINE_MS, cloudConfigured, deleteServersAndWait, demoResources, memberClient, suiteTitle, uniqueName, type DemoResources, rejection } from './cloud.ts';

describe.skipIf(!cloudConfigured)(suiteTitle('OpenStack images, networks and volumes on a real cloud'), () => {
  let client: OpenStackClient;
  let demo: DemoResources;
  const volumes = new Set<string>();
  const servers = new Set<string>();

  beforeAll(async () => {
    client = memberClient();
    demo = await demoResources(client);
  });

  afterAll(async () => {
    if (client === undefined) {
      return;
    }
    await deleteServersAndWait(client, servers);
    for (const volumeId of volumes) {
      await waitForVolume(client, volumeId, { target: 'available', deadlineMs: STATE_DEADLINE_MS });
      await deleteVolume(client, volumeId);
      await waitForVolume(client, volumeId, { target: 'deleted', deadlineMs: STATE_DEADLINE_MS });
    }
    client.close();
  });

  it('lists flavors with units', async () => {
    const flavors = await listFlavors(client);
    const small = flavors.find((flavor) => flavor.name === 'm1.small');

    expect(small).toMatchObject({ vcpus: 1, ramMiB: 1024, diskGiB: 10, swapMiB: 0, isPublic: true });
  });

  it('pages images with limit=1 through relative links', async () => {
    const pages = await collectAll(listImagePages(client, { limit: 1 }));
    const all = await listImages(client);

    expect(pages.length).toBe(all.length);
    expect(all.map((image) => image.name)).toEqual(expect.arrayContaining(['ubuntu-22.04', 'centos-7', 'windows-2019']));
  });

  it('filters images and reads standard properties', async () => {
    const ubuntu = await listImages(client, { osDistro: 'ubuntu', status: 'active' });
    const community = await listImages(client, { visibility: 'community' });
    const image = await getImage(client, demo.imageId);

    expect(ubuntu.map((item) => item.name)).toEqual(['ubuntu-22.04']);
    expect(community.every((item) => item.visibility === 'community')).toBe(true);
    expect(image).toMatchObject({ osDistro: 'ubuntu', osVersion: '22.04', status: 'active', visibility: 'public', osHidden: false, diskFormat: 'qcow2' });
    expect(image.sizeBytes).toBeGreaterThan(0);
  });

  it('raises OS_NOT_FOUND for an unknown image', async () => {
    const error = await rejection(getImage(client, '00000000-0000-0000-0000-000000000000'));

    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_NOT_FOUND);
    expect(error.openstackMessage).toBe('No image found with ID 00000000-0000-0000-0000-000000000000');
  });

  it('pages networks with limit=1', async () => {
    const paged = await listNetworks(client, { limit: 1 });
    const all = await listNetworks(client);
    const external = all.find((network) => network.external);

    expect(paged.map((network) => network.id).sort()).toEqual(all.map((network) => network.id).sort());
    expect(external).toMatchObject({ name: 'public', shared: false, status: 'ACTIVE' });
  });

  it('reads the tenant network, subnets and ports', async () => {
    const network = await getNetwork(client, demo.networkId);
    const subnets = await listSubnets(client, { networkId: demo.networkId });
    const ports = await listPorts(client, { networkId: demo.networkId });

    expect(network.subnetIds).toEqual(subnets.map((subnet) => subnet.id));
    expect(subnets[0]?.cidr).toMatch(/^10\.\d+\.0\.0\/24$/);
    expect(ports.every((port) => port.networkId === demo.networkId)).toBe(true);
  });

  it('gets and deletes a port', async () => {
    const created = await client.request({ service: 'network', method: 'POST', path: '/ports', json: { port: { network_id: demo.networkId, name: uniqueName('port') } } });
    const portId = (created.body as { port: { id: string } }).port.id;

    const port = await getPort(client, portId);
    const listed = await listPorts(client, { networkId: demo.networkId });
    await deletePort(client, portId);
    const secondDelete = await rejection(deletePort(client, portId));

    expect(port).toMatchObject({ networkId: demo.networkId, deviceId: '', status: 'DOWN' });
    expect(port.fixedIps[0]?.ipAddress).toMatch(/^10\./);
    expect(listed.map((item) => item.id)).toContain(portId);
    expect(secondDelete.code).toBe(OPENSTACK_ERROR_CODES.OS_NOT_FOUND);
  });

  it('raises OS_NOT_FOUND with the Neutron type', async () => {
    const error = await rejection(getNetwork(client, '00000000-0000-0000-0000-000000000000'));

    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_NOT_FOUND);
    expect(error.openstackType).toBe('NetworkNotFound');
  });

  it('lists and deletes a floating IP', async () => {
    const external = (await listNetworks(client, { external: true }))[0];
    const created = await client.request({ service: 'network', method: 'POST', path: '/floatingips', json: { floatingip: { floating_network_id: external?.id } } });
    const floatingIpId = (created.body as { floatingip: { id: string } }).floatingip.id;

    const listed = await listFloatingIps(client, { floatingNetworkId: external?.id });
    await deleteFloatingIp(client, floatingIpId);
    const afterDelete = await listFloatingIps(client);
    const secondDelete = await rejection(deleteFloatingIp(client, floatingIpId));

    expect(listed.find((floatingIp) => floatingIp.id === floatingIpId)).toMatchObject({ portId: null, fixedIpAddress: null });
    expect(afterDelete.map((floatingIp) => floatingIp.id)).not.toContain(floatingIpId);
    expect(secondDelete.code).toBe(OPENSTACK_ERROR_CODES.OS_NOT_FOUND);
  });

  it('creates, reads, lists and deletes a volume', async () => {
    const name = uniqueName('volume');
    const created = await createVolume(client, { sizeGiB: 1, name });
    volumes.add(created.id);

    const available = await waitForVolume(client, created.id, { target: 'available', deadlineMs: STATE_DEADLINE_MS });
    const listed = await listVolumes(client, { name });
    const limits = await getVolumeLimits(client);
    await deleteVolume(client, created.id);
    await waitForVolume(client, created.id, { target: 'deleted', deadlineMs: STATE_DEADLINE_MS });
    volumes.delete(created.id);
    const afterDelete = await rejection(getVolume(client, created.id));

    expect(created.status).toBe('creating');
    expect(available).toMatchObject({ name, sizeGiB: 1, bootable: false, attachments: [] });
    expect(listed.map((volume) => volume.id)).toEqual([created.id]);
    expect(limits.totalVolumesUsed).toBeGreaterThanOrEqual(1);
    expect(limits.maxTotalVolumes).toBeGreaterThan(0);
    expect(afterDelete.code).toBe(OPENSTACK_ERROR_CODES.OS_NOT_FOUND);
  });

  it('boots from an existing bootable volume', async () => {
    // This cloud's Cinder fake driver cannot copy an image into a volume because qemu-img has no
    // device to write. A mapping with source_type image fails there, but a bootable blank volume works.
    const volume = await createVolume(client, { sizeGiB: 1, name: uniqueName('boot-volume') });
    volumes.add(volume.id);
    await waitForVolume(client, volume.id, { target: 'available', deadlineMs: STATE_DEADLINE_MS });
    await client.request({ service: 'block-storage', method: 'POST', path: `/volumes/${volume.id}/action`, json: { 'os-set_bootable': { bootable: true } } });

    const serverId = await createServer(client, {
      name: uniqueName('boot-from-volume'),
      flavorId: demo.flavorId,
      networks: [{ uuid: demo.networkId }],
      blockDeviceMappings: [{ sourceType: 'volume', destinationType: 'volume', uuid: volume.id, bootIndex: 0, deleteOnTermination: false }],
    });
    servers.add(serverId);
    await waitForServer(client, serverId, { target: 'ACTIVE', deadlineMs: STATE_DEADLINE_MS });
    const server = await getServer(client, serverId);
    const attached = await getVolume(client, volume.id);

    expect(server.imageId).toBeNull();
    expect(server.attachedVolumeIds).toEqual([volume.id]);
    expect(attached.status).toBe('in-use');
    expect(attached.attachments[0]?.serverId).toBe(serverId);
  });
});
