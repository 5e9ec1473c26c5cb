import type { Database } from '../../db/database.ts';
import { createOpenStackClient, loadCloudConfig, type ClientOptions, type OpenStackClient } from '../../openstack/index.ts';
import type { CloudClients } from '../cloud/cloud-clients.ts';

// How the jobs that read every server of the bound tenants (vm-sync, orphan-sweep) list them.

/** One cloud and region with the projects bound to tenants in it. */
export interface BoundCloud {
  cloud: string;
  region: string | null;
  projectIds: string[];
}

/** Lists every cloud and region that at least one tenant is bound to, with its bound projects. */
export async function boundClouds(database: Database): Promise<BoundCloud[]> {
  const rows = await database.db
    .selectFrom('tenants')
    .select(['cloud', 'region', 'project_id'])
    .where('cloud', 'is not', null)
    .where('project_id', 'is not', null)
    .distinct()
    .execute();
  const byKey = new Map<string, BoundCloud>();
  for (const row of rows) {
    const key = JSON.stringify([row.cloud, row.region]);
    const entry = byKey.get(key) ?? { cloud: row.cloud as string, region: row.region, projectIds: [] };
    if (!entry.projectIds.includes(row.project_id as string)) entry.projectIds.push(row.project_id as string);
    byKey.set(key, entry);
  }
  return [...byKey.values()];
}

/** Dependencies of a listing: the tenant clients, and options for the admin client built from SYNC_OS_CLOUD. */
export interface ListingDeps {
  clouds: CloudClients;
  adminClientOptions?: ClientOptions;
}

/** One server listing: the client, its filters, and the projects whose servers it is for. */
export interface Listing {
  client: OpenStackClient;
  filters: { allTenants?: boolean; projectId?: string };
  /** Projects whose servers this listing is for; other projects' servers are skipped. */
  projects: Set<string>;
}

/**
 * Plans one all-projects listing with the admin cloud when it uses the same Keystone as the bound
 * cloud, or one listing per bound project otherwise. Throws when the bound cloud is not defined in
 * clouds.yaml, so a misspelled binding fails its own sync instead of borrowing the admin cloud.
 */
export function listingsFor(deps: ListingDeps, bound: BoundCloud, adminCloud: string | null, env: Record<string, string | undefined>, opened: OpenStackClient[]): Listing[] {
  const projects = new Set(bound.projectIds);
  const adminConfig = adminCloud === null ? null : loadCloudConfig({ cloud: adminCloud, env });
  if (adminConfig !== null && sameKeystone(adminConfig.auth.authUrl, loadCloudConfig({ cloud: bound.cloud, env }).auth.authUrl)) {
    const regionName = bound.region ?? adminConfig.regionName;
    const client = createOpenStackClient({ ...adminConfig, ...(regionName === undefined ? {} : { regionName }) }, deps.adminClientOptions);
    opened.push(client);
    return [{ client, filters: { allTenants: true }, projects }];
  }
  return bound.projectIds.map((projectId) => ({
    client: deps.clouds.forBinding({ cloud: bound.cloud, region: bound.region, projectId }),
    filters: {},
    projects: new Set([projectId]),
  }));
}

/** True when two auth URLs name the same Keystone, ignoring a trailing slash and `/v3`. */
function sameKeystone(left: string, right: string): boolean {
  const normalise = (url: string) => url.replace(/\/+$/, '').replace(/\/v3$/, '').toLowerCase();
  return normalise(left) === normalise(right);
}

