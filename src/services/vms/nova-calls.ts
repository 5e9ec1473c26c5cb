import {
  createServerWithRequestId,
  deleteServer,
  rebootServer,
  startServer,
  stopServer,
  type CreateServerRequest,
  type OpenStackClient,
} from '../../openstack/index.ts';

// Nova calls that also return `x-openstack-request-id`, which the operation log keeps so that an
// operator can find the call in Nova's logs.

export type PowerAction = 'start' | 'stop' | 'reboot' | 'hard_reboot';

/** Sends a power action. Nova returns 202, or 409 (OS_CONFLICT) for a server in the wrong state. */
export function sendServerAction(client: OpenStackClient, serverId: string, action: PowerAction): Promise<{ requestId: string | null }> {
  switch (action) {
    case 'start':
      return startServer(client, serverId);
    case 'stop':
      return stopServer(client, serverId);
    case 'reboot':
      return rebootServer(client, serverId, 'SOFT');
    case 'hard_reboot':
      return rebootServer(client, serverId, 'HARD');
  }
}

/** Deletes a server (204); a server already gone fails with OS_NOT_FOUND. */
export function sendServerDelete(client: OpenStackClient, serverId: string): Promise<{ requestId: string | null }> {
  return deleteServer(client, serverId);
}

/** Creates a server and returns its id. Never retried, because a repeated POST creates a second server. */
export function sendServerCreate(client: OpenStackClient, request: CreateServerRequest): Promise<{ serverId: string; requestId: string | null }> {
  return createServerWithRequestId(client, request);
}
