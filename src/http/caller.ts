import type { FastifyRequest } from 'fastify';
import { PortalError } from '../errors/portal-error.ts';
import type { Principal } from '../services/auth/principal.ts';
import type { AuditActor } from '../services/change-audit.ts';

/** The signed-in caller; routes reach here only after the authentication hook has set it. */
export function callerOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new PortalError('AUTH_REQUIRED');
  return request.principal;
}

/** The caller's tenant id; a caller without a tenant gets 403 NO_TENANT. */
export function callerTenantId(request: FastifyRequest): string {
  const tenantId = callerOf(request).tenantId;
  if (!tenantId) throw new PortalError('NO_TENANT');
  return tenantId;
}

/** The caller, request id and client address for the audit row of a change. */
export function auditActorOf(request: FastifyRequest): AuditActor {
  return { actorUserId: callerOf(request).userId, requestId: request.id, clientAddress: request.ip };
}
