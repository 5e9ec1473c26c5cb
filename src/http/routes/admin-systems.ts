import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/database.ts';
import { PortalError } from '../../errors/portal-error.ts';
import { systemCapacity } from '../../services/capacity-summary.ts';
import { ordersOfSystem } from '../../services/orders.ts';
import { createSystem, findSystem, listSystems, SYSTEM_SORT_FIELDS, updateSystem } from '../../services/systems.ts';
import { auditActorOf } from '../caller.ts';
import { PageParams, pageOf, sortParam } from '../pagination.ts';
import { BillingModeSchema, Code, Description, nullable, PricePlanSchema, SearchText, SystemSchema, SystemStatusSchema } from '../portal-schemas.ts';
import { problemResponses, Uuid } from '../schemas.ts';
import { SystemDetailSchema } from './tenant-systems.ts';

const SystemName = Type.String({ minLength: 1, maxLength: 128 });
const ProtectionLevel = Type.Integer({ minimum: 1, maximum: 5, description: 'Classified protection level (等级保护), 1–5.' });

export async function adminSystemRoutes(appBase: FastifyInstance, options: { db: Db }): Promise<void> {
  const app = appBase.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = options;

  app.get(
    '/api/v1/admin/systems',
    {
      config: { access: 'platform:admin' },
      schema: {
        tags: ['admin'],
        summary: 'List information systems of all tenants',
        querystring: Type.Object(
          {
            ...PageParams,
            tenant_id: Type.Optional(Uuid),
            status: Type.Optional(SystemStatusSchema),
            q: Type.Optional(SearchText),
            sort: sortParam(SYSTEM_SORT_FIELDS, 'name'),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(SystemSchema), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { page, page_size, tenant_id, ...filter } = request.query;
      return listSystems(db, { filterTenantId: tenant_id }, filter, { page, page_size });
    },
  );

  app.get(
    '/api/v1/admin/systems/:id',
    {
      config: { access: 'platform:admin' },
      schema: {
        tags: ['admin'],
        summary: 'One information system with its orders and current capacity',
        params: Type.Object({ id: Uuid }),
        response: { 200: SystemDetailSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const system = await findSystem(db, request.params.id, null);
      const capacity = system ? await systemCapacity(db, system.id, system.tenantId) : null;
      if (!system || !capacity) throw new PortalError('NOT_FOUND', { resource: 'system', id: request.params.id });

      const orders = await ordersOfSystem(db, system.id, system.tenantId);
      return { system, orders, capacity };
    },
  );

  app.post(
    '/api/v1/admin/systems',
    {
      config: { access: 'platform:admin' },
      schema: {
        tags: ['admin'],
        summary: 'Create an information system in a tenant; the price plan keys must match the billing mode (PerDay for prepaid, PerHour for usage)',
        body: Type.Object(
          {
            tenantId: Uuid,
            code: Code,
            name: SystemName,
            description: Type.Optional(Description),
            protectionLevel: Type.Optional(nullable(ProtectionLevel)),
            billingMode: Type.Optional(BillingModeSchema),
            pricePlan: PricePlanSchema,
          },
          { additionalProperties: false },
        ),
        response: { 201: SystemSchema, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const system = await createSystem(db, auditActorOf(request), request.body);
      if (!system) throw new PortalError('NOT_FOUND', { resource: 'tenant', id: request.body.tenantId });
      return reply.status(201).send(system);
    },
  );

  app.patch(
    '/api/v1/admin/systems/:id',
    {
      config: { access: 'platform:admin' },
      schema: {
        tags: ['admin'],
        summary: 'Change an information system; a new billing mode needs a price plan that matches it',
        params: Type.Object({ id: Uuid }),
        body: Type.Object(
          {
            name: Type.Optional(SystemName),
            description: Type.Optional(Description),
            status: Type.Optional(SystemStatusSchema),
            protectionLevel: Type.Optional(nullable(ProtectionLevel)),
            billingMode: Type.Optional(BillingModeSchema),
            pricePlan: Type.Optional(PricePlanSchema),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: SystemSchema, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const system = await updateSystem(db, auditActorOf(request), request.params.id, request.body);
      if (!system) throw new PortalError('NOT_FOUND', { resource: 'system', id: request.params.id });
      return system;
    },
  );
}
