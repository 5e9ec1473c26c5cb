import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/database.ts';
import { listCapacitySummaries } from '../../services/capacity-summary.ts';
import { listOrders, ORDER_SORT_FIELDS } from '../../services/orders.ts';
import { callerTenantId } from '../caller.ts';
import { PageParams, pageOf, sortParam } from '../pagination.ts';
import { CapacitySummarySchema, OrderSchema, OrderStatusSchema } from '../portal-schemas.ts';
import { problemResponses, Uuid } from '../schemas.ts';

// GET /orders answers the question tenants ask of their orders (how much capacity is left per
// system), and GET /orders/list pages the order rows themselves.
export async function tenantOrderRoutes(appBase: FastifyInstance, options: { db: Db }): Promise<void> {
  const app = appBase.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = options;

  app.get(
    '/api/v1/orders',
    {
      config: { access: 'tenant:read' },
      schema: {
        tags: ['tenant'],
        summary:
          'Capacity per information system, paged by system name: ordered (active orders valid now), used (VMs not deleted) and remaining; the order rows are at GET /api/v1/orders/list',
        querystring: Type.Object({ ...PageParams }, { additionalProperties: false }),
        response: { 200: pageOf(CapacitySummarySchema), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => listCapacitySummaries(db, callerTenantId(request), request.query),
  );

  app.get(
    '/api/v1/orders/list',
    {
      config: { access: 'tenant:read' },
      schema: {
        tags: ['tenant'],
        summary: 'List the resource orders of the caller’s tenant, newest first unless sorted otherwise',
        querystring: Type.Object(
          { ...PageParams, system_id: Type.Optional(Uuid), status: Type.Optional(OrderStatusSchema), sort: sortParam(ORDER_SORT_FIELDS, '-created_at') },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(OrderSchema), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { page, page_size, system_id, status, sort } = request.query;
      return listOrders(db, callerTenantId(request), { systemId: system_id, status, sort }, { page, page_size });
    },
  );
}
