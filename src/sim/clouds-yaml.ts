import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';
import type { SimUserConfig } from './demo-data.ts';

/**
 * Builds an openstacksdk clouds.yaml with one cloud per user, named `sim-<user>`
 * (`sim-admin`, `sim-demo`, `sim-alt` with the default users).
 */
export function cloudsYaml(authUrl: string, users: SimUserConfig[], region = 'RegionOne'): string {
  const clouds: Record<string, unknown> = {};
  for (const user of users) {
    clouds[`sim-${user.name}`] = {
      auth: {
        auth_url: authUrl,
        username: user.name,
        password: user.password,
        project_name: user.project,
        user_domain_name: 'Default',
        project_domain_name: 'Default',
      },
      region_name: region,
      interface: 'public',
      identity_api_version: 3,
    };
  }
  return stringify({ clouds });
}

/** Writes the clouds.yaml with mode 0600 because it contains passwords, creating its folder. */
export function writeCloudsYaml(path: string, authUrl: string, users: SimUserConfig[], region = 'RegionOne'): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, cloudsYaml(authUrl, users, region), { mode: 0o600 });
}
