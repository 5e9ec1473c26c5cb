import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  OPENSTACK_ERROR_CODES,
  createOpenStackClient,
  createServer,
  deleteServer,
  getFlavor,
  getInstanceAction,
  getRemoteConsole,
  getServer,
  listFlavors,
  listInstanceActions,
  listPorts,
  listServerPages,
  listServers,
  pauseServer,
  rebootServer,
  resumeServer,
  startServer,
  stopServer,
  suspendServer,
  unpauseServer,
  waitForServer,
  type OpenStackClient,
} from '../../../src/openstack/index.ts';
import {
  STATE_DEADLINE_MS,
  adminClient,
  cloudConfigured,
  deleteServersAndWait,
  demoResources,
  memberClient,
  memberCloud,
  suiteTitle,
  uniqueName,
  type DemoResources,
  rejection,
} from './cloud.ts';

describe.skipIf(!cloudConfigured)(suiteTitle('OpenStack servers on a real cloud'), () => {
  let client: OpenStackClient;
  let admin: OpenStackClient;
  let demo: DemoResources;
  let prefix: string;
  let firstId: string;
  let secondId: string;
  const created = new Set<string>();

  beforeAll(async () => {
    client = memberClient();
    admin = adminClient();
    demo = await demoResources(client);
    prefix = uniqueName('server');

    firstId = await createServer(client, {
      name: `${prefix}-1`,
      flavorId: demo.flavorId,
      imageId: demo.imageId,
      networks: [{ uuid: demo.networkId }],
      metadata: { purpose: 'acceptance' },
      userData: '#cloud-config\n',
      securityGroups: ['default'],
    });
    created.add(firstId);
    secondId = await createServer(client, { name: `${prefix}-2`, flavorId: demo.flavorId, imageId: demo.imageId, networks: [{ uuid: demo.networkId }] });
    created.add(secondId);

    await waitForServer(client, firstId, { target: 'ACTIVE', deadlineMs: STATE_DEADLINE_MS });
    await waitForServer(client, secondId, { target: 'ACTIVE', deadlineMs: STATE_DEADLINE_MS });
  });

  afterAll(async () => {
    if (client !== undefined) {
      await deleteServersAndWait(client, created);
      client.close();
    }
    admin?.close();
  });

  it('decodes a created server', async () => {
    const server = await getServer(client, firstId);

    expect(server.name).toBe(`${prefix}-1`);
    expect(server.status).toBe('ACTIVE');
    expect(server.vmState).toBe('active');
    expect(server.taskState).toBeNull();
    expect(server.powerState).toBe(1);
    expect(server.flavor.name).toBe('m1.small');
    expect(server.flavor.ramMiB).toBe(1024);
    expect(server.imageId).toBe(demo.imageId);
    expect(server.metadata).toEqual({ purpose: 'acceptance' });
    expect(Object.values(server.addresses).flat()[0]?.type).toBe('fixed');
    expect(server.securityGroups).toContain('default');
    expect(server.host).toBeNull();
    expect(Math.abs((server.launchedAt?.getTime() ?? 0) - Date.now())).toBeLessThan(10 * 60_000);
  });

  it('lists the server ports for clean-up', async () => {
    const ports = await listPorts(client, { deviceId: firstId });

    expect(ports).toHaveLength(1);
    expect(ports[0]?.networkId).toBe(demo.networkId);
  });

  it('rejects start on ACTIVE with OS_CONFLICT', async () => {
    const error = await rejection(startServer(client, firstId));

    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_CONFLICT);
    expect(error.status).toBe(409);
    expect(error.conflict).toEqual({ action: 'start', serverId: firstId, vmState: 'active', taskState: null });
    expect(error.requestId).toMatch(/^req-/);
  });

  it('stops to SHUTOFF and starts to ACTIVE', async () => {
    await stopServer(client, firstId);
    const stopped = await waitForServer(client, firstId, { target: 'SHUTOFF', deadlineMs: STATE_DEADLINE_MS, pollIntervalMs: 500 });
    const stopAgain = await rejection(stopServer(client, firstId));
    await startServer(client, firstId);
    const started = await waitForServer(client, firstId, { target: 'ACTIVE', deadlineMs: STATE_DEADLINE_MS, pollIntervalMs: 500 });

    expect(stopped?.vmState).toBe('stopped');
    expect(stopped?.powerState).toBe(4);
    expect(stopAgain.code).toBe(OPENSTACK_ERROR_CODES.OS_CONFLICT);
    expect(stopAgain.conflict?.vmState).toBe('stopped');
    expect(started?.powerState).toBe(1);
  });

  it('soft and hard reboots return to ACTIVE', async () => {
    await rebootServer(client, firstId, 'SOFT');
    const afterSoft = await waitForServer(client, firstId, { target: 'ACTIVE', deadlineMs: STATE_DEADLINE_MS, pollIntervalMs: 500 });
    await rebootServer(client, firstId, 'HARD');
    const afterHard = await waitForServer(client, firstId, { target: 'ACTIVE', deadlineMs: STATE_DEADLINE_MS, pollIntervalMs: 500 });

    expect(afterSoft?.taskState).toBeNull();
    expect(afterHard?.taskState).toBeNull();
  });

  it('pauses, unpauses, suspends and resumes', async () => {
    await pauseServer(client, firstId);
    const paused = await waitForServer(client, firstId, { target: 'PAUSED', deadlineMs: STATE_DEADLINE_MS, pollIntervalMs: 500 });
    await unpauseServer(client, firstId);
    await waitForServer(client, firstId, { target: 'ACTIVE', deadlineMs: STATE_DEADLINE_MS, pollIntervalMs: 500 });
    await suspendServer(client, firstId);
    const suspended = await waitForServer(client, firstId, { target: 'SUSPENDED', deadlineMs: STATE_DEADLINE_MS, pollIntervalMs: 500 });
    await resumeServer(client, firstId);
    const resumed = await waitForServer(client, firstId, { target: 'ACTIVE', deadlineMs: STATE_DEADLINE_MS, pollIntervalMs: 500 });

    expect(paused?.vmState).toBe('paused');
    expect(suspended?.vmState).toBe('suspended');
    expect(resumed?.vmState).toBe('active');
  });

  it('returns a noVNC console URL', async () => {
    // Nova's fake driver returns a console URL although no guest exists.
    const console = await getRemoteConsole(client, firstId, { protocol: 'vnc', type: 'novnc' });

    expect(console.protocol).toBe('vnc');
    expect(console.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/vnc_auto\.html\?path=/);
  });

  it('lists instance actions with events', async () => {
    const actions = await listInstanceActions(client, firstId);
    const createAction = actions.find((action) => action.action === 'create');
    const detail = await getInstanceAction(client, firstId, createAction?.requestId ?? '');

    expect(actions.map((action) => action.action)).toEqual(expect.arrayContaining(['create', 'stop', 'start', 'reboot', 'pause', 'suspend']));
    expect(detail.events.length).toBeGreaterThan(0);
    expect(detail.events.every((event) => event.result === 'Success')).toBe(true);
  });

  it('pages past limit=1', async () => {
    const pages: string[][] = [];
    for await (const page of listServerPages(client, { name: prefix, limit: 1 })) {
      pages.push(page.map((server) => server.id));
    }

    expect(pages).toHaveLength(2);
    expect(pages.every((page) => page.length === 1)).toBe(true);
    expect(pages.flat().sort()).toEqual([firstId, secondId].sort());
  });

  it('rejects a non ISO changes-since', async () => {
    const error = await rejection(listServers(client, { changesSince: 'yesterday' }));

    expect(error.code).toBe(OPENSTACK_ERROR_CODES.OS_BAD_REQUEST);
    expect(error.status).toBe(400);
  });

  it('works at microversion 2.1', async () => {
    const legacy = createOpenStackClient(memberCloud(), { computeMicroversion: '2.1' });
    const server = await getServer(legacy, firstId);
    const flavors = await listFlavors(legacy);
    const flavor = await getFlavor(legacy, server.flavor.id ?? '');
    legacy.close();

    expect(server.flavor.id).toBe(demo.flavorId);
    expect(server.flavor.name).toBeNull();
    expect(server.status).toBe('ACTIVE');
    expect(flavors.every((item) => item.swapMiB === 0)).toBe(true);
    expect(flavor.name).toBe('m1.small');
  });

  it('shows the host and all projects only to the admin', async () => {
    const asAdmin = await getServer(admin, firstId);
    const token = await client.token();
    const allProjects = await listServers(admin, { allTenants: true, projectId: token.projectId ?? '', name: prefix });
    const memberError = await rejection(listServers(client, { allTenants: true }));

    expect(asAdmin.host).not.toBeNull();
    expect(allProjects.map((server) => server.id).sort()).toEqual([firstId, secondId].sort());
    expect(memberError.code).toBe(OPENSTACK_ERROR_CODES.OS_FORBIDDEN);
  });

  it('deletes, then 404, and changes-since shows DELETED', async () => {
    const before = new Date(Date.now() - 2_000);

    await deleteServer(client, secondId);
    await waitForServer(client, secondId, { target: 'DELETED', deadlineMs: STATE_DEADLINE_MS, pollIntervalMs: 500 });
    created.delete(secondId);
    const getError = await rejection(getServer(client, secondId));
    const deleteError = await rejection(deleteServer(client, secondId));
    const changed = await listServers(client, { changesSince: before });

    expect(getError.code).toBe(OPENSTACK_ERROR_CODES.OS_NOT_FOUND);
    expect(deleteError.code).toBe(OPENSTACK_ERROR_CODES.OS_NOT_FOUND);
    expect(changed.find((server) => server.id === secondId)?.status).toBe('DELETED');
    expect(changed.every((server) => (server.updated?.getTime() ?? 0) >= before.getTime() - 1_000)).toBe(true);
  });
});
