import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/database.ts';
import { listBillingRecords } from '../../services/billing/billing-records.ts';
import { PageParams, pageOf } from '../pagination.ts';
import { assertDayRange } from '../query-ranges.ts';
import { problemResponses, Uuid } from '../schemas.ts';
import { BillingRecordFilters, BillingRecordSchema } from './tenant-billing-records.ts';

export async function adminBillingRecordRoutes(appBase: FastifyInstance, options: { db: Db }): Promise<void> {
  const app = appBase.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/api/v1/admin/billing-records',
    {
      config: { access: 'platform:admin' },
      schema: {
        tags: ['admin'],
        summary: 'List the daily billing records of all tenants, newest day first; from and to are inclusive bill dates',
        querystring: Type.Object({ ...PageParams, tenant_id: Type.Optional(Uuid), ...BillingRecordFilters }, { additionalProperties: false }),
        response: { 200: pageOf(BillingRecordSchema), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { page, page_size, tenant_id, system_id, from, to } = request.query;
      assertDayRange(from, to);
      return listBillingRecords(options.db, { filterTenantId: tenant_id }, { systemId: system_id, from, to }, { page, page_size });
    },
  );
}
