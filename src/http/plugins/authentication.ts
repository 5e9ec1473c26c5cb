import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { PortalConfig } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import { hasPermission, type Permission } from '../../domain/roles.ts';
import { PortalError } from '../../errors/portal-error.ts';
import { findApiTokenOwner } from '../../services/auth/api-token-store.ts';
import { loadPrincipal } from '../../services/auth/load-principal.ts';
import type { Principal } from '../../services/auth/principal.ts';
import { secretsEqual } from '../../services/auth/secrets.ts';
import { findSession } from '../../services/auth/session-store.ts';

export const SESSION_COOKIE = 'tp_session';

/** Access rule of a route: anyone, any signed-in user, or a user with one permission. */
export type RouteAccess = 'public' | 'authenticated' | Permission;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Permissions that only make sense inside a tenant. */
const TENANT_PERMISSIONS = new Set<Permission>(['tenant:read', 'vm:operate', 'vm:manage', 'tenant:users']);

async function resolvePrincipal(db: Db, config: PortalConfig, request: FastifyRequest): Promise<Principal | null> {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    const owner = match?.[1] ? await findApiTokenOwner(db, match[1]) : null;
    const principal = owner ? await loadPrincipal(db, { userId: owner.userId, tenantId: null, via: 'token', csrfToken: null, sessionIdHash: null }) : null;
    if (!principal) throw new PortalError('AUTH_TOKEN_INVALID');
    return principal;
  }

  const cookie = request.cookies[SESSION_COOKIE];
  if (!cookie) return null;

  const session = await findSession(db, config.session, cookie);
  if (session.state !== 'valid') throw new PortalError('AUTH_SESSION_EXPIRED');

  const principal = await loadPrincipal(db, {
    userId: session.userId,
    tenantId: session.tenantId,
    via: 'session',
    csrfToken: session.csrfToken,
    sessionIdHash: session.idHash,
  });
  if (!principal) throw new PortalError('AUTH_SESSION_EXPIRED');

  // Browsers attach the cookie to any request, so a state change must also prove it comes from a
  // page that could read the token. API tokens are never sent automatically and need no such proof.
  if (!SAFE_METHODS.has(request.method)) {
    const sent = request.headers['x-csrf-token'];
    if (typeof sent !== 'string' || !secretsEqual(sent, session.csrfToken)) {
      throw new PortalError('CSRF_TOKEN_INVALID');
    }
  }
  return principal;
}

/**
 * Resolves the caller of every request (API token first, then session cookie) and enforces the
 * route's `config.access`. Routes without an access setting require a signed-in user.
 */
export const authenticationPlugin = fp(async (app: FastifyInstance, options: { db: Db; config: PortalConfig }) => {
  app.decorateRequest('principal', null);

  app.addHook('onRequest', async (request) => {
    // An unmatched URL goes to the not-found handler, which reveals nothing but the route table.
    if (request.routeOptions.url === undefined) return;

    const access: RouteAccess = request.routeOptions.config.access ?? 'authenticated';
    if (access === 'public') return;

    request.principal = await resolvePrincipal(options.db, options.config, request);
    if (!request.principal) throw new PortalError('AUTH_REQUIRED');

    if (access !== 'authenticated' && !hasPermission(request.principal, access)) {
      // Only an operator can add a user to a tenant, so the error names the missing tenant.
      const principal = request.principal;
      if (TENANT_PERMISSIONS.has(access) && !principal.isPlatformOperator && principal.tenantId === null) {
        throw new PortalError('NO_TENANT');
      }
      throw new PortalError('FORBIDDEN', { permission: access });
    }
  });
});
