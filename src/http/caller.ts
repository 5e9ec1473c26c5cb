import type { FastifyRequest } from 'fastify';
import { PortalError } from '../errors/portal-error.ts';
import type { Principal } from '../services/auth/principal.ts';
import type { AuditActor } from '../services/change-audit.ts';

/** Returns the signed-in caller, which the authentication hook sets before any protected route runs. */
export function callerOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new PortalError('AUTH_REQUIRED');
  return request.principal;
}

/** Returns the caller's tenant id, or throws NO_TENANT (403) for a caller without a tenant. */
export function callerTenantId(request: FastifyRequest): string {
  const tenantId = callerOf(request).tenantId;
  if (!tenantId) throw new PortalError('NO_TENANT');
  return tenantId;
}

/** Collects the caller, request id and client address for the audit row of a change. */
export function auditActorOf(request: FastifyRequest): AuditActor {
  return { actorUserId: callerOf(request).userId, requestId: request.id, clientAddress: request.ip };
}
