import type { Logger } from 'pino';
import type { Database } from '../../db/database.ts';
import { PortalError } from '../../errors/portal-error.ts';
import type { CatalogService } from '../catalog/catalog.ts';
import { bindingOf, type CloudBinding, type CloudClients } from '../cloud/cloud-clients.ts';

/** The queue calls the VM service needs: pg-boss's `send`, or a test double. */
export interface JobQueue {
  send(name: string, data: object, options?: object): Promise<string | null>;
}

/** Collaborators of the VM use cases. */
export interface VmServiceDeps {
  database: Database;
  clouds: CloudClients;
  catalog: CatalogService;
  /** Null when no queue runs (some tests); then nothing follows an operation after it is accepted. */
  queue: JobQueue | null;
  /** Milliseconds an action may take before its operation times out. */
  actionDeadlineMs: number;
}

/** The logger calls the VM use cases make; a pino logger or a Fastify request logger. */
export type VmLog = Pick<Logger, 'info' | 'warn' | 'error'>;

/** The requesting user, tenant, request id and logger; every VM use case takes one. */
export interface VmCaller {
  userId: string;
  tenantId: string;
  requestId: string;
  log: VmLog;
}

export interface TenantCloud {
  tenantId: string;
  code: string;
  binding: CloudBinding;
}

/** Loads the caller's tenant and its OpenStack binding (TENANT_NOT_BOUND when it has none). */
export async function loadTenantCloud(deps: Pick<VmServiceDeps, 'database'>, tenantId: string): Promise<TenantCloud> {
  const tenant = await deps.database.db
    .selectFrom('tenants')
    .select(['id', 'code', 'cloud', 'region', 'project_id'])
    .where('id', '=', tenantId)
    .executeTakeFirst();
  if (!tenant) throw new PortalError('NO_TENANT');

  return { tenantId: tenant.id, code: tenant.code, binding: bindingOf(tenant) };
}

export const OPERATION_WATCH_JOB = 'operation-watch';
