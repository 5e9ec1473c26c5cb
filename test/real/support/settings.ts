import { existsSync } from 'node:fs';

/** Locations of the cloud and the PostgreSQL server that the end-to-end suite deploys the portal on. */
export interface RealCloudSettings {
  /** clouds.yaml that the portal, the `openstack` CLI and the checks read. */
  cloudsFile: string;
  /** Cloud of a member of the project the test tenant is bound to (`OS_CLOUD` of the portal). */
  memberCloud: string;
  /** Cloud of an admin, used by the portal's all-projects sync (`SYNC_OS_CLOUD`). */
  adminCloud: string;
  /** PostgreSQL URL of a database the suite connects to in order to create and drop its own databases. */
  postgresAdminUrl: string;
}

/** PostgreSQL of the CI machines: 127.0.0.1:5432 with trust authentication. */
const DEFAULT_POSTGRES_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export const SETUP_HINT =
  'Start a cloud as the Tests section of README.md describes, then ' +
  'export OS_CLIENT_CONFIG_FILE=/var/lib/local-openstack/clouds.yaml TEST_OS_CLOUD=local-demo TEST_OS_ADMIN_CLOUD=local-admin, ' +
  `and TEST_DATABASE_URL when PostgreSQL is not at ${DEFAULT_POSTGRES_ADMIN_URL}.`;

/**
 * Reads the suite's settings from the variables the other real-cloud tests use. Throws when one is
 * missing, because `npm run test:real` exists only to run against a real cloud and must not pass
 * by skipping.
 */
export function readRealCloudSettings(env: NodeJS.ProcessEnv = process.env): RealCloudSettings {
  const cloudsFile = env['OS_CLIENT_CONFIG_FILE'];
  const memberCloud = env['TEST_OS_CLOUD'];
  const adminCloud = env['TEST_OS_ADMIN_CLOUD'];

  const missing = [
    ['OS_CLIENT_CONFIG_FILE', cloudsFile],
    ['TEST_OS_CLOUD', memberCloud],
    ['TEST_OS_ADMIN_CLOUD', adminCloud],
  ]
    .filter(([, value]) => !value)
    .map(([name]) => name);
  if (missing.length > 0) {
    throw new Error(`npm run test:real needs a real cloud, and these variables are missing: ${missing.join(', ')}. ${SETUP_HINT}`);
  }
  if (!existsSync(cloudsFile as string)) {
    throw new Error(`OS_CLIENT_CONFIG_FILE names ${cloudsFile}, which does not exist. ${SETUP_HINT}`);
  }

  return {
    cloudsFile: cloudsFile as string,
    memberCloud: memberCloud as string,
    adminCloud: adminCloud as string,
    postgresAdminUrl: env['TEST_DATABASE_URL'] || DEFAULT_POSTGRES_ADMIN_URL,
  };
}
