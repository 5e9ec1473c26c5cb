import { randomUUID } from 'node:crypto';

import {
  createOpenStackClient,
  deleteServer,
  listFlavors,
  listImages,
  listNetworks,
  loadCloudConfig,
  waitForServer,
  type ClientOptions,
  type CloudConfig,
  type OpenStackClient,
  type OpenStackError,
} from '../../../src/openstack/index.ts';

const configFile = process.env['OS_CLIENT_CONFIG_FILE'];
const memberCloudName = process.env['TEST_OS_CLOUD'];
const adminCloudName = process.env['TEST_OS_ADMIN_CLOUD'];

/** True when the environment names a cloud; the acceptance suites skip otherwise. */
export const cloudConfigured = Boolean(configFile && memberCloudName && adminCloudName);

const SKIP_HINT =
  'skipped: no cloud configured. Start one with `sudo ../shared/openstack/up`, then export ' +
  'OS_CLIENT_CONFIG_FILE=/var/lib/local-openstack/clouds.yaml TEST_OS_CLOUD=local-demo TEST_OS_ADMIN_CLOUD=local-admin';

if (!cloudConfigured) {
  console.error(`OpenStack acceptance tests ${SKIP_HINT}`);
}

/** Returns the suite title, extended with the reason for skipping and how to run the suite. */
export function suiteTitle(title: string): string {
  return cloudConfigured ? title : `${title} (${SKIP_HINT})`;
}

/** Upper bound for a server or volume to reach a state on the local cloud (fake driver). */
export const STATE_DEADLINE_MS = 120_000;

export function memberCloud(): CloudConfig {
  return loadCloudConfig({ cloud: memberCloudName });
}

export function adminCloud(): CloudConfig {
  return loadCloudConfig({ cloud: adminCloudName });
}

export function memberClient(options?: ClientOptions): OpenStackClient {
  return createOpenStackClient(memberCloud(), options);
}

export function adminClient(options?: ClientOptions): OpenStackClient {
  return createOpenStackClient(adminCloud(), options);
}

/** Unique prefix for resources of one test run, so concurrent runs and other engineers do not collide. */
export function uniqueName(purpose: string): string {
  return `acc-os-${purpose}-${randomUUID().slice(0, 8)}`;
}

export interface DemoResources {
  flavorId: string;
  imageId: string;
  networkId: string;
}

/** Finds the demo flavor m1.small, image ubuntu-22.04 and the member's tenant network. */
export async function demoResources(client: OpenStackClient): Promise<DemoResources> {
  const flavor = (await listFlavors(client)).find((candidate) => candidate.name === 'm1.small');
  const image = (await listImages(client, { name: 'ubuntu-22.04' }))[0];
  const network = (await listNetworks(client)).find((candidate) => !candidate.external && candidate.status === 'ACTIVE' && candidate.subnetIds.length > 0);
  if (flavor === undefined || image === undefined || network === undefined) {
    throw new Error('The cloud lacks flavor m1.small, image ubuntu-22.04 or a tenant network with a subnet; run the demo data setup of the local cloud');
  }
  return { flavorId: flavor.id, imageId: image.id, networkId: network.id };
}

/** Deletes servers and waits until they are gone; a server that is already gone is fine. */
export async function deleteServersAndWait(client: OpenStackClient, serverIds: Iterable<string>): Promise<void> {
  const failures: string[] = [];
  for (const serverId of serverIds) {
    try {
      await deleteServer(client, serverId);
    } catch (error) {
      if ((error as { code?: string }).code !== 'OS_NOT_FOUND') {
        failures.push(`${serverId}: ${String(error)}`);
        continue;
      }
    }
    await waitForServer(client, serverId, { target: 'DELETED', deadlineMs: STATE_DEADLINE_MS });
  }
  if (failures.length > 0) {
    throw new Error(`Cleanup could not delete servers: ${failures.join('; ')}`);
  }
}

/** Returns the error a promise rejects with, or throws when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<OpenStackError> {
  try {
    await promise;
  } catch (error) {
    return error as OpenStackError;
  }
  throw new Error('expected a rejection');
}
