import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudConfig, HttpResult, Session } from './os-http.ts';
import { call, login, passwordAuthBody } from './os-http.ts';
import type { ContractTarget } from './targets.ts';
import { realCloudTarget, simulatorTarget } from './targets.ts';

/**
 * Runs one scenario table against the simulator and, when configured, a real cloud, so every
 * difference between them shows up as a failing row. Rows run in order and share `ctx`.
 */
interface Ctx {
  target: ContractTarget;
  member: Session;
  admin: Session;
  memberCloud: CloudConfig;
  flavorId: string;
  imageId: string;
  networkId: string;
  networkName: string;
  /** Prefix of every server name this run creates; also its name filter. */
  tag: string;
  startedAt: string;
  servers: string[];
  first: string;
  deleted: string;
}

const MESSAGE_401 = 'The request you have made requires authentication.';

async function nova(ctx: Ctx, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpResult> {
  return call(method, `${ctx.member.compute}${path}`, { token: ctx.member.token, body, headers });
}

type ServerView = { id: string; status: string; addresses: Record<string, { addr: string; 'OS-EXT-IPS-MAC:mac_addr': string }[]> } & Record<string, unknown>;

/** Polls a server until `done` holds; returns every status seen on the way. Bounded by the target's timeout. */
async function pollServer(ctx: Ctx, id: string, done: (s: ServerView | null) => boolean): Promise<{ last: ServerView | null; seen: string[]; views: ServerView[] }> {
  const deadline = Date.now() + ctx.target.transitionTimeoutMs;
  const seen: string[] = [];
  const views: ServerView[] = [];
  for (;;) {
    const result = await nova(ctx, 'GET', `/servers/${id}`);
    const server = result.status === 200 ? (result.body as { server: ServerView }).server : null;
    if (server) {
      views.push(server);
      if (seen[seen.length - 1] !== server.status) seen.push(server.status);
    } else if (result.status !== 404) {
      throw new Error(`GET /servers/${id} answered ${result.status}: ${result.text}`);
    }
    if (done(server)) return { last: server, seen, views };
    if (Date.now() > deadline) throw new Error(`server ${id} did not reach the expected state within ${ctx.target.transitionTimeoutMs} ms; statuses seen: ${seen.join(' → ')}`);
    await new Promise((resolve) => setTimeout(resolve, ctx.target.pollMs));
  }
}

const settled = (status: string) => (s: ServerView | null) => s !== null && s.status === status && s['OS-EXT-STS:task_state'] === null;

async function createServer(ctx: Ctx, name: string): Promise<HttpResult> {
  const result = await nova(ctx, 'POST', '/servers', {
    server: { name, flavorRef: ctx.flavorId, imageRef: ctx.imageId, networks: [{ uuid: ctx.networkId }] },
  });
  if (result.status === 202) ctx.servers.push((result.body as { server: { id: string } }).server.id);
  return result;
}

async function action(ctx: Ctx, id: string, body: unknown): Promise<HttpResult> {
  return nova(ctx, 'POST', `/servers/${id}/action`, body);
}

/** Picks the smallest public flavor, an active public image that fits it, and the project's own network. */
async function chooseResources(ctx: Ctx): Promise<void> {
  const flavors = (await nova(ctx, 'GET', '/flavors/detail')).body as { flavors: { id: string; ram: number; disk: number }[] };
  const flavor = [...flavors.flavors].sort((a, b) => a.ram - b.ram || a.disk - b.disk)[0];
  if (!flavor) throw new Error('no flavor visible to the member');
  ctx.flavorId = flavor.id;
  const images = (await call('GET', `${ctx.member.image}/v2/images?status=active&visibility=public`, { token: ctx.member.token })).body as {
    images: { id: string; min_disk: number; min_ram: number }[];
  };
  const image = images.images.find((i) => i.min_disk <= flavor.disk && i.min_ram <= flavor.ram);
  if (!image) throw new Error('no active public image fits the smallest flavor');
  ctx.imageId = image.id;
  const networks = (await call('GET', `${ctx.member.network}/v2.0/networks?project_id=${ctx.member.projectId}`, { token: ctx.member.token })).body as {
    networks: { id: string; name: string; admin_state_up: boolean; 'router:external': boolean }[];
  };
  const network = networks.networks.find((n) => n.admin_state_up && !n['router:external']);
  if (!network) throw new Error(`project ${ctx.member.projectId} has no usable network of its own`);
  ctx.networkId = network.id;
  ctx.networkName = network.name;
}

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

const scenarios: { name: string; run(ctx: Ctx): Promise<void> }[] = [
  {
    name: 'compute version document',
    async run(ctx) {
      const root = ctx.member.compute.replace(/\/v2\.1$/, '');
      const versions = await call('GET', `${root}/`);
      expect(versions.status).toBe(200);
      const v21 = (versions.body as { versions: { id: string; version: string; min_version: string }[] }).versions.find((v) => v.id === 'v2.1');
      expect(v21?.version).toBe('2.93');
      expect(v21?.min_version).toBe('2.1');
      const doc = await call('GET', ctx.member.compute);
      expect((doc.body as { version: { version: string } }).version.version).toBe('2.93');
    },
  },
  {
    name: 'microversion echoed in headers',
    async run(ctx) {
      const result = await nova(ctx, 'GET', '/servers?limit=1', undefined, { 'OpenStack-API-Version': 'compute 2.47' });
      expect(result.status).toBe(200);
      expect(result.headers.get('openstack-api-version')).toBe('compute 2.47');
      expect(result.headers.get('x-openstack-nova-api-version')).toBe('2.47');
      expect(result.headers.get('vary')).toContain('OpenStack-API-Version');
      expect(result.headers.get('vary')).toContain('X-OpenStack-Nova-API-Version');
      const tooNew = await nova(ctx, 'GET', '/servers?limit=1', undefined, { 'OpenStack-API-Version': 'compute 2.999' });
      expect(tooNew.status).toBe(406);
    },
  },
  {
    name: 'create answers 202 with five keys',
    async run(ctx) {
      const result = await createServer(ctx, `${ctx.tag}-1`);
      expect(result.status).toBe(202);
      const server = (result.body as { server: Record<string, unknown> }).server;
      expect(Object.keys(server).sort()).toEqual(['OS-DCF:diskConfig', 'adminPass', 'id', 'links', 'security_groups']);
      expect(result.headers.get('location')).toMatch(new RegExp(`/servers/${String(server.id)}$`));
      ctx.first = String(server.id);
      const console = await nova(ctx, 'POST', `/servers/${ctx.first}/remote-consoles`, { remote_console: { protocol: 'vnc', type: 'novnc' } }, { 'OpenStack-API-Version': 'compute 2.93' });
      expect(console.status).toBe(409);
      expect(console.body).toEqual({ conflictingRequest: { code: 409, message: `Instance ${ctx.first} is not ready` } });
    },
  },
  {
    name: 'build reaches ACTIVE with an address',
    async run(ctx) {
      const { last, seen, views } = await pollServer(ctx, ctx.first, (s) => s !== null && s.status !== 'BUILD');
      expect(seen[seen.length - 1]).toBe('ACTIVE');
      for (const view of views.filter((v) => v.status === 'BUILD')) {
        expect(view['OS-EXT-STS:vm_state']).toBe('building');
        expect(view['OS-EXT-STS:power_state']).toBe(0);
      }
      expect(last?.['OS-EXT-STS:power_state']).toBe(1);
      const address = last?.addresses[ctx.networkName]?.[0];
      expect(address?.addr).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect(address?.['OS-EXT-IPS-MAC:mac_addr']).toMatch(/^fa:16:3e(:[0-9a-f]{2}){3}$/);
    },
  },
  {
    name: 'stop answers 202 and reaches SHUTOFF',
    async run(ctx) {
      const result = await action(ctx, ctx.first, { 'os-stop': null });
      expect(result.status).toBe(202);
      expect(result.text).toBe('');
      const { last, seen } = await pollServer(ctx, ctx.first, settled('SHUTOFF'));
      expect(seen.every((s) => s === 'ACTIVE' || s === 'SHUTOFF')).toBe(true);
      expect(last?.['OS-EXT-STS:vm_state']).toBe('stopped');
      expect(last?.['OS-EXT-STS:power_state']).toBe(4);
    },
  },
  {
    name: 'stop and reboot on SHUTOFF answer 409',
    async run(ctx) {
      const stop = await action(ctx, ctx.first, { 'os-stop': null });
      expect(stop.status).toBe(409);
      expect(stop.body).toEqual({ conflictingRequest: { code: 409, message: `Cannot 'stop' instance ${ctx.first} while it is in vm_state stopped` } });
      const reboot = await action(ctx, ctx.first, { reboot: { type: 'SOFT' } });
      expect(reboot.status).toBe(409);
      expect(reboot.body).toEqual({ conflictingRequest: { code: 409, message: `Cannot 'reboot' instance ${ctx.first} while it is in vm_state stopped` } });
    },
  },
  {
    name: 'remote console on SHUTOFF server',
    async run(ctx) {
      const headers = { 'OpenStack-API-Version': 'compute 2.93' };
      const path = `/servers/${ctx.first}/remote-consoles`;
      const result = await nova(ctx, 'POST', path, { remote_console: { protocol: 'vnc', type: 'novnc' } }, headers);
      expect(result.status).toBe(200);
      const console = (result.body as { remote_console: { protocol: string; type: string; url: string } }).remote_console;
      expect(console.protocol).toBe('vnc');
      expect(console.type).toBe('novnc');
      expect(console.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/vnc_auto\.html\?path=%3Ftoken%3D[0-9a-f-]{36}$/);
      const wrongType = await nova(ctx, 'POST', path, { remote_console: { protocol: 'vnc', type: 'spice-html5' } }, headers);
      expect(wrongType.body).toEqual({ badRequest: { code: 400, message: 'Invalid console type spice-html5' } });
      const tooOld = await nova(ctx, 'POST', path, { remote_console: { protocol: 'vnc', type: 'novnc' } });
      expect(tooOld.body).toEqual({ itemNotFound: { code: 404, message: 'The resource could not be found.' } });
    },
  },
  {
    name: 'start reaches ACTIVE',
    async run(ctx) {
      const result = await action(ctx, ctx.first, { 'os-start': null });
      expect(result.status).toBe(202);
      const { seen } = await pollServer(ctx, ctx.first, settled('ACTIVE'));
      expect(seen.every((s) => s === 'SHUTOFF' || s === 'ACTIVE')).toBe(true);
    },
  },
  {
    name: 'soft reboot returns to ACTIVE',
    async run(ctx) {
      const result = await action(ctx, ctx.first, { reboot: { type: 'SOFT' } });
      expect(result.status).toBe(202);
      const { seen } = await pollServer(ctx, ctx.first, settled('ACTIVE'));
      expect(seen.every((s) => s === 'REBOOT' || s === 'ACTIVE')).toBe(true);
    },
  },
  {
    name: 'start on ACTIVE answers 409',
    async run(ctx) {
      const result = await action(ctx, ctx.first, { 'os-start': null });
      expect(result.status).toBe(409);
      expect(result.body).toEqual({ conflictingRequest: { code: 409, message: `Cannot 'start' instance ${ctx.first} while it is in vm_state active` } });
    },
  },
  {
    name: 'unknown action answers 400',
    async run(ctx) {
      const result = await action(ctx, ctx.first, { 'no-such-action': null });
      expect(result.status).toBe(400);
      expect(result.body).toEqual({ badRequest: { code: 400, message: 'There is no such action: no-such-action' } });
    },
  },
  {
    name: 'server keys at 2.1, 2.47 and 2.93',
    async run(ctx) {
      const base = [
        'OS-DCF:diskConfig', 'OS-EXT-AZ:availability_zone', 'OS-EXT-STS:power_state', 'OS-EXT-STS:task_state', 'OS-EXT-STS:vm_state',
        'OS-SRV-USG:launched_at', 'OS-SRV-USG:terminated_at', 'accessIPv4', 'accessIPv6', 'addresses', 'config_drive', 'created', 'flavor',
        'hostId', 'id', 'image', 'key_name', 'links', 'metadata', 'name', 'os-extended-volumes:volumes_attached', 'progress',
        'security_groups', 'status', 'tenant_id', 'updated', 'user_id',
      ];
      const v21 = ((await nova(ctx, 'GET', `/servers/${ctx.first}`)).body as { server: Record<string, unknown> }).server;
      expect(Object.keys(v21).sort()).toEqual([...base].sort());
      expect(Object.keys(v21.flavor as object).sort()).toEqual(['id', 'links']);
      const v247 = ((await nova(ctx, 'GET', `/servers/${ctx.first}`, undefined, { 'OpenStack-API-Version': 'compute 2.47' })).body as { server: Record<string, unknown> }).server;
      expect(Object.keys(v247.flavor as object).sort()).toEqual(['disk', 'ephemeral', 'extra_specs', 'original_name', 'ram', 'swap', 'vcpus']);
      const v293 = ((await nova(ctx, 'GET', `/servers/${ctx.first}`, undefined, { 'OpenStack-API-Version': 'compute 2.93' })).body as { server: Record<string, unknown> }).server;
      const added = ['OS-EXT-SRV-ATTR:hostname', 'description', 'locked', 'locked_reason', 'server_groups', 'tags', 'trusted_image_certificates'];
      expect(Object.keys(v293).sort()).toEqual([...base, ...added].sort());
      expect(v293.description).toBe(`${ctx.tag}-1`);
      expect(String(v293.updated)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(String(v293['OS-SRV-USG:launched_at'])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    },
  },
  {
    name: 'flavor swap is "" before 2.75',
    async run(ctx) {
      const old = ((await nova(ctx, 'GET', `/flavors/${ctx.flavorId}`)).body as { flavor: { swap: unknown } }).flavor;
      expect(old.swap).toBe('');
      const recent = ((await nova(ctx, 'GET', `/flavors/${ctx.flavorId}`, undefined, { 'OpenStack-API-Version': 'compute 2.75' })).body as { flavor: { swap: unknown } }).flavor;
      expect(recent.swap).toBe(0);
    },
  },
  {
    name: 'instance actions newest first',
    async run(ctx) {
      const result = await nova(ctx, 'GET', `/servers/${ctx.first}/os-instance-actions`);
      const actions = (result.body as { instanceActions: { action: string; request_id: string; start_time: string }[] }).instanceActions;
      expect(actions.map((a) => a.action)).toEqual(['reboot', 'start', 'stop', 'create']);
      const path = `/servers/${ctx.first}/os-instance-actions/${actions[0]?.request_id}`;
      // Nova shows a member the events of an action only from microversion 2.51.
      const old = (await nova(ctx, 'GET', path)).body as { instanceAction: Record<string, unknown> };
      expect(old.instanceAction.events).toBeUndefined();
      const detail = await nova(ctx, 'GET', path, undefined, { 'OpenStack-API-Version': 'compute 2.93' });
      const events = (detail.body as { instanceAction: { events: Record<string, unknown>[] } }).instanceAction.events;
      expect(events.map((e) => e.event)).toContain('compute_reboot_instance');
      expect(Object.keys(events[0] ?? {}).sort()).toEqual(['event', 'finish_time', 'hostId', 'result', 'start_time']);
    },
  },
  {
    name: 'server port matches its address',
    async run(ctx) {
      const server = ((await nova(ctx, 'GET', `/servers/${ctx.first}`)).body as { server: ServerView }).server;
      const address = server.addresses[ctx.networkName]?.[0];
      const result = await call('GET', `${ctx.member.network}/v2.0/ports?device_id=${ctx.first}`, { token: ctx.member.token });
      const ports = (result.body as { ports: { device_owner: string; mac_address: string; network_id: string; status: string; fixed_ips: { ip_address: string }[] }[] }).ports;
      expect(ports).toHaveLength(1);
      expect(ports[0]?.device_owner).toBe('compute:nova');
      expect(ports[0]?.network_id).toBe(ctx.networkId);
      expect(ports[0]?.mac_address).toBe(address?.['OS-EXT-IPS-MAC:mac_addr']);
      expect(ports[0]?.fixed_ips[0]?.ip_address).toBe(address?.addr);
      // The fake-driver cloud never plugs a tap device, so its ports stay DOWN; the simulator shows ACTIVE.
      expect(['ACTIVE', 'DOWN']).toContain(ports[0]?.status);
    },
  },
  {
    name: 'limits and quota-set keys',
    async run(ctx) {
      const limits = ((await nova(ctx, 'GET', '/limits')).body as { limits: { absolute: Record<string, number>; rate: unknown[] } }).limits;
      expect(Object.keys(limits.absolute).sort()).toEqual([
        'maxImageMeta', 'maxPersonality', 'maxPersonalitySize', 'maxSecurityGroupRules', 'maxSecurityGroups', 'maxServerGroupMembers',
        'maxServerGroups', 'maxServerMeta', 'maxTotalCores', 'maxTotalFloatingIps', 'maxTotalInstances', 'maxTotalKeypairs', 'maxTotalRAMSize',
        'totalCoresUsed', 'totalFloatingIpsUsed', 'totalInstancesUsed', 'totalRAMUsed', 'totalSecurityGroupsUsed', 'totalServerGroupsUsed',
      ]);
      expect(limits.absolute.totalInstancesUsed).toBeGreaterThanOrEqual(1);
      const quota = ((await nova(ctx, 'GET', `/os-quota-sets/${ctx.member.projectId}`)).body as { quota_set: Record<string, unknown> }).quota_set;
      expect(Object.keys(quota).sort()).toEqual([
        'cores', 'fixed_ips', 'floating_ips', 'id', 'injected_file_content_bytes', 'injected_file_path_bytes', 'injected_files', 'instances',
        'key_pairs', 'metadata_items', 'ram', 'security_group_rules', 'security_groups', 'server_group_members', 'server_groups',
      ]);
    },
  },
  {
    name: 'resize to VERIFY_RESIZE, confirm',
    async run(ctx) {
      const flavors = ((await nova(ctx, 'GET', '/flavors/detail')).body as { flavors: { id: string; name: string; ram: number; disk: number; vcpus: number }[] }).flavors;
      const current = flavors.find((f) => f.id === ctx.flavorId);
      const target = flavors
        .filter((f) => f.id !== ctx.flavorId && f.disk >= (current?.disk ?? 0) && f.ram > (current?.ram ?? 0))
        .sort((a, b) => a.ram - b.ram || a.vcpus - b.vcpus)[0];
      if (!target) throw new Error('no larger flavor to resize to');
      const result = await action(ctx, ctx.first, { resize: { flavorRef: target.id } });
      expect(result.status).toBe(202);
      const { seen } = await pollServer(ctx, ctx.first, settled('VERIFY_RESIZE'));
      expect(seen.every((s) => ['ACTIVE', 'RESIZE', 'VERIFY_RESIZE'].includes(s))).toBe(true);
      const resized = ((await nova(ctx, 'GET', `/servers/${ctx.first}`, undefined, { 'OpenStack-API-Version': 'compute 2.47' })).body as { server: ServerView }).server;
      expect(resized['OS-EXT-STS:vm_state']).toBe('resized');
      expect((resized.flavor as { original_name: string }).original_name).toBe(target.name);
      const confirm = await action(ctx, ctx.first, { confirmResize: null });
      expect(confirm.status).toBe(204);
      await pollServer(ctx, ctx.first, settled('ACTIVE'));
      const again = await action(ctx, ctx.first, { confirmResize: null });
      expect(again.status).toBe(409);
      expect(again.body).toEqual({ conflictingRequest: { code: 409, message: `Cannot 'confirmResize' instance ${ctx.first} while it is in vm_state active` } });
    },
  },
  {
    name: 'locked server rejects stop',
    async run(ctx) {
      expect((await action(ctx, ctx.first, { lock: null })).status).toBe(202);
      try {
        const view = ((await nova(ctx, 'GET', `/servers/${ctx.first}`, undefined, { 'OpenStack-API-Version': 'compute 2.9' })).body as { server: ServerView }).server;
        expect(view.locked).toBe(true);
        const stop = await action(ctx, ctx.first, { 'os-stop': null });
        expect(stop.status).toBe(409);
        expect(stop.body).toEqual({ conflictingRequest: { code: 409, message: `Instance ${ctx.first} is locked` } });
      } finally {
        expect((await action(ctx, ctx.first, { unlock: null })).status).toBe(202);
      }
    },
  },
  {
    name: 'paging with limit=1 across two servers',
    async run(ctx) {
      expect((await createServer(ctx, `${ctx.tag}-2`)).status).toBe(202);
      const filter = `name=${encodeURIComponent('^' + ctx.tag)}`;
      const page1 = await nova(ctx, 'GET', `/servers?${filter}&limit=1`);
      const body1 = page1.body as { servers: { id: string }[]; servers_links?: { rel: string; href: string }[] };
      expect(body1.servers).toHaveLength(1);
      const next1 = body1.servers_links?.find((l) => l.rel === 'next')?.href ?? '';
      expect(next1).toMatch(/^http:\/\/.+\/servers\?.*marker=/);
      expect(next1).toContain(`marker=${body1.servers[0]?.id}`);

      const page2 = await call('GET', next1, { token: ctx.member.token });
      const body2 = page2.body as typeof body1;
      expect(body2.servers).toHaveLength(1);
      expect(body2.servers[0]?.id).not.toBe(body1.servers[0]?.id);
      // The page is full, so Nova adds a next link even though nothing follows.
      const next2 = body2.servers_links?.find((l) => l.rel === 'next')?.href ?? '';
      expect(next2).toContain(`marker=${body2.servers[0]?.id}`);

      const page3 = await call('GET', next2, { token: ctx.member.token });
      expect(page3.body).toEqual({ servers: [] });
    },
  },
  {
    name: 'bad marker and limit answer 400',
    async run(ctx) {
      const marker = await nova(ctx, 'GET', `/servers?marker=${UNKNOWN_ID}`);
      expect(marker.status).toBe(400);
      expect(marker.body).toEqual({ badRequest: { code: 400, message: `marker [${UNKNOWN_ID}] not found` } });
      const limit = await nova(ctx, 'GET', '/servers?limit=-1');
      expect(limit.status).toBe(400);
      expect((limit.body as { badRequest: { message: string } }).badRequest.message).toContain('limit');
    },
  },
  {
    name: 'all_tenants: member 403, admin 200',
    async run(ctx) {
      const member = await nova(ctx, 'GET', '/servers/detail?all_tenants=1&limit=1');
      expect(member.status).toBe(403);
      expect(member.body).toEqual({ forbidden: { code: 403, message: "Policy doesn't allow os_compute_api:servers:detail:get_all_tenants to be performed." } });
      const admin = await call('GET', `${ctx.admin.compute}/servers/detail?all_tenants=1&${`name=${encodeURIComponent('^' + ctx.tag)}`}`, { token: ctx.admin.token });
      expect(admin.status).toBe(200);
      const ids = (admin.body as { servers: { id: string }[] }).servers.map((s) => s.id);
      expect(ids).toContain(ctx.first);
    },
  },
  {
    name: 'delete answers 204 then 404',
    async run(ctx) {
      const id = ctx.servers[1] as string;
      const result = await nova(ctx, 'DELETE', `/servers/${id}`);
      expect(result.status).toBe(204);
      const { seen } = await pollServer(ctx, id, (s) => s === null);
      expect(seen.every((s) => ['BUILD', 'ACTIVE', 'DELETED'].includes(s))).toBe(true);
      const gone = await nova(ctx, 'GET', `/servers/${id}`);
      expect(gone.status).toBe(404);
      expect(gone.body).toEqual({ itemNotFound: { code: 404, message: `Instance ${id} could not be found.` } });
      const again = await nova(ctx, 'DELETE', `/servers/${id}`);
      expect(again.status).toBe(404);
      ctx.deleted = id;
    },
  },
  {
    name: 'deleted server still works as marker',
    async run(ctx) {
      const result = await nova(ctx, 'GET', `/servers?marker=${ctx.deleted}`);
      expect(result.status).toBe(200);
    },
  },
  {
    name: 'changes-since lists the deleted server',
    async run(ctx) {
      const result = await nova(ctx, 'GET', `/servers/detail?changes-since=${encodeURIComponent(ctx.startedAt)}`);
      expect(result.status).toBe(200);
      const servers = (result.body as { servers: { id: string; status: string }[] }).servers;
      expect(servers.find((s) => s.id === ctx.deleted)?.status).toBe('DELETED');
      expect(servers.find((s) => s.id === ctx.first)?.status).toBe('ACTIVE');
      const plain = await nova(ctx, 'GET', `/servers?name=${encodeURIComponent('^' + ctx.tag)}`);
      expect((plain.body as { servers: { id: string }[] }).servers.map((s) => s.id)).not.toContain(ctx.deleted);
      const bad = await nova(ctx, 'GET', '/servers/detail?changes-since=yesterday');
      expect(bad.status).toBe(400);
    },
  },
  {
    name: 'create errors match Nova',
    async run(ctx) {
      const base = { flavorRef: ctx.flavorId, imageRef: ctx.imageId, networks: [{ uuid: ctx.networkId }] };
      const expectBadRequest = async (server: Record<string, unknown>, message: string | RegExp, headers?: Record<string, string>) => {
        const result = await nova(ctx, 'POST', '/servers', { server }, headers);
        expect(result.status).toBe(400);
        const actual = (result.body as { badRequest: { code: number; message: string } }).badRequest;
        expect(actual.code).toBe(400);
        if (typeof message === 'string') expect(actual.message).toBe(message);
        else expect(actual.message).toMatch(message);
      };
      await expectBadRequest({ ...base, name: `${ctx.tag}-x`, flavorRef: 'no-such-flavor' }, 'Flavor no-such-flavor could not be found.');
      await expectBadRequest({ ...base, name: `${ctx.tag}-x`, imageRef: UNKNOWN_ID }, 'Can not find requested image');
      await expectBadRequest({ ...base, name: `${ctx.tag}-x`, networks: [{ uuid: UNKNOWN_ID }] }, `Network ${UNKNOWN_ID} could not be found.`);
      await expectBadRequest({ flavorRef: ctx.flavorId, imageRef: ctx.imageId }, /^Invalid input for field\/attribute server\. Value: \{.*\}\. 'name' is a required property$/);
      await expectBadRequest(
        { name: `${ctx.tag}-x`, flavorRef: ctx.flavorId, imageRef: ctx.imageId },
        `Invalid input for field/attribute server. Value: {'name': '${ctx.tag}-x', 'flavorRef': '${ctx.flavorId}', 'imageRef': '${ctx.imageId}'}. 'networks' is a required property`,
        { 'OpenStack-API-Version': 'compute 2.37' },
      );
      const malformed = await fetch(`${ctx.member.compute}/servers`, { method: 'POST', headers: { 'x-auth-token': ctx.member.token, 'content-type': 'application/json' }, body: '{bad' });
      expect(malformed.status).toBe(400);
      expect(await malformed.json()).toEqual({ badRequest: { code: 400, message: 'Malformed request body' } });
    },
  },
  {
    name: 'quota exceeded answers 403',
    async run(ctx) {
      const result = await nova(ctx, 'POST', '/servers', {
        server: { name: `${ctx.tag}-quota`, flavorRef: ctx.flavorId, imageRef: ctx.imageId, networks: [{ uuid: ctx.networkId }], min_count: 11 },
      });
      expect(result.status).toBe(403);
      const forbidden = (result.body as { forbidden: { code: number; message: string } }).forbidden;
      expect(forbidden.code).toBe(403);
      expect(forbidden.message).toMatch(/^Quota exceeded for instances: Requested 11, but already used \d+ of 10 instances$/);
    },
  },
  {
    name: 'action errors on unknown servers',
    async run(ctx) {
      const start = await action(ctx, UNKNOWN_ID, { 'os-start': null });
      expect(start.status).toBe(404);
      expect(start.body).toEqual({ itemNotFound: { code: 404, message: `Instance ${UNKNOWN_ID} has no mapping to a cell.` } });
      const reboot = await action(ctx, UNKNOWN_ID, { reboot: { type: 'x' } });
      expect(reboot.status).toBe(400);
      expect(reboot.body).toEqual({ badRequest: { code: 400, message: "Invalid input for field/attribute type. Value: x. 'x' is not one of ['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft']" } });
      const remove = await nova(ctx, 'DELETE', `/servers/${UNKNOWN_ID}`);
      expect(remove.status).toBe(404);
      expect(remove.body).toEqual({ itemNotFound: { code: 404, message: `Instance ${UNKNOWN_ID} could not be found.` } });
      const route = await nova(ctx, 'GET', '/no-such-route', undefined, { accept: '*/*' });
      expect(route.status).toBe(404);
      expect(route.headers.get('content-type')).toContain('text/html');
    },
  },
  {
    name: 'Glance 401 body',
    async run(ctx) {
      const result = await call('GET', `${ctx.member.image}/v2/images`, { token: 'not-a-token' });
      expect(result.status).toBe(401);
      const body = result.body as { message: string; code: string; title: string };
      expect(body.code).toBe('401 Unauthorized');
      expect(body.title).toBe('Unauthorized');
      expect(body.message).toMatch(/^This server could not verify that you are authorized/);
      expect(result.headers.get('www-authenticate')).toMatch(/^Keystone uri="/);
    },
  },
  {
    name: 'Nova 404 body',
    async run(ctx) {
      const result = await nova(ctx, 'GET', `/servers/${UNKNOWN_ID}`);
      expect(result.status).toBe(404);
      expect(result.body).toEqual({ itemNotFound: { code: 404, message: `Instance ${UNKNOWN_ID} could not be found.` } });
    },
  },
  {
    name: 'Glance 404 body',
    async run(ctx) {
      const json = await call('GET', `${ctx.member.image}/v2/images/${UNKNOWN_ID}`, { token: ctx.member.token });
      expect(json.status).toBe(404);
      expect(json.body).toEqual({ message: `No image found with ID ${UNKNOWN_ID}<br /><br />\n\n\n`, code: '404 Not Found', title: 'Not Found' });
      const html = await call('GET', `${ctx.member.image}/v2/images/${UNKNOWN_ID}`, { token: ctx.member.token, headers: { accept: '*/*' } });
      expect(html.status).toBe(404);
      expect(html.headers.get('content-type')).toContain('text/html');
      expect(html.text).toContain(`No image found with ID ${UNKNOWN_ID}`);
    },
  },
  {
    name: 'Glance paging uses relative links',
    async run(ctx) {
      const result = await call('GET', `${ctx.member.image}/v2/images?limit=1`, { token: ctx.member.token });
      const body = result.body as { images: { id: string }[]; next?: string; first: string };
      expect(body.images).toHaveLength(1);
      expect(body.first).toBe('/v2/images?limit=1');
      expect(body.next).toBe(`/v2/images?limit=1&marker=${body.images[0]?.id}`);
    },
  },
  {
    name: 'volume create, available, delete',
    async run(ctx) {
      const volumeUrl = ctx.member.volume;
      if (!volumeUrl) throw new Error('catalog has no block-storage endpoint');
      const created = await call('POST', `${volumeUrl}/volumes`, { token: ctx.member.token, body: { volume: { size: 1, name: `${ctx.tag}-vol` } } });
      expect(created.status).toBe(202);
      const volume = (created.body as { volume: { id: string; status: string; updated_at: unknown; bootable: unknown } }).volume;
      expect(volume.status).toBe('creating');
      expect(volume.updated_at).toBeNull();
      expect(volume.bootable).toBe('false');
      expect(created.headers.get('openstack-api-version')).toBe('volume 3.0');
      const deadline = Date.now() + ctx.target.transitionTimeoutMs;
      let status = volume.status;
      while (status !== 'available' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, ctx.target.pollMs));
        status = ((await call('GET', `${volumeUrl}/volumes/${volume.id}`, { token: ctx.member.token })).body as { volume: { status: string } }).volume.status;
      }
      expect(status).toBe('available');
      const shown = ((await call('GET', `${volumeUrl}/volumes/${volume.id}`, { token: ctx.member.token })).body as { volume: Record<string, unknown> }).volume;
      expect(shown['os-vol-tenant-attr:tenant_id']).toBe(ctx.member.projectId);
      expect(String(shown.created_at)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
      const removed = await call('DELETE', `${volumeUrl}/volumes/${volume.id}`, { token: ctx.member.token });
      expect(removed.status).toBe(202);
      let gone = 0;
      while (Date.now() < deadline) {
        gone = (await call('GET', `${volumeUrl}/volumes/${volume.id}`, { token: ctx.member.token })).status;
        if (gone === 404) break;
        await new Promise((resolve) => setTimeout(resolve, ctx.target.pollMs));
      }
      expect(gone).toBe(404);
    },
  },
  {
    name: 'Cinder 404 body',
    async run(ctx) {
      const result = await call('GET', `${ctx.member.volume}/volumes/${UNKNOWN_ID}`, { token: ctx.member.token });
      expect(result.status).toBe(404);
      expect(result.body).toEqual({ itemNotFound: { code: 404, message: `Volume ${UNKNOWN_ID} could not be found.` } });
    },
  },
  {
    name: 'image create, upload, patch, delete',
    async run(ctx) {
      const images = `${ctx.member.image}/v2/images`;
      const created = await call('POST', images, { token: ctx.member.token, body: { name: `${ctx.tag}-image`, disk_format: 'raw', container_format: 'bare', os_distro: 'alpine' } });
      expect(created.status).toBe(201);
      const image = created.body as { id: string; status: string; visibility: string; os_distro: string; size: unknown };
      expect(image.status).toBe('queued');
      expect(image.visibility).toBe('shared');
      expect(image.os_distro).toBe('alpine');
      expect(image.size).toBeNull();
      try {
        const upload = await fetch(`${images}/${image.id}/file`, {
          method: 'PUT',
          headers: { 'x-auth-token': ctx.member.token, 'content-type': 'application/octet-stream' },
          body: Buffer.from('0123456789'),
          signal: AbortSignal.timeout(30_000),
        });
        expect(upload.status).toBe(204);
        const shown = (await call('GET', `${images}/${image.id}`, { token: ctx.member.token })).body as { status: string; size: number; checksum: string };
        expect(shown.status).toBe('active');
        expect(shown.size).toBe(10);
        expect(shown.checksum).toBe('781e5e245d69b566979b86e28d23f2c7');

        const patched = await call('PATCH', `${images}/${image.id}`, {
          token: ctx.member.token,
          headers: { 'content-type': 'application/openstack-images-v2.1-json-patch' },
          body: [
            { op: 'replace', path: '/name', value: `${ctx.tag}-renamed` },
            { op: 'add', path: '/os_version', value: '3.19' },
            { op: 'remove', path: '/os_distro' },
          ],
        });
        expect(patched.status).toBe(200);
        const after = patched.body as Record<string, unknown>;
        expect(after.name).toBe(`${ctx.tag}-renamed`);
        expect(after.os_version).toBe('3.19');
        expect(after.os_distro).toBeUndefined();
        const readOnly = await call('PATCH', `${images}/${image.id}`, {
          token: ctx.member.token,
          headers: { 'content-type': 'application/openstack-images-v2.1-json-patch' },
          body: [{ op: 'replace', path: '/status', value: 'active' }],
        });
        expect(readOnly.status).toBe(403);
        expect((readOnly.body as { message: string }).message).toContain("Attribute 'status' is read-only.");
      } finally {
        const removed = await call('DELETE', `${images}/${image.id}`, { token: ctx.member.token });
        expect(removed.status).toBe(204);
      }
    },
  },
  {
    name: 'Neutron 404 body',
    async run(ctx) {
      const result = await call('GET', `${ctx.member.network}/v2.0/networks/${UNKNOWN_ID}`, { token: ctx.member.token });
      expect(result.status).toBe(404);
      expect(result.body).toEqual({ NeutronError: { type: 'NetworkNotFound', message: `Network ${UNKNOWN_ID} could not be found.`, detail: '' } });
    },
  },
  {
    name: 'Keystone wrong password answers 401',
    async run(ctx) {
      const body = passwordAuthBody({ ...ctx.memberCloud, auth: { ...ctx.memberCloud.auth, password: 'wrong-password' } });
      const result = await call('POST', `${ctx.member.authUrl}/auth/tokens`, { body });
      expect(result.status).toBe(401);
      expect(result.body).toEqual({ error: { code: 401, title: 'Unauthorized', message: MESSAGE_401 } });
    },
  },
  {
    name: 'token validation and revocation',
    async run(ctx) {
      const second = await login(ctx.memberCloud);
      const check = await call('GET', `${ctx.member.authUrl}/auth/tokens`, { token: ctx.member.token, headers: { 'x-subject-token': second.token } });
      expect(check.status).toBe(200);
      expect(check.headers.get('x-subject-token')).toBe(second.token);
      expect((check.body as { token: { project: { id: string } } }).token.project.id).toBe(ctx.member.projectId);
      const revoke = await call('DELETE', `${ctx.member.authUrl}/auth/tokens`, { token: ctx.member.token, headers: { 'x-subject-token': second.token } });
      expect(revoke.status).toBe(204);
      const after = await call('GET', `${ctx.member.compute}/servers`, { token: second.token });
      expect(after.status).toBe(401);
      expect(after.body).toEqual({ error: { code: 401, title: 'Unauthorized', message: MESSAGE_401 } });
      expect(after.headers.get('www-authenticate')).toMatch(/^Keystone uri="http:\/\//);
      const none = await call('GET', `${ctx.member.network}/v2.0/networks`);
      expect(none.status).toBe(401);
      expect(none.body).toEqual({ error: { code: 401, title: 'Unauthorized', message: MESSAGE_401 } });
    },
  },
  {
    name: 'Keystone project list by name',
    async run(ctx) {
      const name = ctx.memberCloud.auth.project_name;
      const listed = await call('GET', `${ctx.admin.authUrl}/projects?name=${encodeURIComponent(name)}`, { token: ctx.admin.token });
      expect(listed.status).toBe(200);
      const body = listed.body as { projects: Record<string, unknown>[]; links: Record<string, unknown> };
      expect(body.projects.map((p) => p.id)).toEqual([ctx.member.projectId]);
      expect(Object.keys(body.projects[0] ?? {}).sort()).toEqual(['description', 'domain_id', 'enabled', 'id', 'is_domain', 'links', 'name', 'options', 'parent_id', 'tags']);
      expect(body.projects[0]?.name).toBe(name);
      expect(body.links).toEqual({ self: `${ctx.admin.authUrl}/projects?name=${encodeURIComponent(name)}`, previous: null, next: null });

      const unknown = await call('GET', `${ctx.admin.authUrl}/projects?name=${ctx.tag}-none`, { token: ctx.admin.token });
      expect((unknown.body as { projects: unknown[] }).projects).toEqual([]);
      const disabled = await call('GET', `${ctx.admin.authUrl}/projects?name=${encodeURIComponent(name)}&enabled=false`, { token: ctx.admin.token });
      expect((disabled.body as { projects: unknown[] }).projects).toEqual([]);
      const byMember = await call('GET', `${ctx.member.authUrl}/projects?name=${encodeURIComponent(name)}`, { token: ctx.member.token });
      expect(byMember.status).toBe(403);
      expect(byMember.body).toEqual({ error: { code: 403, title: 'Forbidden', message: 'You are not authorized to perform the requested action: identity:list_projects.' } });
    },
  },
  {
    name: 'Keystone project show by id',
    async run(ctx) {
      const path = `/projects/${ctx.member.projectId}`;
      const listed = await call('GET', `${ctx.admin.authUrl}/projects?name=${encodeURIComponent(ctx.memberCloud.auth.project_name)}`, { token: ctx.admin.token });
      const expected = (listed.body as { projects: unknown[] }).projects[0];

      const byAdmin = await call('GET', `${ctx.admin.authUrl}${path}`, { token: ctx.admin.token });
      expect(byAdmin.status).toBe(200);
      expect((byAdmin.body as { project: unknown }).project).toEqual(expected);
      const byMember = await call('GET', `${ctx.member.authUrl}${path}`, { token: ctx.member.token });
      expect(byMember.status).toBe(200);
      expect((byMember.body as { project: unknown }).project).toEqual(expected);

      const otherProject = await call('GET', `${ctx.member.authUrl}/projects/${ctx.admin.projectId}`, { token: ctx.member.token });
      expect(otherProject.status).toBe(403);
      expect(otherProject.body).toEqual({ error: { code: 403, title: 'Forbidden', message: 'You are not authorized to perform the requested action: identity:get_project.' } });
    },
  },
  {
    name: 'Keystone unknown project answers 404',
    async run(ctx) {
      const byAdmin = await call('GET', `${ctx.admin.authUrl}/projects/${UNKNOWN_ID}`, { token: ctx.admin.token });
      expect(byAdmin.status).toBe(404);
      expect(byAdmin.body).toEqual({ error: { code: 404, title: 'Not Found', message: `Could not find project: ${UNKNOWN_ID}.` } });
      // Policy runs before the lookup, so a member cannot tell an unknown id from another project's.
      const byMember = await call('GET', `${ctx.member.authUrl}/projects/${UNKNOWN_ID}`, { token: ctx.member.token });
      expect(byMember.status).toBe(403);
    },
  },
  {
    name: 'Keystone user and auth project lists',
    async run(ctx) {
      const ids = (result: HttpResult) => (result.body as { projects: { id: string }[] }).projects.map((p) => p.id);
      const own = await call('GET', `${ctx.member.authUrl}/users/${ctx.member.userId}/projects`, { token: ctx.member.token });
      expect(own.status).toBe(200);
      expect(ids(own)).toContain(ctx.member.projectId);
      const scopes = await call('GET', `${ctx.member.authUrl}/auth/projects`, { token: ctx.member.token });
      expect(scopes.status).toBe(200);
      expect(ids(scopes)).toContain(ctx.member.projectId);

      const otherUser = await call('GET', `${ctx.member.authUrl}/users/${ctx.admin.userId}/projects`, { token: ctx.member.token });
      expect(otherUser.status).toBe(403);
      expect(otherUser.body).toEqual({ error: { code: 403, title: 'Forbidden', message: 'You are not authorized to perform the requested action: identity:list_user_projects.' } });
      const unknownUser = await call('GET', `${ctx.admin.authUrl}/users/${UNKNOWN_ID}/projects`, { token: ctx.admin.token });
      expect(unknownUser.status).toBe(404);
      expect(unknownUser.body).toEqual({ error: { code: 404, title: 'Not Found', message: `Could not find user: ${UNKNOWN_ID}.` } });
    },
  },
];

const targets = [simulatorTarget(), realCloudTarget()];

describe.each(targets)('contract: $name', (target) => {
  if (!target.enabled) {
    it.skip(target.skipReason, () => {});
    return;
  }
  const ctx = { target, servers: [] as string[] } as Ctx;

  beforeAll(async () => {
    const clouds = await target.start();
    ctx.memberCloud = clouds.member;
    ctx.member = await login(clouds.member);
    ctx.admin = await login(clouds.admin);
    ctx.tag = `contract-${Date.now().toString(36)}`;
    ctx.startedAt = new Date(Date.now() - 2000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    await chooseResources(ctx);
  });

  afterAll(async () => {
    // Delete what this run created and wait (bounded) until the cloud has dropped it.
    for (const id of ctx.servers) {
      const result = await call('DELETE', `${ctx.member.compute}/servers/${id}`, { token: ctx.member.token }).catch(() => null);
      if (result && result.status !== 204 && result.status !== 404) console.error(`cleanup: DELETE server ${id} answered ${result.status}`);
    }
    const deadline = Date.now() + target.transitionTimeoutMs;
    for (const id of ctx.servers) {
      while (Date.now() < deadline) {
        const result = await call('GET', `${ctx.member.compute}/servers/${id}`, { token: ctx.member.token }).catch(() => null);
        if (!result || result.status === 404) break;
        await new Promise((resolve) => setTimeout(resolve, target.pollMs));
      }
    }
    await target.stop();
  });

  it.each(scenarios)('$name', async ({ run }) => {
    await run(ctx);
  });
});
