import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/database.ts';
import { listResourceAdjustments } from '../../services/resource-adjustments.ts';
import { callerTenantId } from '../caller.ts';
import { PageParams, pageOf } from '../pagination.ts';
import { AdjustmentSchema } from '../portal-schemas.ts';
import { problemResponses, Uuid } from '../schemas.ts';

export async function tenantAdjustmentRoutes(appBase: FastifyInstance, options: { db: Db }): Promise<void> {
  const app = appBase.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/api/v1/resource-adjustments',
    {
      config: { access: 'tenant:read' },
      schema: {
        tags: ['tenant'],
        summary: 'List detected resource changes of the caller’s tenant’s VMs and systems, newest first',
        querystring: Type.Object(
          { ...PageParams, system_id: Type.Optional(Uuid), vm_id: Type.Optional(Uuid), dimension: Type.Optional(Type.Enum(['cpu', 'memory', 'storage'])) },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(AdjustmentSchema), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { page, page_size, system_id, vm_id, dimension } = request.query;
      return listResourceAdjustments(options.db, callerTenantId(request), { systemId: system_id, vmId: vm_id, dimension }, { page, page_size });
    },
  );
}
