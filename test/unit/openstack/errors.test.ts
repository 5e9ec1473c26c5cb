import { describe, expect, it } from 'vitest';

import { errorFromResponse, stripHtml } from '../../../src/openstack/error-body.ts';
import { OPENSTACK_ERROR_CODES, parseErrorBody, parseInstanceStateConflict, type OpenStackErrorCode } from '../../../src/openstack/index.ts';
import { loadFixture } from './helpers/fake-cloud.ts';

function errorFromFixture(name: string): ReturnType<typeof errorFromResponse> {
  const fixture = loadFixture(name);
  const response = fixture.response;
  return errorFromResponse({
    status: response.status,
    method: fixture.request.method,
    url: `http://127.0.0.1${fixture.request.path}`,
    bodyText: response.bodyText ?? JSON.stringify(response.body),
    requestId: response.headers['x-openstack-request-id'],
  });
}

describe('captured error bodies', () => {
  const cases: Array<[string, OpenStackErrorCode, string, string | undefined]> = [
    ['compute-server-not-found-404', OPENSTACK_ERROR_CODES.OS_NOT_FOUND, 'Instance 00000000-0000-0000-0000-000000000000 could not be found.', 'itemNotFound'],
    ['compute-server-deleted-404', OPENSTACK_ERROR_CODES.OS_NOT_FOUND, 'could not be found', 'itemNotFound'],
    ['compute-server-start-active-409', OPENSTACK_ERROR_CODES.OS_CONFLICT, "Cannot 'start' instance", 'conflictingRequest'],
    ['compute-server-stop-shutoff-409', OPENSTACK_ERROR_CODES.OS_CONFLICT, "Cannot 'stop' instance", 'conflictingRequest'],
    ['compute-all-tenants-member-403', OPENSTACK_ERROR_CODES.OS_FORBIDDEN, 'all_tenants', 'forbidden'],
    ['compute-bad-marker-400', OPENSTACK_ERROR_CODES.OS_BAD_REQUEST, 'marker [00000000-0000-0000-0000-000000000000] not found', 'badRequest'],
    ['compute-server-create-quota-403', OPENSTACK_ERROR_CODES.OS_QUOTA_EXCEEDED, 'Quota exceeded for instances', 'forbidden'],
    ['compute-invalid-token-401', OPENSTACK_ERROR_CODES.OS_UNAUTHORIZED, 'The request you have made requires authentication.', 'Unauthorized'],
    ['identity-token-wrong-password', OPENSTACK_ERROR_CODES.OS_UNAUTHORIZED, 'The request you have made requires authentication.', 'Unauthorized'],
    ['network-create-over-quota-409', OPENSTACK_ERROR_CODES.OS_QUOTA_EXCEEDED, "Quota exceeded for resources: ['network'].", 'OverQuota'],
    ['network-not-found-404', OPENSTACK_ERROR_CODES.OS_NOT_FOUND, 'could not be found', 'NetworkNotFound'],
    ['image-not-found-404-json', OPENSTACK_ERROR_CODES.OS_NOT_FOUND, 'No image found with ID 00000000-0000-0000-0000-000000000000', 'Not Found'],
    ['image-not-found-404-html', OPENSTACK_ERROR_CODES.OS_NOT_FOUND, 'No image found with ID 00000000-0000-0000-0000-000000000000', undefined],
    ['image-unauthorized-401-html', OPENSTACK_ERROR_CODES.OS_UNAUTHORIZED, 'This server could not verify that you are authorized', undefined],
    ['volume-not-found-404', OPENSTACK_ERROR_CODES.OS_NOT_FOUND, 'could not be found', 'itemNotFound'],
  ];

  it.each(cases)('%s maps to its code', (name, code, messagePart, type) => {
    const error = errorFromFixture(name);

    expect(error.code).toBe(code);
    expect(error.openstackMessage).toContain(messagePart);
    expect(error.openstackType).toBe(type);
    expect(error.openstackMessage).not.toMatch(/<[a-z/]/i);
    // Glance's keystonemiddleware 401 comes without x-openstack-request-id.
    expect(error.requestId).toBe(loadFixture(name).response.headers['x-openstack-request-id']);
    expect(error.status).toBe(loadFixture(name).response.status);
    expect(error.method).toBe(loadFixture(name).request.method);
    expect(error.url).toContain(loadFixture(name).request.path.split('?')[0]);
  });
});

describe('instance state conflict', () => {
  it('parses start on an ACTIVE server', () => {
    const error = errorFromFixture('compute-server-start-active-409');

    expect(error.conflict?.action).toBe('start');
    expect(error.conflict?.vmState).toBe('active');
    expect(error.conflict?.taskState).toBeNull();
    expect(error.conflict?.serverId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('parses stop on a SHUTOFF server', () => {
    const error = errorFromFixture('compute-server-stop-shutoff-409');

    expect(error.conflict?.action).toBe('stop');
    expect(error.conflict?.vmState).toBe('stopped');
  });

  it('parses task_state and combined forms', () => {
    const id = '0c5a4b0e-2cc1-4b3c-9f5b-3d9f2b1f4a10';

    expect(parseInstanceStateConflict(`Cannot 'reboot' instance ${id} while it is in task_state rebooting`)).toEqual({
      action: 'reboot',
      serverId: id,
      vmState: null,
      taskState: 'rebooting',
    });
    expect(parseInstanceStateConflict(`Cannot 'resize' instance ${id} while it is in vm_state active/task_state resize_prep.`)).toEqual({
      action: 'resize',
      serverId: id,
      vmState: 'active',
      taskState: 'resize_prep',
    });
  });

  it('leaves other conflicts unparsed', () => {
    expect(parseInstanceStateConflict('Port 1 is still in use.')).toBeUndefined();
  });
});

describe('status classification', () => {
  function classify(status: number, body: unknown): OpenStackErrorCode {
    return errorFromResponse({ status, method: 'GET', url: 'http://127.0.0.1/x', bodyText: JSON.stringify(body) }).code;
  }

  it('maps 413 and 429 to OS_OVER_LIMIT', () => {
    expect(classify(413, { overLimit: { code: 413, message: 'This request was rate-limited.' } })).toBe(OPENSTACK_ERROR_CODES.OS_OVER_LIMIT);
    expect(classify(429, { overLimit: { code: 429, message: 'Too many requests' } })).toBe(OPENSTACK_ERROR_CODES.OS_OVER_LIMIT);
  });

  it('maps Cinder quota 413 to OS_QUOTA_EXCEEDED', () => {
    const body = { overLimit: { code: 413, message: "VolumeLimitExceeded: Maximum number of volumes allowed (10) exceeded for quota 'volumes'." } };

    expect(classify(413, body)).toBe(OPENSTACK_ERROR_CODES.OS_QUOTA_EXCEEDED);
  });

  it('maps 5xx codes', () => {
    expect(classify(500, { computeFault: { code: 500, message: 'Unexpected API Error.' } })).toBe(OPENSTACK_ERROR_CODES.OS_SERVER_ERROR);
    expect(classify(503, {})).toBe(OPENSTACK_ERROR_CODES.OS_UNAVAILABLE);
    expect(classify(504, {})).toBe(OPENSTACK_ERROR_CODES.OS_UNAVAILABLE);
  });

  it('maps other statuses to OS_UNEXPECTED_STATUS', () => {
    expect(classify(405, {})).toBe(OPENSTACK_ERROR_CODES.OS_UNEXPECTED_STATUS);
  });
});

describe('error body parsing', () => {
  it('reads a Neutron error given as a string', () => {
    expect(parseErrorBody('{"NeutronError": "Invalid input"}')).toEqual({ message: 'Invalid input', type: 'NeutronError' });
  });

  it('reads plain text', () => {
    expect(parseErrorBody('Service Unavailable')).toEqual({ message: 'Service Unavailable' });
  });

  it('strips tags, entities and script blocks', () => {
    expect(stripHtml('<html><head><title>x</title></head><body><h1>Bad &amp; worse</h1><br />line</body></html>')).toBe('Bad & worse line');
  });
});
