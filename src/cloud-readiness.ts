import { createOpenStackClient, loadCloudConfig, type OpenStackClient } from './openstack/index.ts';

// A readiness probe runs every few seconds on every portal process. The client reuses one Keystone
// token until it needs a refresh, so the probe costs Keystone almost nothing.
const PROBE_TIMEOUT_MS = 5_000;

/**
 * Builds the /readyz check for a configured cloud (OS_CLOUD): the cloud is ready when a
 * project-scoped token can be had and its catalog lists a compute endpoint.
 */
export function cloudReadinessCheck(cloudName: string): { name: string; check(): Promise<boolean> } {
  let client: OpenStackClient | null = null;

  return {
    name: 'cloud',
    async check() {
      client ??= createOpenStackClient(loadCloudConfig({ cloud: cloudName }));
      await client.endpoint('compute', AbortSignal.timeout(PROBE_TIMEOUT_MS));
      return true;
    },
  };
}
