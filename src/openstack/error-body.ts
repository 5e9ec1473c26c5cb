import {
  OPENSTACK_ERROR_CODES,
  OpenStackError,
  type InstanceStateConflict,
  type OpenStackErrorCode,
} from './errors.ts';

/** Message and type name found in an OpenStack error body. */
export interface ParsedErrorBody {
  message: string;
  type?: string;
}

/** Facts about a failed response that are needed to build an OpenStackError. */
export interface FailedResponse {
  status: number;
  method: string;
  url: string;
  bodyText: string;
  requestId?: string;
  sentRequestId?: string;
  retryAfterSeconds?: number;
}

const MAX_MESSAGE_CHARS = 2000;

/** Removes HTML tags and entities and collapses white space, e.g. Glance's `<br /><br />`. */
export function stripHtml(text: string): string {
  const withoutBlocks = text.replace(/<(script|style|head|title)[^>]*>[\s\S]*?<\/\1>/gi, ' ');
  const withoutTags = withoutBlocks.replace(/<[^>]*>/g, ' ');
  const decoded = withoutTags
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
  return decoded.replace(/\s+/g, ' ').trim().slice(0, MAX_MESSAGE_CHARS);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') {
    return value;
  }
  return undefined;
}

/**
 * Parses the error body shapes of the OpenStack services:
 * Nova and Cinder `{"itemNotFound": {"code", "message"}}` (any fault name as the single key),
 * keystonemiddleware and Keystone `{"error": {"code", "title", "message"}}`,
 * Neutron `{"NeutronError": {"type", "message", "detail"}}`,
 * Glance `{"message", "code": "404 Not Found", "title"}`, and HTML or plain text bodies.
 */
export function parseErrorBody(bodyText: string): ParsedErrorBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    return { message: stripHtml(bodyText) };
  }

  if (!isRecord(parsed)) {
    return { message: stripHtml(bodyText) };
  }

  const neutron = parsed['NeutronError'];
  if (isRecord(neutron)) {
    const message = textOf(neutron['message']) ?? textOf(neutron['detail']) ?? '';
    return { message: stripHtml(message), type: textOf(neutron['type']) };
  }
  if (typeof neutron === 'string') {
    return { message: stripHtml(neutron), type: 'NeutronError' };
  }

  const keystone = parsed['error'];
  if (isRecord(keystone)) {
    const message = textOf(keystone['message']) ?? textOf(keystone['title']) ?? '';
    return { message: stripHtml(message), type: textOf(keystone['title']) };
  }

  const topLevelMessage = textOf(parsed['message']);
  if (topLevelMessage !== undefined) {
    return { message: stripHtml(topLevelMessage), type: textOf(parsed['title']) };
  }

  // Nova and Cinder wrap the fault in one key named after the fault type.
  const keys = Object.keys(parsed);
  if (keys.length === 1) {
    const faultName = keys[0] as string;
    const fault = parsed[faultName];
    if (isRecord(fault)) {
      return { message: stripHtml(textOf(fault['message']) ?? ''), type: faultName };
    }
  }

  return { message: stripHtml(bodyText) };
}

const CONFLICT_PATTERN = /Cannot '([^']+)' instance ([0-9a-fA-F-]+) while it is in (.+?)\.?$/;
const STATE_PATTERN = /(vm_state|task_state)\s+([A-Za-z0-9_-]+)/g;

/**
 * Parses Nova's wrong-state message. Nova 26 (Zed) writes
 * "Cannot 'start' instance <id> while it is in vm_state active"; other paths write
 * `task_state <state>` or both, separated by "/".
 */
export function parseInstanceStateConflict(message: string): InstanceStateConflict | undefined {
  const match = CONFLICT_PATTERN.exec(message.trim());
  if (match === null) {
    return undefined;
  }

  const conflict: InstanceStateConflict = {
    action: match[1] as string,
    serverId: match[2] as string,
    vmState: null,
    taskState: null,
  };

  for (const state of (match[3] as string).matchAll(STATE_PATTERN)) {
    if (state[1] === 'vm_state') {
      conflict.vmState = state[2] as string;
    } else {
      conflict.taskState = state[2] as string;
    }
  }

  return conflict;
}

const NOVA_QUOTA_PATTERN = /quota exceeded/i;
const CINDER_QUOTA_PATTERN = /exceeded for quota|quota.*exceeded|VolumeLimitExceeded|SnapshotLimitExceeded/i;

function isQuotaFailure(status: number, body: ParsedErrorBody): boolean {
  if (status === 403) {
    return NOVA_QUOTA_PATTERN.test(body.message);
  }
  if (status === 409) {
    return body.type === 'OverQuota' || NOVA_QUOTA_PATTERN.test(body.message);
  }
  if (status === 413) {
    return CINDER_QUOTA_PATTERN.test(body.message);
  }
  return false;
}

/** Maps an HTTP status and parsed body to a catalogue code. */
export function classifyStatus(status: number, body: ParsedErrorBody): OpenStackErrorCode {
  if (isQuotaFailure(status, body)) {
    return OPENSTACK_ERROR_CODES.OS_QUOTA_EXCEEDED;
  }

  switch (status) {
    case 400:
      return OPENSTACK_ERROR_CODES.OS_BAD_REQUEST;
    case 401:
      return OPENSTACK_ERROR_CODES.OS_UNAUTHORIZED;
    case 403:
      return OPENSTACK_ERROR_CODES.OS_FORBIDDEN;
    case 404:
      return OPENSTACK_ERROR_CODES.OS_NOT_FOUND;
    case 409:
      return OPENSTACK_ERROR_CODES.OS_CONFLICT;
    case 413:
    case 429:
      return OPENSTACK_ERROR_CODES.OS_OVER_LIMIT;
    case 500:
      return OPENSTACK_ERROR_CODES.OS_SERVER_ERROR;
    case 502:
    case 503:
    case 504:
      return OPENSTACK_ERROR_CODES.OS_UNAVAILABLE;
    default:
      return OPENSTACK_ERROR_CODES.OS_UNEXPECTED_STATUS;
  }
}

/** Builds the OpenStackError for a non-success response. */
export function errorFromResponse(response: FailedResponse): OpenStackError {
  const body = parseErrorBody(response.bodyText);
  const code = classifyStatus(response.status, body);
  const conflict = response.status === 409 ? parseInstanceStateConflict(body.message) : undefined;
  const detail = body.message === '' ? '' : `: ${body.message}`;

  return new OpenStackError({
    code,
    message: `${response.method} ${response.url} failed with ${response.status}${detail}`,
    status: response.status,
    method: response.method,
    url: response.url,
    requestId: response.requestId,
    sentRequestId: response.sentRequestId,
    openstackMessage: body.message,
    openstackType: body.type,
    retryAfterSeconds: response.retryAfterSeconds,
    conflict,
  });
}
