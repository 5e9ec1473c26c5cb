import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/database.ts';
import { fieldError, invalidFields } from '../../errors/field-error.ts';
import { PortalError } from '../../errors/portal-error.ts';
import type { CloudClients } from '../../services/cloud/cloud-clients.ts';
import { createTenant, findTenant, listTenants, TENANT_SORT_FIELDS, updateTenant } from '../../services/tenants.ts';
import { auditActorOf } from '../caller.ts';
import { PageParams, pageOf, sortParam } from '../pagination.ts';
import { Code, Description, nullable, SearchText, TenantSchema, TenantStatusSchema } from '../portal-schemas.ts';
import { problemResponses, Uuid } from '../schemas.ts';

const TenantName = Type.String({ minLength: 1, maxLength: 128 });
const Cloud = Type.String({ minLength: 1, maxLength: 64, description: 'Cloud name as in clouds.yaml.' });
const Region = Type.String({ minLength: 1, maxLength: 64 });
const ProjectId = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'Keystone project id.' });
const ProjectName = Type.String({ minLength: 1, maxLength: 64 });

const BINDING_NOTE = 'cloud and projectId are set together, or both null to unbind; a project belongs to one tenant only (409 PROJECT_ALREADY_BOUND)';

/**
 * Rejects a binding to a cloud that clouds.yaml does not define. Without this check a typing
 * error was stored and every later call for the tenant failed, with vm-sync logging it each minute.
 */
function assertKnownCloud(clouds: CloudClients, cloud: string | null | undefined, log: FastifyBaseLogger): void {
  if (typeof cloud !== 'string') return;

  const problem = clouds.cloudProblem(cloud);
  if (problem === null) return;
  // The loader's reason names server paths, so it goes to the log and not to the caller.
  log.warn({ cloud, reason: problem }, 'tenant binding names a cloud that clouds.yaml does not define');
  throw invalidFields([
    fieldError('cloud', 'unknown_cloud', `门户的 clouds.yaml 中没有名为 "${cloud}" 的云，请使用其中定义的名称。`, `cloud "${cloud}" is not defined in the portal's clouds.yaml; use a name defined there.`),
  ]);
}

export async function adminTenantRoutes(appBase: FastifyInstance, options: { db: Db; clouds: CloudClients }): Promise<void> {
  const app = appBase.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = options;

  app.get(
    '/api/v1/admin/tenants',
    {
      config: { access: 'platform:admin' },
      schema: {
        tags: ['admin'],
        summary: 'List tenants',
        querystring: Type.Object(
          { ...PageParams, status: Type.Optional(TenantStatusSchema), q: Type.Optional(SearchText), sort: sortParam(TENANT_SORT_FIELDS, 'name') },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(TenantSchema), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { page, page_size, ...filter } = request.query;
      return listTenants(db, filter, { page, page_size });
    },
  );

  app.get(
    '/api/v1/admin/tenants/:id',
    {
      config: { access: 'platform:admin' },
      schema: { tags: ['admin'], summary: 'One tenant with its OpenStack project binding', params: Type.Object({ id: Uuid }), response: { 200: TenantSchema, ...problemResponses(400, 401, 403, 404) } },
    },
    async (request) => {
      const tenant = await findTenant(db, request.params.id);
      if (!tenant) throw new PortalError('NOT_FOUND', { resource: 'tenant', id: request.params.id });
      return tenant;
    },
  );

  app.post(
    '/api/v1/admin/tenants',
    {
      config: { access: 'platform:admin' },
      schema: {
        tags: ['admin'],
        summary: `Create a tenant, optionally bound to an OpenStack project; ${BINDING_NOTE}`,
        body: Type.Object(
          {
            code: Code,
            name: TenantName,
            description: Type.Optional(Description),
            cloud: Type.Optional(nullable(Cloud)),
            region: Type.Optional(nullable(Region)),
            projectId: Type.Optional(nullable(ProjectId)),
            projectName: Type.Optional(nullable(ProjectName)),
          },
          { additionalProperties: false },
        ),
        response: { 201: TenantSchema, ...problemResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      assertKnownCloud(options.clouds, request.body.cloud, request.log);
      const tenant = await createTenant(db, auditActorOf(request), request.body);
      request.log.info({ tenantId: tenant.id }, 'tenant created');
      return reply.status(201).send(tenant);
    },
  );

  app.patch(
    '/api/v1/admin/tenants/:id',
    {
      config: { access: 'platform:admin' },
      schema: {
        tags: ['admin'],
        summary: `Change a tenant’s name, description, status (active, suspended, archived) or project binding; ${BINDING_NOTE}`,
        params: Type.Object({ id: Uuid }),
        body: Type.Object(
          {
            name: Type.Optional(TenantName),
            description: Type.Optional(Description),
            status: Type.Optional(TenantStatusSchema),
            cloud: Type.Optional(nullable(Cloud)),
            region: Type.Optional(nullable(Region)),
            projectId: Type.Optional(nullable(ProjectId)),
            projectName: Type.Optional(nullable(ProjectName)),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: TenantSchema, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      assertKnownCloud(options.clouds, request.body.cloud, request.log);
      const tenant = await updateTenant(db, auditActorOf(request), request.params.id, request.body);
      if (!tenant) throw new PortalError('NOT_FOUND', { resource: 'tenant', id: request.params.id });
      return tenant;
    },
  );
}
