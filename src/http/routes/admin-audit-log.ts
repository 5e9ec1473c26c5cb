import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/database.ts';
import { listAuditLog } from '../../services/audit-log.ts';
import { PageParams, pageOf } from '../pagination.ts';
import { nullable } from '../portal-schemas.ts';
import { assertTimeRange, timestampParam } from '../query-ranges.ts';
import { problemResponses, Uuid } from '../schemas.ts';

const AuditLogEntrySchema = Type.Object(
  {
    id: Type.String(),
    occurredAt: Type.String({ format: 'date-time' }),
    actorUserId: nullable(Type.String()),
    actorUsername: nullable(Type.String({ description: 'Current username of the actor.' })),
    tenantId: nullable(Type.String({ description: 'Tenant the action concerned, or null for platform-wide actions.' })),
    action: Type.String({ description: 'For example contact.reveal, tenant.create, user.reset-password, api-token.create.' }),
    targetType: Type.String(),
    targetId: nullable(Type.String()),
    requestId: nullable(Type.String()),
    clientAddress: nullable(Type.String()),
    details: Type.Record(Type.String(), Type.Unknown(), { description: 'Names of changed or revealed fields, never their values.' }),
  },
  { additionalProperties: false },
);

const FilterText = Type.String({ minLength: 1, maxLength: 128 });

export async function adminAuditLogRoutes(appBase: FastifyInstance, options: { db: Db }): Promise<void> {
  const app = appBase.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/api/v1/admin/audit-log',
    {
      config: { access: 'platform:admin' },
      schema: {
        tags: ['admin'],
        summary: 'List audit log entries of all tenants, newest first; from is inclusive and to is exclusive',
        querystring: Type.Object(
          {
            ...PageParams,
            action: Type.Optional(FilterText),
            actor_user_id: Type.Optional(Uuid),
            tenant_id: Type.Optional(Uuid),
            target_type: Type.Optional(FilterText),
            target_id: Type.Optional(FilterText),
            from: Type.Optional(timestampParam('Entries at or after this time.')),
            to: Type.Optional(timestampParam('Entries before this time.')),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(AuditLogEntrySchema), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { page, page_size, action, actor_user_id, tenant_id, target_type, target_id, from, to } = request.query;
      assertTimeRange(from, to);
      return listAuditLog(
        options.db,
        { action, actorUserId: actor_user_id, tenantId: tenant_id, targetType: target_type, targetId: target_id, from, to },
        { page, page_size },
      );
    },
  );
}
