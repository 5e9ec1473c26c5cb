import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { ManualClock } from '../clock.ts';
import type { FaultConfig, FaultInjector } from '../faults.ts';
import { validateFaultConfig } from '../faults.ts';
import { loadServers } from '../state/bulk.ts';
import { invalidStateMessage, serverStatus } from '../state/lifecycle.ts';
import type { SimStore } from '../state/store.ts';
import type { OperationName } from '../state/types.ts';
import { isObject } from './context.ts';

export const ADMIN_SECRET_HEADER = 'x-sim-admin-secret';

export interface AdminDeps {
  store: SimStore;
  faults: FaultInjector;
  clock: Clock;
  adminSecret: string;
}

function secretMatches(given: string | string[] | undefined, expected: string): boolean {
  const value = Array.isArray(given) ? given[0] : given;
  if (typeof value !== 'string') return false;
  const a = Buffer.from(value);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const outOfBandOps: Record<string, OperationName> = {
  stop: 'stop',
  start: 'start',
  reboot: 'reboot-hard',
  delete: 'delete',
  resize: 'resize',
  pause: 'pause',
  suspend: 'suspend',
};

/**
 * Registers the control endpoints under `/_sim`, which all require the `X-Sim-Admin-Secret`
 * header. They return a state summary, set faults, change servers out of band, bulk-load servers
 * and, with a manual clock, move time.
 */
export function registerAdmin(app: FastifyInstance, deps: AdminDeps): void {
  const { store, faults } = deps;
  const fail = (reply: FastifyReply, status: number, message: string) => reply.code(status).send({ error: { code: status, message } });

  app.register(async (api) => {
    api.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      if (!secretMatches(request.headers[ADMIN_SECRET_HEADER], deps.adminSecret)) {
        return fail(reply, 403, `missing or wrong ${ADMIN_SECRET_HEADER} header`);
      }
      store.settle();
      return undefined;
    });

    api.get('/state', async () => {
      const counts: Record<string, number> = {};
      let deleted = 0;
      for (const server of store.servers.values()) {
        if (server.deletedAt !== null) {
          deleted++;
          continue;
        }
        const status = serverStatus(server.vmState, server.taskState);
        counts[status] = (counts[status] ?? 0) + 1;
      }
      return {
        now: new Date(store.now()).toISOString(),
        manualClock: deps.clock instanceof ManualClock,
        servers: { total: store.servers.size, softDeleted: deleted, byStatus: counts },
        volumes: store.volumes.size,
        ports: store.ports.size,
        images: store.images.size,
        tokens: store.tokens.size,
        projects: [...store.projects.values()].map((p) => ({ id: p.id, name: p.name })),
        users: [...store.users.values()].map((u) => ({ id: u.id, name: u.name })),
        flavors: [...store.flavors.values()].map((f) => ({ id: f.id, name: f.name })),
        maxLimit: store.config.maxLimit,
        timings: store.config.timings,
        faults: faults.current(),
      };
    });

    api.get('/faults', async () => faults.current());
    api.post('/faults', async (request, reply) => {
      const problems = validateFaultConfig(request.body);
      if (problems.length > 0) return fail(reply, 400, `invalid fault config: ${problems.join('; ')}`);
      faults.configure(request.body as FaultConfig);
      return faults.current();
    });
    api.delete('/faults', async () => {
      faults.configure({});
      return faults.current();
    });

    api.post<{ Params: { id: string } }>('/servers/:id/out-of-band', async (request, reply) => {
      const server = store.servers.get(request.params.id);
      if (!server || server.deletedAt !== null) return fail(reply, 404, `server ${request.params.id} not found`);
      const body = isObject(request.body) ? request.body : {};
      const action = typeof body.action === 'string' ? body.action : '';
      const op = outOfBandOps[action];
      if (!op) return fail(reply, 400, `unknown action "${action}"; expected one of ${Object.keys(outOfBandOps).join(', ')}`);
      const params: Record<string, string> = {};
      if (op === 'resize') {
        const wanted = typeof body.flavor === 'string' ? body.flavor : '';
        const flavor = store.flavors.get(wanted) ?? [...store.flavors.values()].find((f) => f.name === wanted);
        if (!flavor) return fail(reply, 400, `resize needs "flavor" (id or name); "${wanted}" not found`);
        params.flavorId = flavor.id;
      }
      if (op !== 'delete') {
        const conflict = invalidStateMessage(server, op, action);
        if (conflict) return fail(reply, 409, conflict);
      }
      const now = store.now();
      const admin = [...store.users.values()].find((u) => Object.values(u.roles).some((r) => r.includes('admin')));
      store.recordAction(server, action === 'reboot' ? 'reboot' : action, { userId: admin?.id ?? server.userId, projectId: server.projectId, requestId: store.newRequestId() }, now);
      store.beginOperation(server, op, now, params);
      store.changed();
      return reply.code(202).send({ id: server.id, action, status: serverStatus(server.vmState, server.taskState), task_state: server.taskState });
    });

    api.post<{ Params: { id: string } }>('/servers/:id/status', async (request, reply) => {
      const server = store.servers.get(request.params.id);
      if (!server || server.deletedAt !== null) return fail(reply, 404, `server ${request.params.id} not found`);
      const body = isObject(request.body) ? request.body : {};
      const status = body.status;
      if (status !== null && (typeof status !== 'string' || !/^[A-Z][A-Z_]{0,31}$/.test(status))) {
        return fail(reply, 400, '"status" must be an upper-case Nova status such as "RESCUE" (letters and underscores), or null to clear it');
      }
      server.statusOverride = status;
      store.touch(server, store.now());
      store.changed();
      return { id: server.id, status: status ?? serverStatus(server.vmState, server.taskState) };
    });

    api.post('/load', async (request, reply) => {
      const body = isObject(request.body) ? request.body : {};
      const count = Number(body.servers);
      if (!Number.isInteger(count) || count < 1 || count > 200_000) return fail(reply, 400, '"servers" must be an integer between 1 and 200000');
      const projectName = typeof body.project === 'string' ? body.project : 'demo';
      const project = [...store.projects.values()].find((p) => p.name === projectName);
      if (!project) return fail(reply, 400, `project "${projectName}" not found`);
      const user = [...store.users.values()].find((u) => u.roles[project.id]);
      const started = Date.now();
      const servers = loadServers(store, { count, projectId: project.id, userId: user?.id ?? '', withPorts: body.withPorts !== false });
      return { loaded: servers.length, project: project.name, totalServers: store.servers.size, elapsedMs: Date.now() - started };
    });

    api.post('/clock/advance', async (request, reply) => {
      if (!(deps.clock instanceof ManualClock)) return fail(reply, 409, 'the simulator runs on the system clock; start it with a manual clock to move time');
      const body = isObject(request.body) ? request.body : {};
      const ms = Number(body.ms);
      if (!Number.isFinite(ms) || ms < 0) return fail(reply, 400, '"ms" must be a number >= 0');
      deps.clock.advance(ms);
      store.settle();
      return { now: new Date(store.now()).toISOString() };
    });
  }, { prefix: '/_sim' });
}
