import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteDeps } from './context.ts';
import { sendUnauthorized } from './context.ts';

type Unauthorized = (request: FastifyRequest, reply: FastifyReply, authUrl: string) => FastifyReply;

/**
 * Resolves `X-Auth-Token` into `request.caller`, or sends 401 for a missing, invalid, revoked or
 * expired token. The 401 uses keystonemiddleware's envelope unless `unauthorized` sends another
 * one (Glance does).
 */
export function makeAuthHook(deps: RouteDeps, unauthorized: Unauthorized = (_request, reply, authUrl) => sendUnauthorized(reply, authUrl)) {
  return async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const header = request.headers['x-auth-token'];
    const token = deps.store.validToken(Array.isArray(header) ? header[0] : header);
    const user = token ? deps.store.users.get(token.userId) : undefined;
    const project = token?.projectId ? deps.store.projects.get(token.projectId) : undefined;
    if (!token || !user || !project) {
      await unauthorized(request, reply, `${deps.baseUrl()}/identity`);
      return;
    }
    request.caller = {
      token,
      user,
      project,
      roles: token.roles,
      isAdmin: token.roles.includes('admin'),
      requestId: deps.store.newRequestId(),
    };
  };
}
