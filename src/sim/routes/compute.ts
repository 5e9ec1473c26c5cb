import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isoMicrosNoZone } from '../clock.ts';
import { invalidStateMessage } from '../state/lifecycle.ts';
import { StoreError } from '../state/store.ts';
import type { OperationName, Server } from '../state/types.ts';
import { makeAuthHook } from './auth-hook.ts';
import { legacyConsoleActions, registerConsoleRoutes } from './compute-consoles.ts';
import { registerKeypairRoutes } from './compute-keypairs.ts';
import { atLeast, flavorView, hostIdOf, serverSummary, serverView, selfLinks } from './compute-views.ts';
import { listServers } from './compute-list.ts';
import { parseServerCreate } from './compute-create.ts';
import type { CallerContext, RouteDeps } from './context.ts';
import { caller, isObject, MALFORMED, novaError, queryString } from './context.ts';

export const MIN_MICROVERSION: [number, number] = [2, 1];
export const MAX_MICROVERSION: [number, number] = [2, 93];

type Params = { id: string };

/** Action body keys Nova accepts here, mapped to the operation and the name in 409 messages. */
const actions: Record<string, { op: OperationName | 'reboot'; name: string }> = {
  'os-start': { op: 'start', name: 'start' },
  'os-stop': { op: 'stop', name: 'stop' },
  reboot: { op: 'reboot', name: 'reboot' },
  pause: { op: 'pause', name: 'pause' },
  unpause: { op: 'unpause', name: 'unpause' },
  suspend: { op: 'suspend', name: 'suspend' },
  resume: { op: 'resume', name: 'resume' },
  resize: { op: 'resize-verify', name: 'resize' },
  revertResize: { op: 'revert-resize', name: 'revertResize' },
};

/** Actions that change a flag or finish at once, with no timeline steps. */
const instantActions = new Set(['confirmResize', 'lock', 'unlock']);

/**
 * Reads the requested microversion from `OpenStack-API-Version: compute X.Y` or the older
 * `X-OpenStack-Nova-API-Version`. Sends Nova's 400 or 406 and returns null when it is invalid.
 */
function chooseMicroversion(request: FastifyRequest, reply: FastifyReply): [number, number] | null {
  let requested: string | undefined;
  const modern = request.headers['openstack-api-version'];
  const modernText = Array.isArray(modern) ? modern.join(',') : modern;
  if (modernText) {
    for (const part of modernText.split(',')) {
      const [service, value] = part.trim().split(/\s+/);
      if (service?.toLowerCase() === 'compute' && value) requested = value;
    }
  }
  if (requested === undefined) {
    const legacy = request.headers['x-openstack-nova-api-version'];
    requested = Array.isArray(legacy) ? legacy[0] : legacy;
  }

  if (requested === undefined || requested === '') return MIN_MICROVERSION;
  if (requested.toLowerCase() === 'latest') return MAX_MICROVERSION;
  const match = /^([1-9]\d*)\.(0|[1-9]\d*)$/.exec(requested);
  if (!match) {
    void novaError(reply, 400, `API Version String ${requested} is of invalid format. Must be of format MajorNum.MinorNum.`);
    return null;
  }

  const version: [number, number] = [Number(match[1]), Number(match[2])];
  const below = version[0] < MIN_MICROVERSION[0] || (version[0] === MIN_MICROVERSION[0] && version[1] < MIN_MICROVERSION[1]);
  const above = version[0] > MAX_MICROVERSION[0] || (version[0] === MAX_MICROVERSION[0] && version[1] > MAX_MICROVERSION[1]);
  if (below || above) {
    void reply.code(406).send({
      computeFault: { code: 406, message: `Version ${requested} is not supported by the API. Minimum is 2.1 and maximum is 2.93.` },
    });
    return null;
  }
  return version;
}

/** Nova v2.1 compute API: version documents, servers, actions, flavors, limits, quotas. */
export function registerCompute(app: FastifyInstance, deps: RouteDeps): void {
  const { store } = deps;
  const authenticate = makeAuthHook(deps);
  const base = () => deps.baseUrl();

  const versionV21 = () => ({
    id: 'v2.1',
    status: 'CURRENT',
    version: `${MAX_MICROVERSION[0]}.${MAX_MICROVERSION[1]}`,
    min_version: `${MIN_MICROVERSION[0]}.${MIN_MICROVERSION[1]}`,
    updated: '2013-07-23T11:33:21Z',
    links: [{ rel: 'self', href: `${base()}/compute/v2.1/` }],
  });
  const versions = async () => ({
    versions: [
      { id: 'v2.0', status: 'SUPPORTED', version: '', min_version: '', updated: '2011-01-21T11:33:21Z', links: [{ rel: 'self', href: `${base()}/compute/v2/` }] },
      versionV21(),
    ],
  });
  const versionDoc = async () => ({
    version: {
      ...versionV21(),
      links: [
        { rel: 'self', href: `${base()}/compute/v2.1/` },
        { rel: 'describedby', type: 'text/html', href: 'http://docs.openstack.org/' },
      ],
      'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2.1' }],
    },
  });
  app.get('/compute', versions);
  app.get('/compute/v2.1', versionDoc);

  app.register(async (api) => {
    api.addHook('onRequest', async (request, reply) => {
      const version = chooseMicroversion(request, reply);
      if (!version) return reply;
      request.microversion = version;
      const text = `${version[0]}.${version[1]}`;
      reply.header('OpenStack-API-Version', `compute ${text}`);
      reply.header('X-OpenStack-Nova-API-Version', text);
      reply.header('Vary', ['OpenStack-API-Version', 'X-OpenStack-Nova-API-Version']);
      await authenticate(request, reply);
      if (request.caller) {
        reply.header('X-OpenStack-Request-Id', request.caller.requestId);
        reply.header('X-Compute-Request-Id', request.caller.requestId);
      }
      return reply.sent ? reply : undefined;
    });
    consoles = registerConsoleRoutes(api, deps, visibleServer);
    registerServerRoutes(api);
    registerOtherRoutes(api);
  }, { prefix: '/compute/v2.1' });

  let consoles: ReturnType<typeof registerConsoleRoutes> | undefined;
  // Placeholder for the noVNC page that console URLs point at.
  app.get('/vnc_auto.html', async (request, reply) => {
    const path = queryString(request.query, 'path') ?? '';
    const token = new URLSearchParams(path.replace(/^\?/, '')).get('token') ?? '';
    const server = consoles?.consolePage(token);
    if (!server) return reply.code(401).type('text/plain; charset=utf-8').send('Invalid or expired console token.');
    const name = server.name.replace(/[<>&"]/g, '');
    return reply.type('text/html; charset=utf-8').send(`<!doctype html><title>${name}</title><p>Simulated console of server ${name} (${server.id}). The simulator runs no guests, so there is no screen to show.</p>`);
  });

  const mv = (request: FastifyRequest): [number, number] => request.microversion ?? MIN_MICROVERSION;

  /** Returns the server when the caller may see it, else undefined (Nova returns 404 for other projects). */
  function visibleServer(ctx: CallerContext, id: string): Server | undefined {
    const server = store.servers.get(id);
    if (!server || server.deletedAt !== null) return undefined;
    if (server.projectId !== ctx.project.id && !ctx.isAdmin) return undefined;
    return server;
  }
  const notFound = (reply: FastifyReply, id: string) => novaError(reply, 404, `Instance ${id} could not be found.`);

  function registerServerRoutes(api: FastifyInstance): void {
    const list = (detail: boolean) => async (request: FastifyRequest, reply: FastifyReply) => {
      const ctx = caller(request);
      const q = request.query;
      const result = listServers(store, ctx, {
        limit: queryString(q, 'limit'),
        marker: queryString(q, 'marker'),
        allTenants: queryString(q, 'all_tenants'),
        projectId: queryString(q, 'project_id') ?? queryString(q, 'tenant_id'),
        status: queryString(q, 'status'),
        name: queryString(q, 'name'),
        changesSince: queryString(q, 'changes-since'),
      }, detail);
      if (!result.ok) return novaError(reply, result.status, result.message);
      const body: Record<string, unknown> = {
        servers: result.servers.map((s) => (detail ? serverView(s, store, base(), mv(request), ctx.isAdmin) : serverSummary(s, base()))),
      };
      const last = result.servers[result.servers.length - 1];
      if (result.pageFull && last) {
        const params = new URLSearchParams(request.url.split('?')[1] ?? '');
        params.delete('marker');
        params.set('marker', last.id);
        body.servers_links = [{ rel: 'next', href: `${base()}/compute/v2.1/servers${detail ? '/detail' : ''}?${params.toString()}` }];
      }
      return body;
    };
    api.get('/servers', list(false));
    api.get('/servers/detail', list(true));

    api.get<{ Params: Params }>('/servers/:id', async (request, reply) => {
      const ctx = caller(request);
      const server = visibleServer(ctx, request.params.id);
      if (!server) return notFound(reply, request.params.id);
      return { server: serverView(server, store, base(), mv(request), ctx.isAdmin) };
    });

    api.put<{ Params: Params }>('/servers/:id', async (request, reply) => {
      const ctx = caller(request);
      const server = visibleServer(ctx, request.params.id);
      if (!server) return notFound(reply, request.params.id);
      const body = request.body;
      const spec = isObject(body) && isObject(body.server) ? body.server : undefined;
      if (!spec) return novaError(reply, 400, "Invalid input for field/attribute server. Value: None. None is not of type 'object'");
      if (typeof spec.name === 'string') server.name = spec.name;
      if (typeof spec.description === 'string' || spec.description === null) server.description = spec.description;
      store.touch(server, store.now());
      store.changed();
      return { server: serverView(server, store, base(), mv(request), ctx.isAdmin) };
    });

    api.post('/servers', async (request, reply) => {
      const ctx = caller(request);
      if (request.body === MALFORMED) return novaError(reply, 400, 'Malformed request body');
      const parsed = parseServerCreate(store, ctx, request.body, mv(request));
      if (!parsed.ok) return novaError(reply, parsed.status, parsed.message);
      let created: Server[];
      try {
        created = store.createServer({ userId: ctx.user.id, projectId: ctx.project.id, requestId: ctx.requestId }, parsed.request);
      } catch (error) {
        if (error instanceof StoreError) return novaError(reply, error.status, error.message);
        throw error;
      }
      const first = created[0] as Server;
      if (parsed.returnReservationId) return reply.code(202).send({ reservation_id: first.reservationId });
      reply.header('Location', `${base()}/compute/v2.1/servers/${first.id}`);
      return reply.code(202).send({
        server: {
          id: first.id,
          links: selfLinks(base(), 'servers', first.id),
          'OS-DCF:diskConfig': 'MANUAL',
          security_groups: first.securityGroups.map((name) => ({ name })),
          adminPass: first.adminPass,
        },
      });
    });

    api.delete<{ Params: Params }>('/servers/:id', async (request, reply) => {
      const ctx = caller(request);
      const server = visibleServer(ctx, request.params.id);
      if (!server || server.vmState === 'deleted') return notFound(reply, request.params.id);
      if (server.locked && !ctx.isAdmin) return novaError(reply, 409, `Instance ${server.id} is locked`);
      const now = store.now();
      if (server.taskState !== 'deleting') {
        store.recordAction(server, 'delete', { userId: ctx.user.id, projectId: ctx.project.id, requestId: ctx.requestId }, now);
        store.beginOperation(server, 'delete', now);
        store.changed();
      }
      return reply.code(204).send();
    });

    api.post<{ Params: Params }>('/servers/:id/action', async (request, reply) => {
      const ctx = caller(request);
      const body = request.body;
      if (body === MALFORMED) return novaError(reply, 400, 'Malformed request body');
      const key = isObject(body) ? Object.keys(body)[0] : undefined;
      if (key && instantActions.has(key)) return instantAction(request, reply, key);
      if (key && legacyConsoleActions.has(key) && consoles) {
        const server = visibleServer(ctx, request.params.id);
        if (!server) return notFound(reply, request.params.id);
        return consoles.legacyAction(ctx, server, key, body, reply);
      }
      const action = key ? actions[key] : undefined;
      if (!key || !action) return novaError(reply, 400, `There is no such action: ${key ?? 'None'}`);
      let op: OperationName;
      if (action.op === 'reboot') {
        const spec = isObject(body) && isObject(body.reboot) ? body.reboot : {};
        const type = typeof spec.type === 'string' ? spec.type.toUpperCase() : '';
        if (type !== 'SOFT' && type !== 'HARD') {
          return novaError(reply, 400, `Invalid input for field/attribute type. Value: ${String(spec.type)}. '${String(spec.type)}' is not one of ['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft']`);
        }
        op = type === 'SOFT' ? 'reboot-soft' : 'reboot-hard';
      } else {
        op = action.op;
      }
      // Nova validates the body before it looks the server up; an id it never saw has no cell mapping.
      const server = visibleServer(ctx, request.params.id);
      if (!server) {
        const known = store.servers.has(request.params.id);
        return novaError(reply, 404, known ? `Instance ${request.params.id} could not be found.` : `Instance ${request.params.id} has no mapping to a cell.`);
      }
      if (server.locked && !ctx.isAdmin) return novaError(reply, 409, `Instance ${server.id} is locked`);
      const conflict = invalidStateMessage(server, op, action.name);
      if (conflict) return novaError(reply, 409, conflict);
      const params: Record<string, string> = {};
      if (op === 'resize-verify') {
        const problem = prepareResize(server, isObject(body) ? body.resize : undefined, params);
        if (problem) return novaError(reply, problem.status, problem.message);
      }
      const now = store.now();
      store.recordAction(server, action.name, { userId: ctx.user.id, projectId: ctx.project.id, requestId: ctx.requestId }, now);
      store.beginOperation(server, op, now, params);
      store.changed();
      return reply.code(202).send();
    });

    /** Checks a resize request and saves the flavor and state to return to on revert. */
    function prepareResize(server: Server, spec: unknown, params: Record<string, string>): { status: number; message: string } | null {
      const flavorRef = isObject(spec) && typeof spec.flavorRef === 'string' ? spec.flavorRef.split('/').pop() : undefined;
      if (!flavorRef) return { status: 400, message: "Invalid input for field/attribute resize. 'flavorRef' is a required property" };
      const flavor = store.flavors.get(flavorRef);
      if (!flavor) return { status: 400, message: 'Unable to locate requested flavor.' };
      if (flavor.id === server.flavorId) return { status: 400, message: 'When resizing, instances must change flavor!' };
      try {
        store.checkQuotaDelta(server.projectId, { instances: 0, cores: flavor.vcpus - server.flavor.vcpus, ram: flavor.ram - server.flavor.ram });
      } catch (error) {
        if (error instanceof StoreError) return { status: error.status, message: error.message };
        throw error;
      }
      server.resizedFrom = { flavor: { ...server.flavor, extraSpecs: { ...server.flavor.extraSpecs } }, vmState: server.vmState };
      params.flavorId = flavor.id;
      return null;
    }

    /** confirmResize (204), lock and unlock (202): applied at once. */
    async function instantAction(request: FastifyRequest<{ Params: Params }>, reply: FastifyReply, key: string) {
      const ctx = caller(request);
      const server = visibleServer(ctx, request.params.id);
      if (!server) return notFound(reply, request.params.id);
      const now = store.now();
      const actor = { userId: ctx.user.id, projectId: ctx.project.id, requestId: ctx.requestId };
      if (key === 'confirmResize') {
        const conflict = invalidStateMessage(server, 'confirm-resize', 'confirmResize');
        if (conflict) return novaError(reply, 409, conflict);
        store.recordAction(server, 'confirmResize', actor, now);
        server.vmState = server.resizedFrom?.vmState ?? 'active';
        server.resizedFrom = null;
        store.touch(server, now);
        store.finishActionEvents(server, now);
        store.changed();
        return reply.code(204).send();
      }
      store.recordAction(server, key, actor, now);
      server.locked = key === 'lock';
      store.touch(server, now);
      store.finishActionEvents(server, now);
      store.changed();
      return reply.code(202).send();
    }

    api.get<{ Params: Params }>('/servers/:id/os-instance-actions', async (request, reply) => {
      const ctx = caller(request);
      const server = visibleServer(ctx, request.params.id);
      if (!server) return notFound(reply, request.params.id);
      return {
        instanceActions: [...server.actions].reverse().map((a) => {
          const view: Record<string, unknown> = {
            action: a.action,
            instance_uuid: server.id,
            request_id: a.requestId,
            user_id: a.userId,
            project_id: a.projectId,
            start_time: isoMicrosNoZone(a.startTime),
            message: a.message,
          };
          if (atLeast(mv(request), 58)) view.updated_at = isoMicrosNoZone(a.updatedAt);
          return view;
        }),
      };
    });

    api.get<{ Params: Params & { requestId: string } }>('/servers/:id/os-instance-actions/:requestId', async (request, reply) => {
      const ctx = caller(request);
      const server = visibleServer(ctx, request.params.id);
      if (!server) return notFound(reply, request.params.id);
      const a = server.actions.find((x) => x.requestId === request.params.requestId);
      if (!a) return novaError(reply, 404, `Action ${request.params.requestId} on instance ${server.id} could not be found.`);
      const view: Record<string, unknown> = {
        action: a.action,
        instance_uuid: server.id,
        request_id: a.requestId,
        user_id: a.userId,
        project_id: a.projectId,
        start_time: isoMicrosNoZone(a.startTime),
        message: a.message,
      };
      if (atLeast(mv(request), 58)) view.updated_at = isoMicrosNoZone(a.updatedAt);
      // Nova shows events to members from 2.51 on, to admins always; hostId appears from 2.62.
      if (ctx.isAdmin || atLeast(mv(request), 51)) {
        view.events = a.events.map((e) => {
          const event: Record<string, unknown> = {
            event: e.event,
            start_time: isoMicrosNoZone(e.startTime),
            finish_time: e.finishTime === null ? null : isoMicrosNoZone(e.finishTime),
            result: e.result,
          };
          if (ctx.isAdmin) event.traceback = null;
          if (atLeast(mv(request), 62)) {
            event.hostId = hostIdOf(server.projectId, server.host);
            if (ctx.isAdmin) event.host = server.host;
          }
          return event;
        });
      }
      return { instanceAction: view };
    });

    api.get<{ Params: Params }>('/servers/:id/ips', async (request, reply) => {
      const ctx = caller(request);
      const server = visibleServer(ctx, request.params.id);
      if (!server) return notFound(reply, request.params.id);
      const view = serverView(server, store, base(), mv(request), ctx.isAdmin);
      return { addresses: view.addresses };
    });
  }

  function registerOtherRoutes(api: FastifyInstance): void {
    const flavorList = (detail: boolean) => async (request: FastifyRequest) => ({
      flavors: [...store.flavors.values()]
        .filter((f) => f.isPublic || caller(request).isAdmin)
        .sort((a, b) => a.id.localeCompare(b.id))
        .map((f) => (detail ? flavorView(f, base(), mv(request)) : { id: f.id, links: selfLinks(base(), 'flavors', f.id), name: f.name, ...(atLeast(mv(request), 55) ? { description: f.description } : {}) })),
    });
    api.get('/flavors', flavorList(false));
    api.get('/flavors/detail', flavorList(true));
    api.get<{ Params: Params }>('/flavors/:id', async (request, reply) => {
      const flavor = store.flavors.get(request.params.id);
      if (!flavor) return novaError(reply, 404, `Flavor ${request.params.id} could not be found.`);
      return { flavor: flavorView(flavor, base(), mv(request)) };
    });

    api.get<{ Params: Params }>('/flavors/:id/os-extra_specs', async (request, reply) => {
      const flavor = store.flavors.get(request.params.id);
      if (!flavor) return novaError(reply, 404, `Flavor ${request.params.id} could not be found.`);
      return { extra_specs: { ...flavor.extraSpecs } };
    });

    registerKeypairRoutes(api, deps);

    api.get('/limits', async (request) => {
      const ctx = caller(request);
      const projectId = (ctx.isAdmin && queryString(request.query, 'tenant_id')) || ctx.project.id;
      const quota = store.quotaFor(projectId);
      const used = store.usageFor(projectId);
      return {
        limits: {
          rate: [],
          absolute: {
            maxTotalInstances: quota.instances,
            maxTotalCores: quota.cores,
            maxTotalRAMSize: quota.ram,
            maxServerMeta: 128,
            maxImageMeta: 128,
            maxPersonality: 5,
            maxPersonalitySize: 10240,
            maxTotalKeypairs: 100,
            maxServerGroups: 10,
            maxServerGroupMembers: 10,
            maxTotalFloatingIps: -1,
            maxSecurityGroups: -1,
            maxSecurityGroupRules: -1,
            totalRAMUsed: used.ram,
            totalCoresUsed: used.cores,
            totalInstancesUsed: used.instances,
            totalFloatingIpsUsed: 0,
            totalSecurityGroupsUsed: 0,
            totalServerGroupsUsed: 0,
          },
        },
      };
    });

    const quotaSet = (projectId: string, detail: boolean) => {
      const quota = store.quotaFor(projectId);
      const used = store.usageFor(projectId);
      const item = (limit: number, inUse = 0) => (detail ? { limit, in_use: inUse, reserved: 0 } : limit);
      return {
        quota_set: {
          id: projectId,
          cores: item(quota.cores, used.cores),
          fixed_ips: item(-1),
          floating_ips: item(-1),
          injected_file_content_bytes: item(10240),
          injected_file_path_bytes: item(255),
          injected_files: item(5),
          instances: item(quota.instances, used.instances),
          key_pairs: item(100),
          metadata_items: item(128),
          ram: item(quota.ram, used.ram),
          security_group_rules: item(-1),
          security_groups: item(-1),
          server_group_members: item(10),
          server_groups: item(10),
        },
      };
    };
    const quotaAccess = (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply): boolean => {
      const ctx = caller(request);
      if (ctx.isAdmin || request.params.id === ctx.project.id) return true;
      void novaError(reply, 403, "Policy doesn't allow os_compute_api:os-quota-sets:show to be performed.");
      return false;
    };
    api.get<{ Params: Params }>('/os-quota-sets/:id', async (request, reply) => (quotaAccess(request, reply) ? quotaSet(request.params.id, false) : reply));
    api.get<{ Params: Params }>('/os-quota-sets/:id/detail', async (request, reply) => (quotaAccess(request, reply) ? quotaSet(request.params.id, true) : reply));
    api.put<{ Params: Params }>('/os-quota-sets/:id', async (request, reply) => {
      const ctx = caller(request);
      if (!ctx.isAdmin) return novaError(reply, 403, "Policy doesn't allow os_compute_api:os-quota-sets:update to be performed.");
      const body = request.body;
      const spec = isObject(body) && isObject(body.quota_set) ? body.quota_set : {};
      const quota = { ...store.quotaFor(request.params.id) };
      for (const key of ['instances', 'cores', 'ram'] as const) {
        const value = spec[key];
        if (typeof value === 'number' && Number.isInteger(value)) quota[key] = value;
      }
      store.quotas.set(request.params.id, quota);
      store.changed();
      const full = quotaSet(request.params.id, false);
      const { id: _id, ...rest } = full.quota_set;
      return { quota_set: rest };
    });

    api.get('/os-availability-zone', async () => ({ availabilityZoneInfo: [{ zoneName: 'nova', zoneState: { available: true }, hosts: null }] }));
  }
}
