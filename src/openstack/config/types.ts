/** Keystone v3 auth plugins this client implements, named as in clouds.yaml `auth_type`. */
export type AuthType = 'password' | 'v3applicationcredential' | 'token';

/** Catalog interface, named as in clouds.yaml `interface`. */
export type EndpointInterface = 'public' | 'internal' | 'admin';

/** The `auth` section of a cloud, with openstacksdk's snake_case keys turned into camelCase. */
export interface AuthConfig {
  /** Keystone URL; `/v3` is appended when the path has no version. */
  authUrl: string;
  username?: string;
  userId?: string;
  password?: string;
  userDomainName?: string;
  userDomainId?: string;
  projectName?: string;
  projectId?: string;
  projectDomainName?: string;
  projectDomainId?: string;
  applicationCredentialId?: string;
  applicationCredentialName?: string;
  applicationCredentialSecret?: string;
  /** Existing token for `auth_type: token`; it is exchanged for a project-scoped token. */
  token?: string;
}

/** One cloud, resolved from clouds.yaml, secure.yaml and OS_* variables. */
export interface CloudConfig {
  /** The key under `clouds:` or `envvars` (OS_CLOUD_NAME) for a cloud built from OS_* variables. */
  name: string;
  authType: AuthType;
  auth: AuthConfig;
  regionName?: string;
  interface: EndpointInterface;
  /** False for `verify: false`, `insecure: true` or OS_INSECURE. */
  verify: boolean;
  /** Path of a PEM CA bundle (`cacert`, OS_CACERT). */
  cacert?: string;
  /** Per-request timeout from `api_timeout` (seconds in clouds.yaml), in milliseconds. */
  apiTimeoutMs?: number;
  /** Path of the clouds.yaml the cloud came from; undefined for OS_* variables. */
  sourceFile?: string;
}
