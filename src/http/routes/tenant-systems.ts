import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/database.ts';
import { PortalError } from '../../errors/portal-error.ts';
import { systemCapacity } from '../../services/capacity-summary.ts';
import { ordersOfSystem } from '../../services/orders.ts';
import { findSystem, listSystems, SYSTEM_SORT_FIELDS } from '../../services/systems.ts';
import { callerTenantId } from '../caller.ts';
import { PageParams, pageOf, sortParam } from '../pagination.ts';
import { CapacitySummarySchema, OrderSchema, SearchText, SystemSchema, SystemStatusSchema } from '../portal-schemas.ts';
import { problemResponses, Uuid } from '../schemas.ts';

export const SystemDetailSchema = Type.Object({
  system: SystemSchema,
  orders: Type.Array(OrderSchema, { description: 'Every order of the system, newest validity first.' }),
  capacity: CapacitySummarySchema,
});

export async function tenantSystemRoutes(appBase: FastifyInstance, options: { db: Db }): Promise<void> {
  const app = appBase.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = options;

  app.get(
    '/api/v1/systems',
    {
      config: { access: 'tenant:read' },
      schema: {
        tags: ['tenant'],
        summary: 'List the information systems of the caller’s tenant',
        querystring: Type.Object(
          { ...PageParams, status: Type.Optional(SystemStatusSchema), q: Type.Optional(SearchText), sort: sortParam(SYSTEM_SORT_FIELDS, 'name') },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(SystemSchema), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { page, page_size, ...filter } = request.query;
      return listSystems(db, { tenantId: callerTenantId(request) }, filter, { page, page_size });
    },
  );

  app.get(
    '/api/v1/systems/:id',
    {
      config: { access: 'tenant:read' },
      schema: {
        tags: ['tenant'],
        summary: 'One information system of the caller’s tenant with its orders and current capacity',
        params: Type.Object({ id: Uuid }),
        response: { 200: SystemDetailSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const tenantId = callerTenantId(request);
      const system = await findSystem(db, request.params.id, tenantId);
      const capacity = system ? await systemCapacity(db, system.id, tenantId) : null;
      if (!system || !capacity) throw new PortalError('NOT_FOUND', { resource: 'system', id: request.params.id });

      const orders = await ordersOfSystem(db, system.id, tenantId);
      return { system, orders, capacity };
    },
  );
}
