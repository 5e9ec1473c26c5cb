import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { VmServiceDeps } from '../../services/vms/context.ts';
import { listAllVms } from '../../services/vms/vm-queries.ts';
import { pageOf } from '../pagination.ts';
import type { RateLimitHandlers } from '../plugins/rate-limit.ts';
import { problemResponses, Uuid } from '../schemas.ts';
import { VmListQueryFields, vmListFilters, VmSchema } from './vm-schema.ts';

const AdminVmSchema = Type.Object({
  ...VmSchema.properties,
  tenantId: Type.String(),
  cloud: Type.String({ description: 'Cloud name in clouds.yaml.' }),
  region: Type.Union([Type.String(), Type.Null()]),
  projectId: Type.String({ description: 'OpenStack project of the server.' }),
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
        querystring: Type.Object({ ...VmListQueryFields, tenant_id: Type.Optional(Uuid) }, { additionalProperties: false }),
        response: { 200: pageOf(AdminVmSchema), ...problemResponses(400, 401, 403, 429) },
      },
    },
    async (request) => listAllVms(deps, { ...vmListFilters(request.query), tenantId: request.query.tenant_id }),
  );
}
