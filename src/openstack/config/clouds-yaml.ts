import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

import { parse as parseYaml } from 'yaml';

import { configError } from '../errors.ts';

const FILE_SUFFIXES = ['.yaml', '.yml', '.json'];

export interface SearchDirsInput {
  cwd: string;
  homeDir: string;
  env: Record<string, string | undefined>;
}

/**
 * Lists the folders openstacksdk searches, in its order: the current folder, the user config
 * folder (XDG_CONFIG_HOME/openstack, then ~/.config/openstack), then /etc/xdg/openstack and
 * /etc/openstack. Duplicates are removed.
 */
export function defaultSearchDirs(input: SearchDirsInput = { cwd: process.cwd(), homeDir: homedir(), env: process.env }): string[] {
  const xdgConfigHome = input.env['XDG_CONFIG_HOME'];
  const dirs = [
    input.cwd,
    xdgConfigHome === undefined || xdgConfigHome === '' ? undefined : path.join(xdgConfigHome, 'openstack'),
    path.join(input.homeDir, '.config', 'openstack'),
    '/etc/xdg/openstack',
    '/etc/openstack',
  ];
  return [...new Set(dirs.filter((dir): dir is string => dir !== undefined))];
}

/** Lists candidate files: the override first, then `<baseName>.yaml|.yml|.json` in each folder. */
export function candidateFiles(baseName: string, searchDirs: string[], override: string | undefined): string[] {
  const files = searchDirs.flatMap((dir) => FILE_SUFFIXES.map((suffix) => path.join(dir, baseName + suffix)));
  if (override !== undefined && override !== '') {
    files.unshift(override);
  }
  return files;
}

export interface LoadedFile {
  path: string;
  clouds: Record<string, Record<string, unknown>>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the first existing file of `candidates` (YAML or JSON) and returns its `clouds` map. */
export function loadFirstCloudsFile(candidates: string[]): LoadedFile | undefined {
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) {
    return undefined;
  }

  let document: unknown;
  try {
    document = parseYaml(readFileSync(found, 'utf8'));
  } catch (error) {
    throw configError(`Cannot read ${found}: ${(error as Error).message}`);
  }

  if (document === null || document === undefined) {
    return { path: found, clouds: {} };
  }
  if (!isRecord(document)) {
    throw configError(`${found} is not a mapping; expected a top-level "clouds:" key`);
  }

  const clouds = document['clouds'] ?? {};
  if (!isRecord(clouds)) {
    throw configError(`"clouds" in ${found} is not a mapping of cloud names`);
  }

  const result: Record<string, Record<string, unknown>> = {};
  for (const [name, cloud] of Object.entries(clouds)) {
    if (!isRecord(cloud)) {
      throw configError(`Cloud "${name}" in ${found} is not a mapping`);
    }
    result[name] = cloud;
  }
  return { path: found, clouds: result };
}

/** Merges `overlay` into `base` recursively; overlay values win, as openstacksdk merges secure.yaml. */
export function deepMerge(base: Record<string, unknown>, overlay: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    const existing = merged[key];
    merged[key] = isRecord(existing) && isRecord(value) ? deepMerge(existing, value) : value;
  }
  return merged;
}
