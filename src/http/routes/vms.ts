import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import { DEFAULT_VM_REQUEST_LIMITS } from '../../domain/validation-limits.ts';
import { runIdempotent } from '../../services/idempotency.ts';
import type { JobQueue, VmCaller, VmServiceDeps } from '../../services/vms/context.ts';
import { createVm } from '../../services/vms/create-vm.ts';
import { requestVmAction } from '../../services/vms/vm-actions.ts';
import { getVm, listVmOperations, listVms } from '../../services/vms/vm-queries.ts';
import { callerOf, callerTenantId } from '../caller.ts';
import { pageOf, PageParams } from '../pagination.ts';
import { registerRateLimits, type RateLimitHandlers } from '../plugins/rate-limit.ts';
import { adminVmRoutes } from './admin-vms.ts';
import { VmListQueryFields, vmListFilters, VmSchema } from './vm-schema.ts';
import { catalogRoutes } from './catalog.ts';
import type { PortalConfig } from '../../config.ts';
import type { Database } from '../../db/database.ts';
import { CatalogService } from '../../services/catalog/catalog.ts';
import type { CloudClients } from '../../services/cloud/cloud-clients.ts';
import { problemResponses, Uuid } from '../schemas.ts';

// Request and response schemas of the VM routes; they also document the routes in OpenAPI.

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const limits = DEFAULT_VM_REQUEST_LIMITS;

const CreateVmBody = Type.Object(
  {
    systemId: Uuid,
    name: Type.String({ minLength: 1, maxLength: 63, description: 'Nova server name and guest hostname: letters, digits and hyphens, starting with a letter.' }),
    description: Type.Optional(Type.String({ maxLength: 255 })),
    cpu: Type.Integer({ minimum: limits.cpu.min, maximum: limits.cpu.max, description: 'vCPU cores.' }),
    memoryGiB: Type.Integer({ minimum: limits.memoryGiB.min, maximum: limits.memoryGiB.max }),
    diskGiB: Type.Integer({ minimum: limits.diskGiB.min, maximum: limits.diskGiB.max, description: 'Root disk in GiB.' }),
    os: Type.Optional(
      Type.Object(
        { distro: Type.String({ minLength: 1, maxLength: 64, description: 'Glance os_distro, e.g. ubuntu.' }), version: Type.Optional(Type.String({ maxLength: 64 })) },
        { additionalProperties: false },
      ),
    ),
    imageId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    flavorId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    networkId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);

const OperationSchema = Type.Object({
  id: Type.String(),
  vmId: nullable(Type.String()),
  kind: Type.String(),
  status: Type.String({ enum: ['pending', 'running', 'succeeded', 'failed', 'timed_out'] }),
  requestId: nullable(Type.String()),
  openstackRequestId: nullable(Type.String()),
  startedAt: Type.String({ format: 'date-time' }),
  finishedAt: nullable(Type.String({ format: 'date-time' })),
  deadlineAt: nullable(Type.String({ format: 'date-time' })),
  errorCode: nullable(Type.String()),
  errorMessage: nullable(Type.String()),
});

const ActionBody = Type.Object(
  { action: Type.Enum(['start', 'stop', 'reboot', 'hard_reboot'], { description: 'reboot is a soft reboot; hard_reboot power-cycles the VM.' }) },
  { additionalProperties: false },
);

const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Replays with the same key and body return the first response; kept for 24 hours.' })),
});

/** Collects the caller of a VM route: user, tenant (403 NO_TENANT without one), request id and logger. */
function vmCaller(request: FastifyRequest): VmCaller {
  return { userId: callerOf(request).userId, tenantId: callerTenantId(request), requestId: request.id, log: request.log };
}

export async function vmRoutes(appBase: FastifyInstance, options: { deps: VmServiceDeps; limits: RateLimitHandlers }): Promise<void> {
  const app = appBase.withTypeProvider<TypeBoxTypeProvider>();
  const { deps, limits } = options;

  app.get(
    '/api/v1/vms',
    {
      config: { access: 'tenant:read' },
      preHandler: limits.reads,
      schema: {
        tags: ['vms'],
        summary: 'List the tenant’s VMs',
        querystring: Type.Object(VmListQueryFields, { additionalProperties: false }),
        response: { 200: pageOf(VmSchema), ...problemResponses(400, 401, 403, 429) },
      },
    },
    async (request) => listVms(deps, callerTenantId(request), vmListFilters(request.query)),
  );

  app.get(
    '/api/v1/vms/:id',
    {
      config: { access: 'tenant:read' },
      preHandler: limits.reads,
      schema: {
        tags: ['vms'],
        summary: 'Show one VM; refresh=true reads its state from Nova first',
        params: Type.Object({ id: Uuid }),
        querystring: Type.Object({ refresh: Type.Optional(Type.Boolean({ default: false })) }, { additionalProperties: false }),
        response: { 200: VmSchema, ...problemResponses(400, 401, 403, 404, 409, 429, 503) },
      },
    },
    async (request) => getVm(deps, vmCaller(request), request.params.id, { refresh: request.query.refresh === true }),
  );

  app.get(
    '/api/v1/vms/:id/operations',
    {
      config: { access: 'tenant:read' },
      preHandler: limits.reads,
      schema: {
        tags: ['vms'],
        summary: 'List the operations requested on one VM, newest first',
        params: Type.Object({ id: Uuid }),
        querystring: Type.Object({ ...PageParams }, { additionalProperties: false }),
        response: { 200: pageOf(OperationSchema), ...problemResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => listVmOperations(deps, callerTenantId(request), request.params.id, request.query),
  );

  app.post(
    '/api/v1/vms',
    {
      config: { access: 'vm:manage' },
      preHandler: limits.creates,
      schema: {
        tags: ['vms'],
        summary: 'Create a VM; Nova builds it in the background, so the VM starts in status creating',
        headers: IdempotencyHeaders,
        body: CreateVmBody,
        response: { 202: VmSchema, ...problemResponses(400, 401, 403, 404, 409, 422, 429, 503) },
      },
    },
    async (request, reply) => {
      const caller = vmCaller(request);
      const key = request.headers['idempotency-key'];
      const create = async () => ({ status: 202, body: await createVm(deps, caller, request.body) });

      const response = key === undefined ? await create() : await runIdempotent(deps.database.db, { userId: caller.userId, key, method: 'POST', path: '/api/v1/vms', body: request.body }, create);
      if ('replayed' in response && response.replayed) request.log.info({ userId: caller.userId, tenantId: caller.tenantId }, 'idempotent replay of VM create');
      return reply.status(response.status as 202).send(response.body as never);
    },
  );

  app.post(
    '/api/v1/vms/:id/actions',
    {
      config: { access: 'vm:operate' },
      preHandler: limits.actions,
      schema: {
        tags: ['vms'],
        summary: 'Start, stop or reboot a VM; the operation completes when Nova confirms it',
        params: Type.Object({ id: Uuid }),
        body: ActionBody,
        response: { 202: OperationSchema, ...problemResponses(400, 401, 403, 404, 409, 429, 503) },
      },
    },
    async (request, reply) => reply.status(202).send(await requestVmAction(deps, vmCaller(request), request.params.id, request.body.action)),
  );

  app.delete(
    '/api/v1/vms/:id',
    {
      config: { access: 'vm:manage' },
      preHandler: limits.actions,
      schema: {
        tags: ['vms'],
        summary: 'Delete a VM; a running VM needs force=true and is stopped first. The record is kept as deleted',
        params: Type.Object({ id: Uuid }),
        querystring: Type.Object({ force: Type.Optional(Type.Boolean({ default: false })) }, { additionalProperties: false }),
        response: { 202: OperationSchema, ...problemResponses(400, 401, 403, 404, 409, 429, 503) },
      },
    },
    async (request, reply) => reply.status(202).send(await requestVmAction(deps, vmCaller(request), request.params.id, 'delete', { force: request.query.force === true })),
  );
}

export interface VmApiOptions {
  config: PortalConfig;
  database: Database;
  clouds: CloudClients;
  queue: JobQueue | null;
  /** Cache lifetime of flavor, image and network lists; default 60 s. */
  catalogTtlMs?: number;
}

/** Registers the rate limits, the catalog routes and the VM routes in one encapsulated context. */
export async function vmApi(app: FastifyInstance, options: VmApiOptions): Promise<void> {
  const limits = await registerRateLimits(app, options.config);
  const catalog = new CatalogService(options.clouds, options.catalogTtlMs === undefined ? {} : { ttlMs: options.catalogTtlMs });
  const deps: VmServiceDeps = {
    database: options.database,
    clouds: options.clouds,
    catalog,
    queue: options.queue,
    actionDeadlineMs: (options.config.vmActionDeadlineSeconds ?? 600) * 1000,
  };

  await app.register(catalogRoutes, { deps, catalog, limits });
  await app.register(vmRoutes, { deps, limits });
  await app.register(adminVmRoutes, { deps, limits });
}
