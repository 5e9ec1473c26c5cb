import type { OpenStackClient } from '../client.ts';
import { computeRequest } from './microversion.ts';

/** Result of an accepted request: Nova's `x-openstack-request-id`, for finding the call in Nova's logs. */
export interface AcceptedRequest {
  requestId: string | null;
}

/**
 * Sends a server action, a `POST /servers/{id}/action` that returns 202 and no body. A server in
 * the wrong state gives 409, thrown as OS_CONFLICT with `conflict.action` and `conflict.vmState`.
 * Actions are POSTs and are not retried.
 */
async function serverAction(client: OpenStackClient, serverId: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<AcceptedRequest> {
  const response = await computeRequest(client, { method: 'POST', path: `/servers/${encodeURIComponent(serverId)}/action`, json: body, signal });
  return { requestId: response.requestId ?? null };
}

/** Powers on a SHUTOFF server (`os-start`). */
export function startServer(client: OpenStackClient, serverId: string, signal?: AbortSignal): Promise<AcceptedRequest> {
  return serverAction(client, serverId, { 'os-start': null }, signal);
}

/** Powers off an ACTIVE server (`os-stop`); it becomes SHUTOFF with vm_state `stopped`. */
export function stopServer(client: OpenStackClient, serverId: string, signal?: AbortSignal): Promise<AcceptedRequest> {
  return serverAction(client, serverId, { 'os-stop': null }, signal);
}

/** Reboots a server: SOFT signals the guest OS (status REBOOT), HARD power-cycles it (status HARD_REBOOT). */
export function rebootServer(client: OpenStackClient, serverId: string, type: 'SOFT' | 'HARD', signal?: AbortSignal): Promise<AcceptedRequest> {
  return serverAction(client, serverId, { reboot: { type } }, signal);
}

export function pauseServer(client: OpenStackClient, serverId: string, signal?: AbortSignal): Promise<AcceptedRequest> {
  return serverAction(client, serverId, { pause: null }, signal);
}

export function unpauseServer(client: OpenStackClient, serverId: string, signal?: AbortSignal): Promise<AcceptedRequest> {
  return serverAction(client, serverId, { unpause: null }, signal);
}

export function suspendServer(client: OpenStackClient, serverId: string, signal?: AbortSignal): Promise<AcceptedRequest> {
  return serverAction(client, serverId, { suspend: null }, signal);
}

export function resumeServer(client: OpenStackClient, serverId: string, signal?: AbortSignal): Promise<AcceptedRequest> {
  return serverAction(client, serverId, { resume: null }, signal);
}

/** Starts a resize to another flavor; the server goes through RESIZE to VERIFY_RESIZE and waits for a confirm or revert. */
export function resizeServer(client: OpenStackClient, serverId: string, flavorId: string, signal?: AbortSignal): Promise<AcceptedRequest> {
  return serverAction(client, serverId, { resize: { flavorRef: flavorId } }, signal);
}

/** Confirms a resize in VERIFY_RESIZE; the server returns to its earlier state with the new flavor. */
export function confirmServerResize(client: OpenStackClient, serverId: string, signal?: AbortSignal): Promise<AcceptedRequest> {
  return serverAction(client, serverId, { confirmResize: null }, signal);
}

/** Reverts a resize in VERIFY_RESIZE; the server goes through REVERT_RESIZE back to its old flavor. */
export function revertServerResize(client: OpenStackClient, serverId: string, signal?: AbortSignal): Promise<AcceptedRequest> {
  return serverAction(client, serverId, { revertResize: null }, signal);
}
