import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Server } from '../state/types.ts';
import type { CallerContext, RouteDeps } from './context.ts';
import { isObject, novaError } from './context.ts';
import { atLeast } from './compute-views.ts';

/** Console types Nova accepts per protocol. */
const consoleTypes: Record<string, string[]> = {
  vnc: ['novnc', 'xvpvnc'],
  spice: ['spice-html5'],
  rdp: ['rdp-html5'],
  serial: ['serial'],
  mks: ['webmks'],
};

const legacyActions: Record<string, string> = {
  'os-getVNCConsole': 'vnc',
  'os-getSPICEConsole': 'spice',
  'os-getRDPConsole': 'rdp',
  'os-getSerialConsole': 'serial',
};

export const legacyConsoleActions = new Set(Object.keys(legacyActions));

/**
 * Remote consoles: `POST /servers/{id}/remote-consoles` (2.6+) and the older
 * `os-get<Protocol>Console` actions. The URL has the shape of noVNC's
 * (`/vnc_auto.html?path=%3Ftoken%3D<token>`) and opens a placeholder page on the simulator,
 * since there is no guest to show.
 */
export function registerConsoleRoutes(
  api: FastifyInstance,
  deps: RouteDeps,
  visibleServer: (ctx: CallerContext, id: string) => Server | undefined,
): {
  legacyAction(ctx: CallerContext, server: Server, key: string, body: unknown, reply: FastifyReply): FastifyReply;
  consolePage(token: string): Server | undefined;
} {
  const tokens = new Map<string, string>();

  /** Returns the console URL, or an error to send when protocol, type or state is wrong. */
  function issue(server: Server, protocol: string, type: string): { url: string } | { status: number; message: string } {
    if (!consoleTypes[protocol]) return { status: 400, message: `Invalid input for field/attribute protocol. Value: ${protocol}.` };
    if (!consoleTypes[protocol]?.includes(type)) return { status: 400, message: `Invalid console type ${type}` };
    // Nova rejects servers still building; the Zed cloud returns a console for a stopped server too.
    if (server.vmState === 'building') return { status: 409, message: `Instance ${server.id} is not ready` };
    const token = deps.store.tokenIds.uuid();
    tokens.set(token, server.id);
    return { url: `${deps.baseUrl()}/vnc_auto.html?path=${encodeURIComponent(`?token=${token}`)}` };
  }

  api.post<{ Params: { id: string } }>('/servers/:id/remote-consoles', async (request, reply) => {
    if (!atLeast(request.microversion ?? [2, 1], 6)) return novaError(reply, 404, 'The resource could not be found.');
    const ctx = request.caller as CallerContext;
    const server = visibleServer(ctx, request.params.id);
    if (!server) return novaError(reply, 404, `Instance ${request.params.id} could not be found.`);
    const body = request.body;
    const spec = isObject(body) && isObject(body.remote_console) ? body.remote_console : undefined;
    if (!spec || typeof spec.protocol !== 'string' || typeof spec.type !== 'string') {
      return novaError(reply, 400, "Invalid input for field/attribute remote_console. 'protocol' and 'type' are required properties");
    }
    const result = issue(server, spec.protocol, spec.type);
    if ('status' in result) return novaError(reply, result.status, result.message);
    return { remote_console: { protocol: spec.protocol, type: spec.type, url: result.url } };
  });

  return {
    legacyAction(_ctx, server, key, body, reply) {
      const protocol = legacyActions[key] ?? 'vnc';
      const spec = isObject(body) && isObject(body[key]) ? body[key] : {};
      const type = typeof spec.type === 'string' ? spec.type : '';
      const result = issue(server, protocol, type);
      if ('status' in result) return novaError(reply, result.status, result.message);
      return reply.code(200).send({ console: { type, url: result.url } });
    },
    consolePage(token) {
      const serverId = tokens.get(token);
      return serverId ? deps.store.servers.get(serverId) : undefined;
    },
  };
}
