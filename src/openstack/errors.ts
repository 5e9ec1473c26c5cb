// Error catalogue of the OpenStack client. Every failure, whether the cloud rejected a request,
// the network failed or the configuration is wrong, is an OpenStackError whose `code` is one of
// the values below. Callers branch on `code` and the structured fields, never on message text.

export const OPENSTACK_ERROR_CODES = {
  /** 400: the service rejected the request body or query. */
  OS_BAD_REQUEST: 'OS_BAD_REQUEST',
  /** 401: no token, an invalid token, or wrong credentials. */
  OS_UNAUTHORIZED: 'OS_UNAUTHORIZED',
  /** 403 that is not a quota failure: the policy forbids the call for this role. */
  OS_FORBIDDEN: 'OS_FORBIDDEN',
  /** Nova 403 "Quota exceeded", Neutron 409 OverQuota, Cinder 413 quota messages. */
  OS_QUOTA_EXCEEDED: 'OS_QUOTA_EXCEEDED',
  /** 404. */
  OS_NOT_FOUND: 'OS_NOT_FOUND',
  /** 409 that is not a quota failure, e.g. an action on a server in the wrong state. */
  OS_CONFLICT: 'OS_CONFLICT',
  /** 413 or 429 rate limit, after the retries of idempotent requests ran out. */
  OS_OVER_LIMIT: 'OS_OVER_LIMIT',
  /** 500 from the service. */
  OS_SERVER_ERROR: 'OS_SERVER_ERROR',
  /** 502, 503, 504: the service or a proxy in front of it is unavailable. */
  OS_UNAVAILABLE: 'OS_UNAVAILABLE',
  /** Any other non-success status. */
  OS_UNEXPECTED_STATUS: 'OS_UNEXPECTED_STATUS',
  /** A 2xx response whose body does not have the expected shape. */
  OS_INVALID_RESPONSE: 'OS_INVALID_RESPONSE',
  /** No response within the per-request timeout. */
  OS_TIMEOUT: 'OS_TIMEOUT',
  /** Connection refused, reset or closed before a response arrived; TLS failures. */
  OS_CONNECTION: 'OS_CONNECTION',
  /** The caller's AbortSignal fired. */
  OS_ABORTED: 'OS_ABORTED',
  /** The service catalog has no endpoint for the service type, region and interface. */
  OS_ENDPOINT_NOT_FOUND: 'OS_ENDPOINT_NOT_FOUND',
  /** clouds.yaml, secure.yaml or OS_* variables are missing or invalid. */
  OS_CONFIG: 'OS_CONFIG',
  /** The request needs a newer API microversion than the cloud offers. */
  OS_UNSUPPORTED: 'OS_UNSUPPORTED',
  /** A waited-for server went to ERROR. `fault` contains Nova's fault. */
  OS_SERVER_FAULT: 'OS_SERVER_FAULT',
  /** A waited-for volume went to an `error` status. */
  OS_VOLUME_ERROR: 'OS_VOLUME_ERROR',
  /** A waited-for resource did not reach the target state before the deadline. */
  OS_WAIT_TIMEOUT: 'OS_WAIT_TIMEOUT',
} as const;

export type OpenStackErrorCode = (typeof OPENSTACK_ERROR_CODES)[keyof typeof OPENSTACK_ERROR_CODES];

/** Fields parsed from Nova's "Cannot '<action>' instance <id> while it is in vm_state <state>" message. */
export interface InstanceStateConflict {
  action: string;
  serverId: string;
  vmState: string | null;
  taskState: string | null;
}

/** Nova's server fault, present when a server is in ERROR. `created` is an ISO 8601 string. */
export interface ServerFault {
  code: number;
  message: string;
  created: string | null;
  details?: string;
}

export interface OpenStackErrorDetails {
  code: OpenStackErrorCode;
  message: string;
  /** HTTP status of the response, when there was one. */
  status?: number;
  method?: string;
  url?: string;
  /** `x-openstack-request-id` of the response: the id to search for in the service logs. */
  requestId?: string;
  /** The request id this client sent in `X-OpenStack-Request-ID`. */
  sentRequestId?: string;
  /** The message from the service's error body, with HTML removed. */
  openstackMessage?: string;
  /** The error type named by the body, e.g. `itemNotFound`, `OverQuota`, `NetworkNotFound`. */
  openstackType?: string;
  /** Seconds from `Retry-After`, when the service sent one. */
  retryAfterSeconds?: number;
  conflict?: InstanceStateConflict;
  fault?: ServerFault;
  cause?: unknown;
}

export class OpenStackError extends Error {
  readonly code: OpenStackErrorCode;
  readonly status: number | undefined;
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly requestId: string | undefined;
  readonly sentRequestId: string | undefined;
  readonly openstackMessage: string | undefined;
  readonly openstackType: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly conflict: InstanceStateConflict | undefined;
  readonly fault: ServerFault | undefined;

  constructor(details: OpenStackErrorDetails) {
    super(details.message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'OpenStackError';
    this.code = details.code;
    this.status = details.status;
    this.method = details.method;
    this.url = details.url;
    this.requestId = details.requestId;
    this.sentRequestId = details.sentRequestId;
    this.openstackMessage = details.openstackMessage;
    this.openstackType = details.openstackType;
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.conflict = details.conflict;
    this.fault = details.fault;
  }
}

export function isOpenStackError(error: unknown, code?: OpenStackErrorCode): error is OpenStackError {
  if (!(error instanceof OpenStackError)) {
    return false;
  }
  return code === undefined || error.code === code;
}

export function configError(message: string): OpenStackError {
  return new OpenStackError({ code: OPENSTACK_ERROR_CODES.OS_CONFIG, message });
}

export function invalidResponseError(message: string, url?: string): OpenStackError {
  return new OpenStackError({ code: OPENSTACK_ERROR_CODES.OS_INVALID_RESPONSE, message, url });
}
