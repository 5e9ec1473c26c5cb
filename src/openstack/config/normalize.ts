import { configError } from '../errors.ts';
import type { AuthConfig, AuthType, CloudConfig, EndpointInterface } from './types.ts';

type RawCloud = Record<string, unknown>;

const AUTH_TYPE_ALIASES: Record<string, AuthType> = {
  password: 'password',
  v3password: 'password',
  v3applicationcredential: 'v3applicationcredential',
  applicationcredential: 'v3applicationcredential',
  token: 'token',
  v3token: 'token',
};

const AUTH_KEYS: Record<string, keyof AuthConfig> = {
  auth_url: 'authUrl',
  username: 'username',
  user_name: 'username',
  user_id: 'userId',
  password: 'password',
  user_domain_name: 'userDomainName',
  user_domain_id: 'userDomainId',
  project_name: 'projectName',
  tenant_name: 'projectName',
  project_id: 'projectId',
  tenant_id: 'projectId',
  project_domain_name: 'projectDomainName',
  project_domain_id: 'projectDomainId',
  application_credential_id: 'applicationCredentialId',
  application_credential_name: 'applicationCredentialName',
  application_credential_secret: 'applicationCredentialSecret',
  token: 'token',
  auth_token: 'token',
};

const INTERFACE_ALIASES: Record<string, EndpointInterface> = {
  public: 'public',
  publicurl: 'public',
  internal: 'internal',
  internalurl: 'internal',
  admin: 'admin',
  adminurl: 'admin',
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function normalizeKey(key: string): string {
  return key.replace(/-/g, '_').toLowerCase();
}

function stringValue(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') {
    return value;
  }
  if (typeof value === 'number') {
    return String(value);
  }
  return undefined;
}

/** Reads YAML booleans and the strings openstacksdk accepts from OS_* variables. */
export function booleanValue(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') {
    return value;
  }
  if (typeof value !== 'string') {
    return undefined;
  }
  const lowered = value.trim().toLowerCase();
  if (['true', 'yes', '1', 'on'].includes(lowered)) {
    return true;
  }
  if (['false', 'no', '0', 'off'].includes(lowered)) {
    return false;
  }
  return undefined;
}

/** Collects auth values from the `auth` section and, as openstacksdk allows, from the cloud's top level. */
function collectAuth(raw: RawCloud): AuthConfig {
  const auth: Partial<AuthConfig> = {};
  const sections = [raw, isRecord(raw['auth']) ? raw['auth'] : {}];

  for (const section of sections) {
    for (const [key, value] of Object.entries(section)) {
      const target = AUTH_KEYS[normalizeKey(key)];
      const text = stringValue(value);
      if (target !== undefined && text !== undefined) {
        auth[target] = text;
      }
    }
  }

  return auth as AuthConfig;
}

/** Fills missing user and project domains from `default_domain`, else Keystone's `default` domain id. */
function applyDefaultDomain(auth: AuthConfig, raw: RawCloud): void {
  const defaultDomain = stringValue(raw['default_domain']) ?? 'default';
  if (auth.userDomainName === undefined && auth.userDomainId === undefined) {
    auth.userDomainId = defaultDomain;
  }
  if (auth.projectDomainName === undefined && auth.projectDomainId === undefined) {
    auth.projectDomainId = defaultDomain;
  }
}

function resolveAuthType(raw: RawCloud, cloudName: string): AuthType {
  const configured = stringValue(raw['auth_type']);
  if (configured === undefined) {
    return 'password';
  }

  const authType = AUTH_TYPE_ALIASES[configured.toLowerCase()];
  if (authType === undefined) {
    throw configError(
      `Cloud "${cloudName}" has auth_type "${configured}", which this client does not support; use password, v3applicationcredential or token`,
    );
  }
  return authType;
}

function requireAuthFields(authType: AuthType, auth: AuthConfig, cloudName: string): void {
  const missing: string[] = [];
  if (auth.authUrl === undefined) {
    missing.push('auth_url');
  }

  if (authType === 'password') {
    if (auth.username === undefined && auth.userId === undefined) {
      missing.push('username or user_id');
    }
    if (auth.password === undefined) {
      missing.push('password');
    }
  }

  if (authType === 'v3applicationcredential') {
    if (auth.applicationCredentialSecret === undefined) {
      missing.push('application_credential_secret');
    }
    if (auth.applicationCredentialId === undefined && auth.applicationCredentialName === undefined) {
      missing.push('application_credential_id or application_credential_name');
    }
    if (auth.applicationCredentialId === undefined && auth.username === undefined && auth.userId === undefined) {
      missing.push('username or user_id (needed with application_credential_name)');
    }
  }

  if (authType === 'token' && auth.token === undefined) {
    missing.push('token');
  }

  if (authType !== 'v3applicationcredential' && auth.projectName === undefined && auth.projectId === undefined) {
    missing.push('project_name or project_id (the client needs a project-scoped token)');
  }

  if (missing.length > 0) {
    throw configError(`Cloud "${cloudName}" is missing ${missing.join(', ')} in its auth settings`);
  }
}

function resolveInterface(raw: RawCloud, cloudName: string): EndpointInterface {
  const configured = stringValue(raw['interface']) ?? stringValue(raw['endpoint_type']) ?? 'public';
  const endpointInterface = INTERFACE_ALIASES[configured.toLowerCase()];
  if (endpointInterface === undefined) {
    throw configError(`Cloud "${cloudName}" has interface "${configured}"; use public, internal or admin`);
  }
  return endpointInterface;
}

function resolveRegion(raw: RawCloud): string | undefined {
  const region = stringValue(raw['region_name']);
  if (region !== undefined) {
    return region;
  }

  // openstacksdk also accepts a `regions` list of names or {name: ...} objects; the first is the default.
  const regions = raw['regions'];
  if (Array.isArray(regions) && regions.length > 0) {
    const first: unknown = regions[0];
    return isRecord(first) ? stringValue(first['name']) : stringValue(first);
  }
  return undefined;
}

function resolveVerify(raw: RawCloud): boolean {
  const insecure = booleanValue(raw['insecure']);
  if (insecure === true) {
    return false;
  }
  return booleanValue(raw['verify']) ?? true;
}

function resolveTimeoutMs(raw: RawCloud, cloudName: string): number | undefined {
  const configured = raw['api_timeout'];
  if (configured === undefined || configured === null || configured === '') {
    return undefined;
  }

  const seconds = Number(configured);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw configError(`Cloud "${cloudName}" has api_timeout "${String(configured)}"; use a positive number of seconds`);
  }
  return Math.round(seconds * 1000);
}

/** Turns one raw cloud entry (snake_case, as in clouds.yaml) into a validated CloudConfig. */
export function normalizeCloud(cloudName: string, raw: RawCloud, sourceFile?: string): CloudConfig {
  const identityVersion = stringValue(raw['identity_api_version']);
  if (identityVersion !== undefined && !identityVersion.startsWith('3')) {
    throw configError(`Cloud "${cloudName}" sets identity_api_version ${identityVersion}; this client supports Keystone v3 only`);
  }

  const authType = resolveAuthType(raw, cloudName);
  const auth = collectAuth(raw);
  requireAuthFields(authType, auth, cloudName);
  applyDefaultDomain(auth, raw);

  return {
    name: cloudName,
    authType,
    auth,
    regionName: resolveRegion(raw),
    interface: resolveInterface(raw, cloudName),
    verify: resolveVerify(raw),
    cacert: stringValue(raw['cacert']),
    apiTimeoutMs: resolveTimeoutMs(raw, cloudName),
    sourceFile,
  };
}
