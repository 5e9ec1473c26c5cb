import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Db } from '../../db/database.ts';
import { PortalError } from '../../errors/portal-error.ts';
import { createApiToken, listApiTokens, revokeApiToken, type ApiTokenSummary } from '../../services/auth/api-token-store.ts';
import type { Principal } from '../../services/auth/principal.ts';
import { recordAudit } from '../../services/audit.ts';
import { problemResponses, Uuid } from '../schemas.ts';

const TokenSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String({ description: 'First characters of the token, to tell tokens apart.' }),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

const MAX_TOKEN_DAYS = 366;

const isoOrNull = (value: Date | null) => (value ? value.toISOString() : null);

function serialize(summary: ApiTokenSummary) {
  return {
    ...summary,
    createdAt: summary.createdAt.toISOString(),
    expiresAt: isoOrNull(summary.expiresAt),
    lastUsedAt: isoOrNull(summary.lastUsedAt),
    revokedAt: isoOrNull(summary.revokedAt),
  };
}

export async function apiTokenRoutes(appBase: FastifyInstance, options: { db: Db }): Promise<void> {
  const app = appBase.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = options;

  app.get(
    '/api/v1/auth/tokens',
    { schema: { tags: ['auth'], summary: 'List the signed-in user’s API tokens', response: { 200: Type.Object({ items: Type.Array(TokenSummary) }), ...problemResponses(401) } } },
    async (request) => ({ items: (await listApiTokens(db, (request.principal as Principal).userId)).map(serialize) }),
  );

  app.post(
    '/api/v1/auth/tokens',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create a personal API token; its text is returned only in this response',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 64 }),
            expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_TOKEN_DAYS })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ token: Type.String(), summary: TokenSummary }), ...problemResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const principal = request.principal as Principal;
      // A token that could mint tokens would outlive its own revocation through its children.
      if (principal.via === 'token') throw new PortalError('SESSION_REQUIRED');
      const days = request.body.expiresInDays;
      const expiresAt = days ? new Date(Date.now() + days * 86_400_000) : null;

      const created = await createApiToken(db, { userId: principal.userId, name: request.body.name, expiresAt });
      await recordAudit(db, {
        actorUserId: principal.userId,
        tenantId: principal.tenantId,
        action: 'api-token.create',
        targetType: 'api_token',
        targetId: created.summary.id,
        requestId: request.id,
        clientAddress: request.ip,
      });
      return reply.status(201).send({ token: created.token, summary: serialize(created.summary) });
    },
  );

  app.delete(
    '/api/v1/auth/tokens/:id',
    {
      schema: {
        tags: ['auth'],
        summary: 'Revoke one of the signed-in user’s API tokens',
        params: Type.Object({ id: Uuid }),
        response: { 204: Type.Null(), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const principal = request.principal as Principal;
      if (!(await revokeApiToken(db, principal.userId, request.params.id))) {
        throw new PortalError('NOT_FOUND', { resource: 'API token', id: request.params.id });
      }
      await recordAudit(db, {
        actorUserId: principal.userId,
        tenantId: principal.tenantId,
        action: 'api-token.revoke',
        targetType: 'api_token',
        targetId: request.params.id,
        requestId: request.id,
        clientAddress: request.ip,
      });
      return reply.status(204).send(null);
    },
  );
}
