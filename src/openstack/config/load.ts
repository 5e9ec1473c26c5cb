import { configError } from '../errors.ts';
import { candidateFiles, deepMerge, defaultSearchDirs, loadFirstCloudsFile } from './clouds-yaml.ts';
import { cloudFromEnvironment } from './env.ts';
import { normalizeCloud } from './normalize.ts';
import type { CloudConfig } from './types.ts';

export interface LoadCloudOptions {
  /** Cloud name; defaults to OS_CLOUD, then the OS_* cloud, then the only cloud in the file. */
  cloud?: string;
  /** Environment to read; defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** Folders to search for clouds.yaml and secure.yaml; defaults to openstacksdk's list. */
  searchDirs?: string[];
}

/**
 * Loads one cloud as openstacksdk and the `openstack` CLI do: the first clouds.yaml found
 * (OS_CLIENT_CONFIG_FILE first, then the search folders), deep-merged with the first secure.yaml
 * (OS_CLIENT_SECURE_FILE first), plus a cloud named `envvars` (or OS_CLOUD_NAME) built from OS_*
 * variables. OS_REGION_NAME overrides the region of whichever cloud is chosen.
 */
export function loadCloudConfig(options: LoadCloudOptions = {}): CloudConfig {
  const env = options.env ?? process.env;
  const searchDirs = options.searchDirs ?? defaultSearchDirs();

  const cloudsFile = loadFirstCloudsFile(candidateFiles('clouds', searchDirs, env['OS_CLIENT_CONFIG_FILE']));
  const secureFile = loadFirstCloudsFile(candidateFiles('secure', searchDirs, env['OS_CLIENT_SECURE_FILE']));

  const clouds: Record<string, Record<string, unknown>> = { ...cloudsFile?.clouds };
  for (const [name, secrets] of Object.entries(secureFile?.clouds ?? {})) {
    clouds[name] = deepMerge(clouds[name] ?? {}, secrets);
  }

  const envCloudName = env['OS_CLOUD_NAME'] ?? 'envvars';
  const envCloud = cloudFromEnvironment(env);
  if (envCloud !== undefined) {
    clouds[envCloudName] = envCloud;
  }

  const cloudName = chooseCloudName(options.cloud ?? env['OS_CLOUD'], clouds, envCloud === undefined ? undefined : envCloudName);
  const raw = clouds[cloudName];
  if (raw === undefined) {
    const where = cloudsFile === undefined ? 'no clouds.yaml was found' : `${cloudsFile.path} has ${Object.keys(cloudsFile.clouds).join(', ') || 'no clouds'}`;
    throw configError(`Cloud "${cloudName}" is not defined: ${where}. Set OS_CLOUD to one of them or OS_CLIENT_CONFIG_FILE to the right file.`);
  }

  const regionOverride = env['OS_REGION_NAME'];
  const withRegion = regionOverride === undefined || regionOverride === '' ? raw : { ...raw, region_name: regionOverride };
  const sourceFile = cloudName === envCloudName && envCloud !== undefined ? undefined : cloudsFile?.path;
  return normalizeCloud(cloudName, withRegion, sourceFile);
}

function chooseCloudName(
  requested: string | undefined,
  clouds: Record<string, unknown>,
  envCloudName: string | undefined,
): string {
  if (requested !== undefined && requested !== '') {
    return requested;
  }
  if (envCloudName !== undefined) {
    return envCloudName;
  }

  const names = Object.keys(clouds);
  if (names.length === 1) {
    return names[0] as string;
  }
  if (names.length === 0) {
    throw configError(
      'No OpenStack cloud is configured: create clouds.yaml (./, ~/.config/openstack/ or /etc/openstack/), set OS_CLIENT_CONFIG_FILE, or set OS_AUTH_URL and the other OS_* variables',
    );
  }
  throw configError(`Several clouds are configured (${names.join(', ')}); set OS_CLOUD or pass the cloud name`);
}
