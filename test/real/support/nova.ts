import {
  createOpenStackClient,
  deleteServer,
  getServer,
  isOpenStackError,
  listServers,
  loadCloudConfig,
  type OpenStackClient,
  type Server,
} from '../../../src/openstack/index.ts';
import type { RealCloudSettings } from './settings.ts';
import { waitUntil } from './wait.ts';

/** Opens the project's own OpenStack client as the member of the bound project, for checks and cleanup. */
export function memberClient(settings: RealCloudSettings): OpenStackClient {
  return createOpenStackClient(loadCloudConfig({ cloud: settings.memberCloud, env: { OS_CLIENT_CONFIG_FILE: settings.cloudsFile } }));
}

/** Reads a server from Nova; null once Nova returns 404. */
export async function novaServer(client: OpenStackClient, serverId: string): Promise<Server | null> {
  try {
    return await getServer(client, serverId);
  } catch (error) {
    if (isOpenStackError(error, 'OS_NOT_FOUND')) return null;
    throw error;
  }
}

/** Polls Nova until the server shows `status` with no task running. */
export function waitForNovaStatus(client: OpenStackClient, serverId: string, status: string): Promise<Server | null> {
  return waitUntil(`Nova server ${serverId} to be ${status}`, () => novaServer(client, serverId), (server) => server !== null && server.status === status && server.taskState === null);
}

/** Polls Nova until the server is gone (404). */
export async function waitForNovaGone(client: OpenStackClient, serverId: string): Promise<void> {
  await waitUntil(`Nova server ${serverId} to be gone`, () => novaServer(client, serverId), (server) => server === null);
}

/**
 * Lists the live servers of the member's project that the portal created for one tenant: the portal
 * writes the tenant code into each server's `portal_tenant` metadata.
 */
export async function serversOfTenant(client: OpenStackClient, tenantCode: string): Promise<Server[]> {
  const servers = await listServers(client);
  return servers.filter((server) => server.metadata['portal_tenant'] === tenantCode && server.status !== 'DELETED');
}

/** Deletes servers directly in Nova and waits until each is gone; a server already gone is skipped. */
export async function deleteServersDirectly(client: OpenStackClient, serverIds: readonly string[]): Promise<void> {
  for (const serverId of serverIds) {
    try {
      await deleteServer(client, serverId);
    } catch (error) {
      if (!isOpenStackError(error, 'OS_NOT_FOUND')) throw error;
    }
  }
  for (const serverId of serverIds) await waitForNovaGone(client, serverId);
}
