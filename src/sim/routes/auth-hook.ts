import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteDeps } from './context.ts';
import { sendUnauthorized } from './context.ts';

/**
 * Resolves `X-Auth-Token` into `request.caller`, or answers 401 in keystonemiddleware's
 * envelope, as every OpenStack service does for a missing, invalid, revoked or expired token.
 */
export function makeAuthHook(deps: RouteDeps) {
  return async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const header = request.headers['x-auth-token'];
    const token = deps.store.validToken(Array.isArray(header) ? header[0] : header);
    const user = token ? deps.store.users.get(token.userId) : undefined;
    const project = token?.projectId ? deps.store.projects.get(token.projectId) : undefined;
    if (!token || !user || !project) {
      await sendUnauthorized(reply, `${deps.baseUrl()}/identity`);
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
