import { randomUUID } from 'node:crypto';

/** Header that carries a caller-chosen id into the service logs; services log it with their own id. */
export const REQUEST_ID_HEADER = 'X-OpenStack-Request-ID';

/** Header in which services return their own request id. */
export const RESPONSE_REQUEST_ID_HEADER = 'x-openstack-request-id';

/** Creates a request id in the `req-<uuid>` form that oslo.middleware accepts as a global request id. */
export function newRequestId(): string {
  return `req-${randomUUID()}`;
}
