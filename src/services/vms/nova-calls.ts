import { computeMicroversion, computeRequest } from '../../openstack/compute/microversion.ts';
import { buildCreateServerBody, type CreateServerRequest } from '../../openstack/compute/servers.ts';
import { OPENSTACK_ERROR_CODES, OpenStackError, type OpenStackClient } from '../../openstack/index.ts';

// Nova calls that also return `x-openstack-request-id`, which the operation log keeps so that an
// operator can find the call in Nova's logs. The typed client's createServer and server actions
// return nothing of the response, so these send the same requests through the client's
// `computeRequest`.

export type PowerAction = 'start' | 'stop' | 'reboot' | 'hard_reboot';

const ACTION_BODIES: Record<PowerAction, Record<string, unknown>> = {
  start: { 'os-start': null },
  stop: { 'os-stop': null },
  reboot: { reboot: { type: 'SOFT' } },
  hard_reboot: { reboot: { type: 'HARD' } },
};

/** Sends a power action. Nova returns 202, or 409 (OS_CONFLICT) for a server in the wrong state. */
export async function sendServerAction(client: OpenStackClient, serverId: string, action: PowerAction): Promise<{ requestId: string | null }> {
  const response = await computeRequest(client, {
    method: 'POST',
    path: `/servers/${encodeURIComponent(serverId)}/action`,
    json: ACTION_BODIES[action],
  });
  return { requestId: response.requestId ?? null };
}

/** Deletes a server (204); a server already gone fails with OS_NOT_FOUND. */
export async function sendServerDelete(client: OpenStackClient, serverId: string): Promise<{ requestId: string | null }> {
  const response = await computeRequest(client, { method: 'DELETE', path: `/servers/${encodeURIComponent(serverId)}` });
  return { requestId: response.requestId ?? null };
}

/** Creates a server and returns its id. Never retried, because a repeated POST creates a second server. */
export async function sendServerCreate(client: OpenStackClient, request: CreateServerRequest): Promise<{ serverId: string; requestId: string | null }> {
  const microversion = await computeMicroversion(client);
  const response = await computeRequest(client, { method: 'POST', path: '/servers', json: buildCreateServerBody(request, microversion) });

  const server = (response.body as { server?: { id?: unknown } } | undefined)?.server;
  if (typeof server?.id !== 'string') {
    throw new OpenStackError({ code: OPENSTACK_ERROR_CODES.OS_INVALID_RESPONSE, message: 'POST /servers returned no server id', url: response.url });
  }
  return { serverId: server.id, requestId: response.requestId ?? null };
}
