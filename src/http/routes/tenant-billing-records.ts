import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/database.ts';
import { listBillingRecords } from '../../services/billing/billing-records.ts';
import { callerTenantId } from '../caller.ts';
import { PageParams, pageOf } from '../pagination.ts';
import { assertDayRange, localDateParam } from '../query-ranges.ts';
import { problemResponses, Uuid } from '../schemas.ts';

/** One daily billing record, in the tenant list and the operators' list alike. */
export const BillingRecordSchema = Type.Object(
  {
    id: Type.String(),
    tenantId: Type.String(),
    systemId: Type.String(),
    billDate: Type.String({ format: 'date', description: 'The local day billed, in timeZone.' }),
    timeZone: Type.String({ description: 'IANA time zone whose calendar day was billed, for example Asia/Shanghai.' }),
    billingMode: Type.Enum(['prepaid', 'usage']),
    ordered: Type.Object(
      { cpu: Type.Integer(), memoryGiB: Type.Integer(), storageGiB: Type.Integer() },
      { description: 'Largest capacity of the system’s active orders in force at any instant of the day, per dimension.' },
    ),
    usage: Type.Object(
      { coreHours: Type.Number(), memoryGiBHours: Type.Number(), storageGiBHours: Type.Number() },
      { description: 'Use by the system’s VMs during the day, rounded half up to 4 decimals.' },
    ),
    amountFen: Type.Integer({ description: 'Amount in fen (1/100 yuan).' }),
    currency: Type.String({ description: 'ISO 4217 code, CNY.' }),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

/** Query filters common to the tenant and the operator list. */
export const BillingRecordFilters = {
  system_id: Type.Optional(Uuid),
  from: Type.Optional(localDateParam('First bill date to include, YYYY-MM-DD.')),
  to: Type.Optional(localDateParam('Last bill date to include, YYYY-MM-DD.')),
};

export async function tenantBillingRecordRoutes(appBase: FastifyInstance, options: { db: Db }): Promise<void> {
  const app = appBase.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/api/v1/billing-records',
    {
      config: { access: 'tenant:read' },
      schema: {
        tags: ['tenant'],
        summary: 'List the daily billing records of the caller’s tenant, newest day first; from and to are inclusive bill dates',
        querystring: Type.Object({ ...PageParams, ...BillingRecordFilters }, { additionalProperties: false }),
        response: { 200: pageOf(BillingRecordSchema), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { page, page_size, system_id, from, to } = request.query;
      assertDayRange(from, to);
      return listBillingRecords(options.db, { tenantId: callerTenantId(request) }, { systemId: system_id, from, to }, { page, page_size });
    },
  );
}
