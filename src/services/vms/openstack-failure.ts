import { PortalError } from '../../errors/portal-error.ts';
import { isOpenStackError, type OpenStackError } from '../../openstack/index.ts';

/** OpenStack failures that a later attempt may not meet: worth a pg-boss retry. */
export const TRANSIENT_OPENSTACK_CODES = new Set(['OS_UNAVAILABLE', 'OS_TIMEOUT', 'OS_CONNECTION', 'OS_SERVER_ERROR', 'OS_OVER_LIMIT']);

export function isTransientOpenStackError(error: unknown): boolean {
  return isOpenStackError(error) && TRANSIENT_OPENSTACK_CODES.has(error.code);
}

/** Describes an OpenStack failure in English for logs and the operation log, with the service's own message when it sent one. */
export function describeOpenStackError(error: unknown): string {
  if (!isOpenStackError(error)) return error instanceof Error ? error.message : String(error);
  const status = error.status === undefined ? '' : ` ${error.status}`;
  return `${error.code}${status}: ${error.openstackMessage ?? error.message}`;
}

/** Maps an OpenStack failure without a more specific meaning to QUOTA_EXCEEDED or OPENSTACK_UNAVAILABLE. */
export function portalErrorFor(error: unknown): PortalError {
  if (isOpenStackError(error, 'OS_QUOTA_EXCEEDED')) {
    return new PortalError('QUOTA_EXCEEDED', { reason: error.openstackMessage ?? error.message }, { cause: error });
  }
  if (isOpenStackError(error)) {
    return new PortalError('OPENSTACK_UNAVAILABLE', { reason: describeOpenStackError(error), openstackRequestId: requestIdOf(error) ?? '-' }, { cause: error });
  }
  return new PortalError('OPENSTACK_UNAVAILABLE', { reason: describeOpenStackError(error), openstackRequestId: '-' }, { cause: error });
}

export function requestIdOf(error: unknown): string | null {
  if (!isOpenStackError(error)) return null;
  const openstackError: OpenStackError = error;
  return openstackError.requestId ?? openstackError.sentRequestId ?? null;
}
