import { createOpenStackClient, loadCloudConfig, type ClientOptions, type CloudConfig, type OpenStackClient } from '../../openstack/index.ts';
import { PortalError } from '../../errors/portal-error.ts';

/** The OpenStack binding of one tenant: a clouds.yaml entry and the project inside that cloud. */
export interface CloudBinding {
  cloud: string;
  region: string | null;
  projectId: string;
}

/** The tenant columns a binding is read from. */
export interface TenantBindingRow {
  code: string;
  cloud: string | null;
  region: string | null;
  project_id: string | null;
}

/** Reads a tenant's binding; a tenant without one gets TENANT_NOT_BOUND (409). */
export function bindingOf(tenant: TenantBindingRow): CloudBinding {
  if (tenant.cloud === null || tenant.project_id === null) {
    throw new PortalError('TENANT_NOT_BOUND', { tenant: tenant.code });
  }
  return { cloud: tenant.cloud, region: tenant.region, projectId: tenant.project_id };
}

export interface CloudClientsOptions {
  /** Environment for clouds.yaml lookup (OS_CLIENT_CONFIG_FILE, OS_* variables); read per new client. */
  env?: Record<string, string | undefined>;
  clientOptions?: ClientOptions;
}

/**
 * A cache of OpenStack clients, one per (cloud name, region, project id), so every tenant bound to
 * the same cloud shares the credentials from clouds.yaml but gets a token scoped to its own project.
 */
export class CloudClients {
  readonly #clients = new Map<string, OpenStackClient>();
  readonly #options: CloudClientsOptions;

  constructor(options: CloudClientsOptions = {}) {
    this.#options = options;
  }

  /** Returns the client for a binding, loading the cloud from clouds.yaml on first use. */
  forBinding(binding: CloudBinding): OpenStackClient {
    const key = JSON.stringify([binding.cloud, binding.region ?? '', binding.projectId]);
    const cached = this.#clients.get(key);
    if (cached) return cached;

    const loaded = loadCloudConfig({ cloud: binding.cloud, env: this.#options.env ?? process.env });
    const client = createOpenStackClient(scopeToProject(loaded, binding), this.#options.clientOptions);
    this.#clients.set(key, client);
    return client;
  }

  /**
   * Returns why `cloud` cannot be used (not in clouds.yaml, no clouds.yaml, an unreadable entry),
   * or null when it loads. Nothing is sent to the cloud.
   */
  cloudProblem(cloud: string): string | null {
    try {
      loadCloudConfig({ cloud, env: this.#options.env ?? process.env });
      return null;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  /** Closes every pooled connection; used at shutdown and by tests. */
  close(): void {
    for (const client of this.#clients.values()) client.close();
    this.#clients.clear();
  }
}

/**
 * Scopes the cloud's credentials to the binding's project. The project name of clouds.yaml is
 * dropped because Keystone resolves a scope by id alone, and keeping both could name two projects.
 */
function scopeToProject(cloud: CloudConfig, binding: CloudBinding): CloudConfig {
  const regionName = binding.region ?? cloud.regionName;
  if (cloud.auth.projectId === binding.projectId) {
    return { ...cloud, ...(regionName === undefined ? {} : { regionName }) };
  }

  const { projectName: _projectName, projectDomainName: _domainName, projectDomainId: _domainId, ...auth } = cloud.auth;
  return { ...cloud, auth: { ...auth, projectId: binding.projectId }, ...(regionName === undefined ? {} : { regionName }) };
}

let shared: CloudClients | null = null;

/** Returns the process-wide client cache that `serve`, `worker` and the job handlers share. */
export function sharedCloudClients(): CloudClients {
  shared ??= new CloudClients();
  return shared;
}
