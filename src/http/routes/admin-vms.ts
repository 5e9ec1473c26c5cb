import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { VmServiceDeps } from '../../services/vms/context.ts';
import { listAllVms, VM_SORT_FIELDS } from '../../services/vms/vm-queries.ts';
import { pageOf, PageParams, sortParam } from '../pagination.ts';
import type { RateLimitHandlers } from '../plugins/rate-limit.ts';
import { problemResponses, Uuid } from '../schemas.ts';
import { VmSchema } from './vm-schema.ts';

const AdminVmSchema = Type.Object({
  ...VmSchema.properties,
  tenantId: Type.String(),
  cloud: Type.String({ description: 'Cloud name in clouds.yaml.' }),
  region: Type.Union([Type.String(), Type.Null()]),
  projectId: Type.String({ description: 'OpenStack project that holds the server.' }),
});

/** Routes for platform operators over the VMs of all tenants. */
export async function adminVmRoutes(appBase: FastifyInstance, options: { deps: VmServiceDeps; limits: RateLimitHandlers }): Promise<void> {
  const app = appBase.withTypeProvider<TypeBoxTypeProvider>();
  const { deps, limits } = options;

  app.get(
    '/api/v1/admin/vms',
    {
      config: { access: 'platform:admin' },
      preHandler: limits.reads,
      schema: {
        tags: ['admin'],
        summary: 'List the VMs of all tenants',
        querystring: Type.Object(
          {
            ...PageParams,
            tenant_id: Type.Optional(Uuid),
            system_id: Type.Optional(Uuid),
            status: Type.Optional(VmSchema.properties.status),
            q: Type.Optional(Type.String({ maxLength: 64, description: 'Text contained in the VM name, case-insensitive.' })),
            sort: sortParam(VM_SORT_FIELDS, '-created_at'),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(AdminVmSchema), ...problemResponses(400, 401, 403, 429) },
      },
    },
    async (request) => {
      const query = request.query;
      return listAllVms(deps, {
        page: query.page,
        page_size: query.page_size,
        tenantId: query.tenant_id,
        systemId: query.system_id,
        status: query.status,
        q: query.q,
        sort: query.sort,
      });
    },
  );
}
