import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/database.ts';
import { PortalError } from '../../errors/portal-error.ts';
import { createOrder, findOrder, listOrders, ORDER_SORT_FIELDS, updateOrder } from '../../services/orders.ts';
import { auditActorOf } from '../caller.ts';
import { PageParams, pageOf, sortParam } from '../pagination.ts';
import { OrderSchema, OrderStatusSchema } from '../portal-schemas.ts';
import { problemResponses, Uuid } from '../schemas.ts';

const DateTime = Type.String({ format: 'date-time' });
const OrderNo = Type.String({ minLength: 1, maxLength: 64 });
// Upper bounds keep sums far inside PostgreSQL's integer range.
const Cores = Type.Integer({ minimum: 0, maximum: 100_000 });
const GiB = Type.Integer({ minimum: 0, maximum: 100_000_000 });

export async function adminOrderRoutes(appBase: FastifyInstance, options: { db: Db }): Promise<void> {
  const app = appBase.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = options;

  app.get(
    '/api/v1/admin/orders',
    {
      config: { access: 'platform:admin' },
      schema: {
        tags: ['admin'],
        summary: 'List resource orders of all tenants, newest first unless sorted otherwise',
        querystring: Type.Object(
          {
            ...PageParams,
            tenant_id: Type.Optional(Uuid),
            system_id: Type.Optional(Uuid),
            status: Type.Optional(OrderStatusSchema),
            sort: sortParam(ORDER_SORT_FIELDS, '-created_at'),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(OrderSchema), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { page, page_size, tenant_id, system_id, status, sort } = request.query;
      return listOrders(db, null, { tenantId: tenant_id, systemId: system_id, status, sort }, { page, page_size });
    },
  );

  app.get(
    '/api/v1/admin/orders/:id',
    {
      config: { access: 'platform:admin' },
      schema: { tags: ['admin'], summary: 'One resource order', params: Type.Object({ id: Uuid }), response: { 200: OrderSchema, ...problemResponses(400, 401, 403, 404) } },
    },
    async (request) => {
      const order = await findOrder(db, request.params.id);
      if (!order) throw new PortalError('NOT_FOUND', { resource: 'order', id: request.params.id });
      return order;
    },
  );

  app.post(
    '/api/v1/admin/orders',
    {
      config: { access: 'platform:admin' },
      schema: {
        tags: ['admin'],
        summary: 'Create a resource order for a system; its tenant is the system’s; amounts are cores and GiB, not all 0; validTo after validFrom',
        body: Type.Object(
          {
            systemId: Uuid,
            orderNo: OrderNo,
            cpuCores: Cores,
            memoryGiB: GiB,
            storageGiB: GiB,
            validFrom: DateTime,
            validTo: DateTime,
            status: Type.Optional(OrderStatusSchema),
          },
          { additionalProperties: false },
        ),
        response: { 201: OrderSchema, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const order = await createOrder(db, auditActorOf(request), { ...body, validFrom: new Date(body.validFrom), validTo: new Date(body.validTo) });
      if (!order) throw new PortalError('NOT_FOUND', { resource: 'system', id: body.systemId });
      return reply.status(201).send(order);
    },
  );

  app.patch(
    '/api/v1/admin/orders/:id',
    {
      config: { access: 'platform:admin' },
      schema: {
        tags: ['admin'],
        summary: 'Change an order’s status (pending → active or cancelled, active → cancelled; cancelled is final) or validity period',
        params: Type.Object({ id: Uuid }),
        body: Type.Object(
          { status: Type.Optional(OrderStatusSchema), validFrom: Type.Optional(DateTime), validTo: Type.Optional(DateTime) },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: OrderSchema, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { status, validFrom, validTo } = request.body;
      const order = await updateOrder(db, auditActorOf(request), request.params.id, {
        status,
        ...(validFrom !== undefined ? { validFrom: new Date(validFrom) } : {}),
        ...(validTo !== undefined ? { validTo: new Date(validTo) } : {}),
      });
      if (!order) throw new PortalError('NOT_FOUND', { resource: 'order', id: request.params.id });
      return order;
    },
  );
}
